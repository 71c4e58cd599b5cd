"""citizen pages: place codes (市域共治码) and citizen reports

Revision ID: 0007_citizen
Revises: 0006_dispatch_rules
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0007_citizen"
down_revision: str | None = "0006_dispatch_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_place_codes_building_id_buildings")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_place_codes_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_codes")),
        sa.UniqueConstraint("building_id", name=op.f("uq_place_codes_building_id")),
        sa.UniqueConstraint("token", name=op.f("uq_place_codes_token")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_place_codes_unit_id")),
    )
    op.create_table(
        "citizen_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("place_code_id", sa.Integer(), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("query_pin", sa.String(length=4), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_citizen_reports_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["place_code_id"], ["place_codes.id"], name=op.f("fk_citizen_reports_place_code_id_place_codes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_reports")),
        sa.UniqueConstraint("event_id", name=op.f("uq_citizen_reports_event_id")),
    )
    with op.batch_alter_table("citizen_reports", schema=None) as batch_op:
        batch_op.create_index("ix_citizen_reports_client_created", ["client_hash", "created_at"], unique=False)
        batch_op.create_index("ix_citizen_reports_place_created", ["place_code_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citizen_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_citizen_reports_place_created")
        batch_op.drop_index("ix_citizen_reports_client_created")
    op.drop_table("citizen_reports")
    op.drop_table("place_codes")
