"""Tables of linking: resolved identities (persons and organisations), which event party is which identity and why,
the blocking keys that find candidates in milliseconds, and the text signatures that find similar matters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


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
    __table_args__ = (Index("ix_party_links_identity_time", "identity_id", "event_time"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
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
    """Blocking keys: an ID number, its halves with the name (typo candidates), a phone, an organisation's name core.
    A new party is compared only with identities sharing a key."""

    __tablename__ = "identity_keys"
    __table_args__ = (Index("ix_identity_keys_identity", "identity_id"),)

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    key: Mapped[str] = mapped_column(ordered_text(96), primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)


class IdentitySeparation(Base):
    """Two identities a person split apart: the rules never join them again."""

    __tablename__ = "identity_separations"

    first_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TextBand(Base):
    """Locality-sensitive hashing of an event's text: one row per band of its MinHash signature. Events sharing a
    bucket are candidates for 类案串联 (then checked on their texts)."""

    __tablename__ = "text_bands"
    __table_args__ = (Index("ix_text_bands_bucket", "county_code", "bucket"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    bucket: Mapped[int] = mapped_column(BigInteger)
