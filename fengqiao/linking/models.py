"""Tables of linking: resolved identities (persons and organisations), which event party is which identity and why,
the blocking keys that find candidates in milliseconds, and the text signatures that find similar matters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class Identity(Base):
    """One person or organisation as the county knows them across events (人员／组织画像)."""

    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))  # person | organisation
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    party_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PartyLink(Base):
    """Which identity a party of an event is, with the rule's reasons; ``method`` tells a rule's link from a person's.
    ``slot`` 0 is the event's reporter (反映人, kept on the event itself); any other slot is an event_parties id."""

    __tablename__ = "party_links"
    # On SQLite stored in its primary key (WITHOUT ROWID): a link written is two B-tree entries, not three.
    __table_args__ = (
        Index("ix_party_links_identity_time", "identity_id", "event_time"),
        {"sqlite_with_rowid": False},
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    # No foreign key: on PostgreSQL its check is a trigger query per row, which doubled the cost of writing links.
    # Links are written by the resolver with identities it has just stored, and a merge repoints them first.
    identity_id: Mapped[int] = mapped_column(Integer)
    # The event's registration time, copied so that "events of this person in the last 90 days" is one index range.
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    method: Mapped[str] = mapped_column(String(8), default="rule")  # rule | new | staff
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdentityKey(Base):
    """Blocking keys: an ID number's halves (one with the name: typo candidates), a phone, an organisation's name core
    — each as a stable 63-bit hash of its text, so that the index holds small fixed-size entries. A new party is
    compared only with identities sharing a key; a hash collision only adds a candidate that the rules then reject.

    The primary key is the only index (on SQLite the table is stored in it, WITHOUT ROWID): one B-tree write per
    key. An identity's keys are found again from its links' facts, not through an index on ``identity_id``."""

    __tablename__ = "identity_keys"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (SQLAlchemy reads it from the class)

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # No foreign key: deleting an identity would then scan this table for its keys. A key whose identity is gone
    # is skipped by the candidate lookup.
    identity_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class IdentitySeparation(Base):
    """Two identities a person split apart: the rules never join them again."""

    __tablename__ = "identity_separations"

    first_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TextSignature(Base):
    """An event's text as a MinHash signature, filed by block — county, town, registration time — so that similar
    matters are looked for among the signatures of the same town in a time window, compared in memory (LSH bands
    and the estimated similarity), then checked on their texts. One row per event, stored in block order (on SQLite
    the table is its primary key, WITHOUT ROWID): a block is one range read. No foreign key to the event: a
    signature whose event is gone finds no text and drops out."""

    __tablename__ = "text_signatures"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (SQLAlchemy reads it from the class)

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    town: Mapped[str] = mapped_column(String(24), primary_key=True)  # the town's code; "" for an event not in one
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
