"""ordered text: code-point collation for paths and addresses on PostgreSQL; index on room addresses

Revision ID: 0004_ordered_text
Revises: 0003_events
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_ordered_text"
down_revision: str | None = "0003_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, length): columns queried by prefix range, which needs code-point order.
ORDERED = (
    ("units", "path", 160),
    ("events", "location_path", 160),
    ("buildings", "standard_address", 128),
    ("rooms", "standard_address", 160),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, length in ORDERED:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE "C"')
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_standard_address"), ["standard_address"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_standard_address"))
    if op.get_bind().dialect.name == "postgresql":
        for table, column, length in ORDERED:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE "default"')
