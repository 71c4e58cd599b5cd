"""early warning: identities, party links, blocking keys, text bands, patterns

Revision ID: 0008_early_warning
Revises: 0007_citizen
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0008_early_warning"
down_revision: str | None = "0007_citizen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("party_count", sa.Integer(), nullable=False),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
    )
    op.create_table(
        "identity_keys",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column(
            "key", sa.String(length=96).with_variant(sa.String(length=96, collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name=op.f("fk_identity_keys_identity_id_identities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("county_code", "key", "identity_id", name=op.f("pk_identity_keys")),
    )
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.create_index("ix_identity_keys_identity", ["identity_id"], unique=False)

    op.create_table(
        "identity_separations",
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["identities.id"],
            name=op.f("fk_identity_separations_first_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["identities.id"],
            name=op.f("fk_identity_separations_second_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_identity_separations_staff_id_staff")),
        sa.PrimaryKeyConstraint("first_id", "second_id", name=op.f("pk_identity_separations")),
    )
    op.create_table(
        "patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("first_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"], name=op.f("fk_patterns_decided_by_id_staff")),
        sa.ForeignKeyConstraint(["merged_into_id"], ["patterns.id"], name=op.f("fk_patterns_merged_into_id_patterns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patterns")),
        sa.UniqueConstraint("county_code", "kind", "key", name=op.f("uq_patterns_county_code")),
    )
    with op.batch_alter_table("patterns", schema=None) as batch_op:
        batch_op.create_index("ix_patterns_scope", ["county_code", "status", "unit_path"], unique=False)

    op.create_table(
        "party_links",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("event_time", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("linked_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_party_links_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["identity_id"], ["identities.id"], name=op.f("fk_party_links_identity_id_identities")),
        sa.PrimaryKeyConstraint("event_id", "slot", name=op.f("pk_party_links")),
    )
    with op.batch_alter_table("party_links", schema=None) as batch_op:
        batch_op.create_index("ix_party_links_identity_time", ["identity_id", "event_time"], unique=False)

    op.create_table(
        "pattern_members",
        sa.Column("pattern_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("added_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_pattern_members_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pattern_id"], ["patterns.id"], name=op.f("fk_pattern_members_pattern_id_patterns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pattern_id", "event_id", name=op.f("pk_pattern_members")),
    )
    with op.batch_alter_table("pattern_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pattern_members_event_id"), ["event_id"], unique=False)

    op.create_table(
        "text_bands",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_text_bands_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "band", name=op.f("pk_text_bands")),
    )
    with op.batch_alter_table("text_bands", schema=None) as batch_op:
        batch_op.create_index("ix_text_bands_bucket", ["county_code", "bucket"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_building_registered_at", ["building_id", "registered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_building_registered_at")

    with op.batch_alter_table("text_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_text_bands_bucket")

    op.drop_table("text_bands")
    with op.batch_alter_table("pattern_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pattern_members_event_id"))

    op.drop_table("pattern_members")
    with op.batch_alter_table("party_links", schema=None) as batch_op:
        batch_op.drop_index("ix_party_links_identity_time")

    op.drop_table("party_links")
    with op.batch_alter_table("patterns", schema=None) as batch_op:
        batch_op.drop_index("ix_patterns_scope")

    op.drop_table("patterns")
    op.drop_table("identity_separations")
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_keys_identity")

    op.drop_table("identity_keys")
    op.drop_table("identities")
