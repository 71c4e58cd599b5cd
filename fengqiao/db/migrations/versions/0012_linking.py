"""linking at scale: hashed blocking keys without an identity index, text signatures by block instead of band rows

Revision ID: 0012_linking
Revises: 0011_alerts
Create Date: 2026-11-22

The keys and signatures are derived data: both are rebuilt here from the links and the events' texts (with the
functions linking uses today), so identities keep being found and similar events keep being shown.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0012_linking"
down_revision: str | None = "0011_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 10_000


def upgrade() -> None:
    with op.batch_alter_table("text_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_text_bands_bucket")
    op.drop_table("text_bands")
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_keys_identity")
    op.drop_table("identity_keys")

    op.create_table(
        "identity_keys",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("key_hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("identity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("county_code", "key_hash", "identity_id", name=op.f("pk_identity_keys")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "text_signatures",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("town", sa.String(length=24), nullable=False),
        sa.Column("registered_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "town", "registered_at", "event_id", name=op.f("pk_text_signatures")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Links stored in their primary key: one B-tree fewer to write per link.
        with op.batch_alter_table(
            "party_links", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ) as batch_op:
            batch_op.drop_constraint("fk_party_links_identity_id_identities", type_="foreignkey")
    else:
        with op.batch_alter_table("party_links", schema=None) as batch_op:
            batch_op.drop_constraint("fk_party_links_identity_id_identities", type_="foreignkey")
    _rebuild()


def _rebuild() -> None:
    """Keys from every link's facts, signatures from every event's text, a chunk at a time."""
    from sqlalchemy.orm import Session

    from fengqiao.linking import service

    with Session(bind=op.get_bind()) as session:
        db = service._Db(session)
        keys: set[tuple[str, int, int]] = set()
        for county, kind, identity_id, name, id_number, phone, credit_code in db.rows(
            "SELECT l.county_code, i.kind, l.identity_id, l.name, l.id_number, l.phone, l.credit_code "
            "FROM party_links l JOIN identities i ON i.id = l.identity_id"
        ):
            facts = service.PartyFacts(name, id_number, phone, credit_code)
            for key in service.keys_of(service.PartyKind(kind), facts):
                keys.add((county, service.key_hash(key), identity_id))
        db.insert("identity_keys", service._KEY_COLUMNS, sorted(keys))
        ids = [row[0] for row in db.rows("SELECT id FROM events ORDER BY id")]
        for start in range(0, len(ids), _CHUNK):
            service.sign_texts(session=session, event_ids=ids[start : start + _CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("party_links", recreate="auto") as batch_op:
        batch_op.create_foreign_key("fk_party_links_identity_id_identities", "identities", ["identity_id"], ["id"])
    op.drop_table("text_signatures")
    op.drop_table("identity_keys")
    op.create_table(
        "identity_keys",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column(
            "key", sa.String(length=96).with_variant(sa.String(length=96, collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name=op.f("fk_identity_keys_identity_id_identities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("county_code", "key", "identity_id", name=op.f("pk_identity_keys")),
    )
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.create_index("ix_identity_keys_identity", ["identity_id"], unique=False)
    op.create_table(
        "text_bands",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_text_bands_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "band", name=op.f("pk_text_bands")),
    )
    with op.batch_alter_table("text_bands", schema=None) as batch_op:
        batch_op.create_index("ix_text_bands_bucket", ["county_code", "bucket"], unique=False)
