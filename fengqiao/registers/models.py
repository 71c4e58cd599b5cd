"""Tables of the key registers: key projects (with parties, progress entries and task force), key persons (with
visits), key places, and the links of events to register entries. Every row keeps ``county_code``; every entry keeps
the ``unit_path`` of its unit, which is how it is scoped to a viewer's jurisdiction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class KeyProject(Base):
    """A key project (重点项目): ``code`` is its standard code (county-subclass-sequence)."""

    __tablename__ = "key_projects"
    __table_args__ = (
        UniqueConstraint("county_code", "code"),
        Index("ix_key_projects_scope", "county_code", "status", "unit_path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(24))
    class_code: Mapped[str] = mapped_column(String(2))
    subclass_code: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(ordered_text(160))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # Other names the project goes by in reports (楼盘名, 工地名): an event's text naming one is linked.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    risk_level: Mapped[str] = mapped_column(String(8), default="medium")
    progress_percent: Mapped[int] = mapped_column(SmallInteger, default=0)
    stage: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    parties: Mapped[list[KeyProjectParty]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="KeyProjectParty.id"
    )
    progress: Mapped[list[KeyProjectProgress]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="KeyProjectProgress.id.desc()"
    )
    members: Mapped[list[KeyProjectMember]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="KeyProjectMember.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads a plain dict)


class KeyProjectParty(Base):
    """An enterprise or person involved in a project (建设单位, 施工单位, 开发商 …). Matched to events by credit code or
    ID number, and by the identity those resolve to."""

    __tablename__ = "key_project_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # organisation | person
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"), index=True)

    project: Mapped[KeyProject] = relationship(back_populates="parties")


class KeyProjectProgress(Base):
    """One progress entry (工程进度晾晒): a percent and/or a stage, with a note and who wrote it."""

    __tablename__ = "key_project_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    percent: Mapped[int | None] = mapped_column(SmallInteger)
    stage: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    project: Mapped[KeyProject] = relationship(back_populates="progress")


class KeyProjectMember(Base):
    """A seat of the project's task force (风险处置专班): a role preset by the taxonomy, filled by a staff member."""

    __tablename__ = "key_project_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    is_lead: Mapped[bool] = mapped_column(default=False)

    project: Mapped[KeyProject] = relationship(back_populates="members")


class KeyPerson(Base):
    """A key person (重点人员). Restricted categories (mental health …) keep the category only: no diagnosis."""

    __tablename__ = "key_persons"
    __table_args__ = (
        UniqueConstraint("county_code", "id_number", "category"),
        Index("ix_key_persons_scope", "county_code", "status", "unit_path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8), default="medium")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(ordered_text(160))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    visits: Mapped[list[KeyPersonVisit]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="KeyPersonVisit.id.desc()"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class KeyPersonVisit(Base):
    """One visit (走访) to a key person."""

    __tablename__ = "key_person_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    person_id: Mapped[int] = mapped_column(ForeignKey("key_persons.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # stable | attention | unreachable
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[KeyPerson] = relationship(back_populates="visits")


class KeyPlace(Base):
    """A key place (重点场所): a building (or a room in it) or an area named by aliases."""

    __tablename__ = "key_places"
    __table_args__ = (Index("ix_key_places_scope", "county_code", "status", "unit_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8), default="medium")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(ordered_text(160))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RegisterLink(Base):
    """An event touching a register entry, with why; ``risk_before``/``risk_after`` record a raise of the event's
    risk level (the event timeline has no action for it yet, so this row is the record)."""

    __tablename__ = "register_links"
    __table_args__ = (
        UniqueConstraint("event_id", "entry_kind", "entry_id"),
        Index("ix_register_links_entry", "entry_kind", "entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    entry_kind: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(200))
    risk_before: Mapped[str] = mapped_column(String(8))
    risk_after: Mapped[str] = mapped_column(String(8))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
