"""classifier: stored model versions and classification corrections

Revision ID: 0005_classifier
Revises: 0004_ordered_text
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0005_classifier"
down_revision: str | None = "0004_ordered_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classifier_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trained_on", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("model_format", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("model_bytes", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_models")),
        sa.UniqueConstraint("version", name=op.f("uq_classifier_models_version")),
    )
    with op.batch_alter_table("classifier_models", schema=None) as batch_op:
        batch_op.create_index("ix_classifier_models_is_active", ["is_active"], unique=False)

    op.create_table(
        "classification_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_category", sa.String(length=32), nullable=True),
        sa.Column("predicted_subcategory", sa.String(length=48), nullable=True),
        sa.Column("corrected_category", sa.String(length=32), nullable=False),
        sa.Column("corrected_subcategory", sa.String(length=48), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_classification_corrections_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"], ["staff.id"], name=op.f("fk_classification_corrections_corrected_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_corrections")),
    )
    with op.batch_alter_table("classification_corrections", schema=None) as batch_op:
        batch_op.create_index("ix_classification_corrections_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_classification_corrections_event_id", ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("classification_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_classification_corrections_event_id")
        batch_op.drop_index("ix_classification_corrections_created_at")
    op.drop_table("classification_corrections")
    with op.batch_alter_table("classifier_models", schema=None) as batch_op:
        batch_op.drop_index("ix_classifier_models_is_active")
    op.drop_table("classifier_models")
