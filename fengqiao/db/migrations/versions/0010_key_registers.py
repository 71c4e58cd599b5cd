"""key projects, key persons and key places

Revision ID: 0010_key_registers
Revises: 0009_risk_warnings
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0010_key_registers"
down_revision: str | None = "0009_risk_warnings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("responsible_staff_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_key_persons_building_id_buildings")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_key_persons_created_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name=op.f("fk_key_persons_identity_id_identities"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["responsible_staff_id"], ["staff.id"], name=op.f("fk_key_persons_responsible_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_key_persons_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_persons")),
        sa.UniqueConstraint("county_code", "id_number", "category", name=op.f("uq_key_persons_county_code")),
    )
    with op.batch_alter_table("key_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_persons_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_persons_identity_id"), ["identity_id"], unique=False)
        batch_op.create_index("ix_key_persons_scope", ["county_code", "status", "unit_path"], unique=False)

    op.create_table(
        "key_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("class_code", sa.String(length=2), nullable=False),
        sa.Column("subclass_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column("progress_percent", sa.SmallInteger(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_key_projects_building_id_buildings")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_key_projects_created_by_id_staff")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_key_projects_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_projects")),
        sa.UniqueConstraint("county_code", "code", name=op.f("uq_key_projects_county_code")),
    )
    with op.batch_alter_table("key_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_projects_building_id"), ["building_id"], unique=False)
        batch_op.create_index("ix_key_projects_scope", ["county_code", "status", "unit_path"], unique=False)

    op.create_table(
        "key_person_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["staff.id"], name=op.f("fk_key_person_visits_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["key_persons.id"],
            name=op.f("fk_key_person_visits_person_id_key_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_person_visits")),
    )
    with op.batch_alter_table("key_person_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_person_visits_person_id"), ["person_id"], unique=False)

    op.create_table(
        "key_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("responsible_staff_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_key_places_building_id_buildings")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_key_places_created_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["responsible_staff_id"], ["staff.id"], name=op.f("fk_key_places_responsible_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_key_places_room_id_rooms")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_key_places_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_places")),
    )
    with op.batch_alter_table("key_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_places_building_id"), ["building_id"], unique=False)
        batch_op.create_index("ix_key_places_scope", ["county_code", "status", "unit_path"], unique=False)

    op.create_table(
        "key_project_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["key_projects.id"],
            name=op.f("fk_key_project_members_project_id_key_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_key_project_members_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_project_members")),
    )
    with op.batch_alter_table("key_project_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_project_members_project_id"), ["project_id"], unique=False)

    op.create_table(
        "key_project_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_key_project_parties_identity_id_identities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["key_projects.id"],
            name=op.f("fk_key_project_parties_project_id_key_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_project_parties")),
    )
    with op.batch_alter_table("key_project_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_project_parties_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_project_parties_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_project_parties_identity_id"), ["identity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_key_project_parties_project_id"), ["project_id"], unique=False)

    op.create_table(
        "key_project_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("percent", sa.SmallInteger(), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["staff.id"], name=op.f("fk_key_project_progress_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["key_projects.id"],
            name=op.f("fk_key_project_progress_project_id_key_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_project_progress")),
    )
    with op.batch_alter_table("key_project_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_project_progress_project_id"), ["project_id"], unique=False)

    op.create_table(
        "register_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entry_kind", sa.String(length=8), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("risk_before", sa.String(length=8), nullable=False),
        sa.Column("risk_after", sa.String(length=8), nullable=False),
        sa.Column("linked_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_register_links_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_links")),
        sa.UniqueConstraint("event_id", "entry_kind", "entry_id", name=op.f("uq_register_links_event_id")),
    )
    with op.batch_alter_table("register_links", schema=None) as batch_op:
        batch_op.create_index("ix_register_links_entry", ["entry_kind", "entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_links_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("register_links")
    op.drop_table("key_project_progress")
    op.drop_table("key_project_parties")
    op.drop_table("key_project_members")
    op.drop_table("key_places")
    op.drop_table("key_person_visits")
    op.drop_table("key_projects")
    op.drop_table("key_persons")
