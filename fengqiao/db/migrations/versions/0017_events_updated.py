"""events: index (county_code, updated_at) for the cockpit's version tag (the county's latest change)

Revision ID: 0017_events_updated
Revises: 0016_indices
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_events_updated"
down_revision: str | None = "0016_indices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_county_updated_at", "events", ["county_code", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_events_county_updated_at", table_name="events")
