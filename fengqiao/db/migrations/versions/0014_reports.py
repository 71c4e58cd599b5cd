"""bulletins: issued monthly and weekly bulletins with their files

Revision ID: 0014_reports
Revises: 0013_metrics
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0014_reports"
down_revision: str | None = "0013_metrics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("doc_number", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("docx_key", sa.String(length=200), nullable=False),
        sa.Column("xlsx_key", sa.String(length=200), nullable=False),
        sa.Column("pdf_key", sa.String(length=200), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["generated_by_id"], ["staff.id"], name=op.f("fk_bulletins_generated_by_id_staff")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_bulletins_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint("unit_id", "kind", "period_key", name="uq_bulletins_unit_period"),
        sa.UniqueConstraint("unit_id", "year", "serial", name="uq_bulletins_unit_serial"),
    )


def downgrade() -> None:
    op.drop_table("bulletins")
