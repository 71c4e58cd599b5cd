"""metrics: per-event facts, daily rollups, changed events

Revision ID: 0013_metrics
Revises: 0012_linking
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_metrics"
down_revision: str | None = "0012_linking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_dirty",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("mark", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_metric_dirty")),
    )
    op.create_index(op.f("ix_metric_dirty_county_code"), "metric_dirty", ["county_code"], unique=False)
    op.create_table(
        "metric_facts",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("part", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.Column("callbacks", sa.SmallInteger(), nullable=False),
        sa.Column("satisfied", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "part", name=op.f("pk_metric_facts")),
    )
    op.create_index("ix_metric_facts_county_path_day", "metric_facts", ["county_code", "path", "day"], unique=False)
    op.create_table(
        "metric_rollups",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column(
            "parent_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("intake", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_first", sa.Integer(), nullable=False),
        sa.Column("closed_on_time", sa.Integer(), nullable=False),
        sa.Column("closed_local", sa.Integer(), nullable=False),
        sa.Column("mediated", sa.Integer(), nullable=False),
        sa.Column("mediated_ok", sa.Integer(), nullable=False),
        sa.Column("disputes", sa.Integer(), nullable=False),
        sa.Column("screened", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("village_closed", sa.Integer(), nullable=False),
        sa.Column("village_head_joined", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("reworked", sa.Integer(), nullable=False),
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.Column("callbacks", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "county_code", "dimension", "parent_path", "day", "path", "value", name=op.f("pk_metric_rollups")
        ),
    )
    op.create_index(
        "ix_metric_rollups_depth", "metric_rollups", ["county_code", "dimension", "depth", "day"], unique=False
    )
    op.create_index(
        "ix_metric_rollups_path", "metric_rollups", ["county_code", "dimension", "path", "day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_metric_rollups_path", table_name="metric_rollups")
    op.drop_index("ix_metric_rollups_depth", table_name="metric_rollups")
    op.drop_table("metric_rollups")
    op.drop_index("ix_metric_facts_county_path_day", table_name="metric_facts")
    op.drop_table("metric_facts")
    op.drop_index(op.f("ix_metric_dirty_county_code"), table_name="metric_dirty")
    op.drop_table("metric_dirty")
