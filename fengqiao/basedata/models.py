"""Table models of base data. Every row keeps ``county_code``: a province-scale deployment partitions by it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.db.base import Base
from fengqiao.db.types import ordered_text


class Building(Base):
    """A building (楼址) with its standard address. ``road`` is a road or, for village houses, the village name."""

    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    grid_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    road: Mapped[str] = mapped_column(String(32))
    house_number: Mapped[int] = mapped_column(Integer)
    estate: Mapped[str | None] = mapped_column(String(32))
    building_no: Mapped[int | None] = mapped_column(SmallInteger)
    name: Mapped[str | None] = mapped_column(String(64))
    standard_address: Mapped[str] = mapped_column(ordered_text(128), index=True)
    floors: Mapped[int] = mapped_column(SmallInteger)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_buildings_county_road", "county_code", "road"),)


class Room(Base):
    """A room (户室) inside a building."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    unit_no: Mapped[int | None] = mapped_column(SmallInteger)
    floor: Mapped[int] = mapped_column(SmallInteger)
    room_no: Mapped[str] = mapped_column(String(8))
    standard_address: Mapped[str] = mapped_column(ordered_text(160), index=True)
    is_rental: Mapped[bool] = mapped_column(Boolean, default=False)


class Resident(Base):
    """A person living in the county: registered (户籍) or floating (流动). ``id_number`` is the GB 11643 number."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(32), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    population_type: Mapped[str] = mapped_column(String(12))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)


class Rental(Base):
    """A room let to tenants (出租房), with its landlord."""

    __tablename__ = "rentals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), unique=True)
    landlord_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    max_occupants: Mapped[int] = mapped_column(SmallInteger)
    monthly_rent: Mapped[int] = mapped_column(Integer)


class Enterprise(Base):
    """An enterprise with its unified social credit code (统一社会信用代码, GB 32100)."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(64), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(32))
    employee_count: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
