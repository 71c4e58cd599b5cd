"""dispatch rules: responsibility lists, the triage outcome on each event

Revision ID: 0006_dispatch_rules
Revises: 0005_classifier
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0006_dispatch_rules"
down_revision: str | None = "0005_classifier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "responsibility_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("scope_unit_id", sa.Integer(), nullable=False),
        sa.Column("department_unit_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_responsibility_rules_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["department_unit_id"], ["units.id"], name=op.f("fk_responsibility_rules_department_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["scope_unit_id"], ["units.id"], name=op.f("fk_responsibility_rules_scope_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility_rules")),
        sa.UniqueConstraint("category", "scope_unit_id", name="uq_responsibility_rules_category_scope"),
    )
    with op.batch_alter_table("responsibility_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responsibility_rules_category"), ["category"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("triage")
    with op.batch_alter_table("responsibility_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responsibility_rules_category"))
    op.drop_table("responsibility_rules")
