"""risk rules and warnings

Revision ID: 0009_risk_warnings
Revises: 0008_early_warning
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0009_risk_warnings"
down_revision: str | None = "0008_early_warning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_by_id", sa.Integer(), nullable=True),
        sa.Column("activated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activated_by_id"], ["staff.id"], name=op.f("fk_risk_rule_sets_activated_by_id_staff")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_risk_rule_sets_created_by_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_rule_sets")),
        sa.UniqueConstraint("county_code", "version", name=op.f("uq_risk_rule_sets_county_code")),
    )
    with op.batch_alter_table("risk_rule_sets", schema=None) as batch_op:
        batch_op.create_index("ix_risk_rule_sets_active", ["county_code", "is_active"], unique=False)

    op.create_table(
        "risk_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("pattern_id", sa.Integer(), nullable=True),
        sa.Column("rule_set_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("first_unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("ack_deadline", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("ack_note", sa.String(length=500), nullable=True),
        sa.Column("closed_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["staff.id"], name=op.f("fk_risk_warnings_acknowledged_by_id_staff")
        ),
        sa.ForeignKeyConstraint(["closed_by_id"], ["staff.id"], name=op.f("fk_risk_warnings_closed_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_risk_warnings_event_id_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["first_unit_id"], ["units.id"], name=op.f("fk_risk_warnings_first_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["pattern_id"], ["patterns.id"], name=op.f("fk_risk_warnings_pattern_id_patterns"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["risk_rule_sets.id"], name=op.f("fk_risk_warnings_rule_set_id_risk_rule_sets")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_risk_warnings_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_warnings")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_risk_warnings_dedupe_key")),
    )
    with op.batch_alter_table("risk_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_warnings_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_risk_warnings_scope", ["county_code", "status", "unit_path"], unique=False)
        batch_op.create_index("ix_risk_warnings_unit_status", ["unit_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_warnings_unit_status")
        batch_op.drop_index("ix_risk_warnings_scope")
        batch_op.drop_index(batch_op.f("ix_risk_warnings_event_id"))
    op.drop_table("risk_warnings")
    with op.batch_alter_table("risk_rule_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_rule_sets_active")
    op.drop_table("risk_rule_sets")
