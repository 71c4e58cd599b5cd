"""indices: the monthly history of the governance, grid-worker health and grid-team indices

Revision ID: 0016_indices
Revises: 0015_warning_kind
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0016_indices"
down_revision: str | None = "0015_warning_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("index_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=24), nullable=False),
        sa.Column("unit_name", sa.String(length=64), nullable=False),
        sa.Column("parent_name", sa.String(length=64), nullable=False),
        sa.Column(
            "path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("peers", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("config_sha256", sa.String(length=64), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("computed_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_index_scores_staff_id_staff"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_scores")),
        sa.UniqueConstraint("county_code", "index_code", "period", "level", "subject", name="uq_index_scores_subject"),
    )
    op.create_index(
        "ix_index_scores_ranking", "index_scores", ["county_code", "index_code", "level", "period"], unique=False
    )
    op.create_index(
        "ix_index_scores_history", "index_scores", ["county_code", "index_code", "subject", "period"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_index_scores_history", table_name="index_scores")
    op.drop_index("ix_index_scores_ranking", table_name="index_scores")
    op.drop_table("index_scores")
