"""risk warnings: room for the longest rule code (48 characters) in the warning's kind

Revision ID: 0015_warning_kind
Revises: 0014_reports
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_warning_kind"
down_revision: str | None = "0014_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_warnings") as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=24), type_=sa.String(length=48))


def downgrade() -> None:
    with op.batch_alter_table("risk_warnings") as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=48), type_=sa.String(length=24))
