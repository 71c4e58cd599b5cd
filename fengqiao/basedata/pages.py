"""What the staff base-data pages show: a building with its rooms, residents (masked), rentals, enterprises and events;
a grid (or village, town) with its team, buildings, subunits and open events. Scoped like the rest of base data: a
building or unit outside the viewer's territory answers 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import mask_id_number, mask_name, mask_phone
from fengqiao.accounts.scope import Viewer
from fengqiao.basedata import service
from fengqiao.basedata.kinds import POPULATION_TYPE_LABELS, PopulationType
from fengqiao.basedata.models import Building, Rental, Resident, Room
from fengqiao.basedata.schemas import BuildingDetail, SubunitCounts, building_kind_label
from fengqiao.core.paging import page_count
from fengqiao.duty import service as duty
from fengqiao.duty.schemas import Member
from fengqiao.events import present, queries
from fengqiao.events.models import Event
from fengqiao.events.schemas import EventSummaryOut
from fengqiao.jurisdiction import service as jurisdiction
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.jurisdiction.schemas import UnitRef

ROOMS_PER_PAGE = 30
BUILDINGS_PER_PAGE = 20
EVENTS_SHOWN = 20
TEAM_SHOWN = 100


@dataclass(frozen=True)
class ResidentLine:
    name: str
    id_number: str
    phone: str | None
    population_type: str


@dataclass(frozen=True)
class RentalLine:
    landlord: str
    landlord_phone: str | None
    max_occupants: int
    monthly_rent: int
    registered_on: str


@dataclass(frozen=True)
class RoomLine:
    id: int
    label: str
    floor: int
    is_rental: bool
    residents: list[ResidentLine]
    rental: RentalLine | None


@dataclass(frozen=True)
class BuildingPage:
    building: BuildingDetail
    rooms: list[RoomLine]
    room_total: int
    page: int
    pages: int
    events: list[EventSummaryOut]


@dataclass(frozen=True)
class BuildingLine:
    id: int
    standard_address: str
    kind_label: str
    floors: int
    grid_name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class UnitPage:
    unit: UnitRef
    breadcrumb: list[UnitRef]
    centroid: tuple[float, float] | None
    has_boundary: bool
    team: list[Member]
    children: list[SubunitCounts]
    buildings: list[BuildingLine]
    building_total: int
    page: int
    pages: int
    events: list[EventSummaryOut]
    event_total: int


def _room_label(room: Room) -> str:
    unit = f"{room.unit_no}单元" if room.unit_no else ""
    return f"{unit}{room.room_no}室"


def _population(value: str) -> str:
    try:
        return POPULATION_TYPE_LABELS[PopulationType(value)]
    except ValueError:
        return value


def building_page(*, session: Session, viewer: Viewer, building_id: int, page: int = 1) -> BuildingPage:
    """The building, one page of its rooms with their residents and rentals, and the viewer's events there.

    Residents are always masked here: the page is for finding one's way, unmasking is the events' audited path."""
    detail = service.get_building_detail(session=session, building_id=building_id, scope=viewer.territory)
    room_total = session.scalar(select(func.count(Room.id)).where(Room.building_id == building_id)) or 0
    pages = page_count(room_total, ROOMS_PER_PAGE)
    page = min(max(page, 1), pages)
    rooms = list(
        session.scalars(
            select(Room)
            .where(Room.building_id == building_id)
            .order_by(func.coalesce(Room.unit_no, 0), Room.floor, Room.room_no, Room.id)
            .limit(ROOMS_PER_PAGE)
            .offset((page - 1) * ROOMS_PER_PAGE)
        )
    )
    room_ids = [r.id for r in rooms]
    residents: dict[int, list[ResidentLine]] = {}
    rentals: dict[int, RentalLine] = {}
    if room_ids:
        for resident in session.scalars(
            select(Resident).where(Resident.room_id.in_(room_ids)).order_by(Resident.room_id, Resident.id)
        ):
            assert resident.room_id is not None
            residents.setdefault(resident.room_id, []).append(
                ResidentLine(
                    name=mask_name(resident.name) or "",
                    id_number=mask_id_number(resident.id_number) or "",
                    phone=mask_phone(resident.phone),
                    population_type=_population(resident.population_type),
                )
            )
        for rental, landlord in session.execute(
            select(Rental, Resident)
            .join(Resident, Resident.id == Rental.landlord_id)
            .where(Rental.room_id.in_(room_ids))
        ):
            rentals[rental.room_id] = RentalLine(
                landlord=mask_name(landlord.name) or "",
                landlord_phone=mask_phone(landlord.phone),
                max_occupants=rental.max_occupants,
                monthly_rent=rental.monthly_rent,
                registered_on=rental.registered_on.isoformat(),
            )
    grid = jurisdiction.get_unit(session=session, code=detail.grid.code)
    events = list(
        session.scalars(
            select(Event)
            .where(
                queries.visible(viewer),
                # The grid's path range is indexed; building_id then picks this building's few events.
                under_path(Event.location_path, grid.path),
                Event.building_id == building_id,
            )
            .order_by(Event.registered_at.desc(), Event.id.desc())
            .limit(EVENTS_SHOWN)
        )
    )
    return BuildingPage(
        building=detail,
        rooms=[
            RoomLine(
                id=r.id,
                label=_room_label(r),
                floor=r.floor,
                is_rental=r.is_rental,
                residents=residents.get(r.id, []),
                rental=rentals.get(r.id),
            )
            for r in rooms
        ],
        room_total=room_total,
        page=page,
        pages=pages,
        events=present.summaries(session=session, events=events),
    )


_PAGE_KINDS = frozenset({UnitKind.COUNTY.value, UnitKind.TOWN.value, UnitKind.VILLAGE.value, UnitKind.GRID.value})


def unit_page(*, session: Session, viewer: Viewer, code: str, page: int = 1) -> UnitPage:
    """A grid, village, town (or the county) as its staff see it: team, buildings (paged), open events, and for
    units above a grid their subunits with counts."""
    unit = session.scalar(select(Unit).where(Unit.code == code))
    scope = viewer.territory
    if (
        unit is None
        or unit.kind not in _PAGE_KINDS
        or (scope is not None and not any(unit.path.startswith(p) for p in scope))
    ):
        raise jurisdiction.unit_not_found(code)
    team = duty.list_members(session=session, code=code, limit=TEAM_SHOWN, offset=0, scope=scope).items
    children: list[SubunitCounts] = []
    if unit.kind != UnitKind.GRID.value:
        children = service.territory_overview(session=session, code=code).rows
    is_grid = unit.kind == UnitKind.GRID.value
    where = [Building.grid_id == unit.id] if is_grid else [under_path(Unit.path, unit.path)]
    joined = select(Building, Unit.name).join(Unit, Unit.id == Building.grid_id).where(*where)
    building_total = (
        session.scalar(select(func.count(Building.id)).join(Unit, Unit.id == Building.grid_id).where(*where)) or 0
    )
    pages = page_count(building_total, BUILDINGS_PER_PAGE)
    page = min(max(page, 1), pages)
    rows = session.execute(
        joined.order_by(Building.standard_address, Building.id)
        .limit(BUILDINGS_PER_PAGE)
        .offset((page - 1) * BUILDINGS_PER_PAGE)
    ).all()
    events, event_total = queries.list_events(
        session=session,
        viewer=viewer,
        flt=queries.EventFilter(open_only=True, unit_code=code, sort=queries.SortKey.DEADLINE_ASC),
        limit=EVENTS_SHOWN,
    )
    centroid = (unit.centroid_lon, unit.centroid_lat) if unit.centroid_lon is not None and unit.centroid_lat else None
    return UnitPage(
        unit=UnitRef.of(unit),
        breadcrumb=[UnitRef.of(u) for u in jurisdiction.ancestors(session=session, unit=unit)],
        centroid=centroid,
        has_boundary=unit.boundary is not None,
        team=team,
        children=children,
        buildings=[
            BuildingLine(
                id=b.id,
                standard_address=b.standard_address,
                kind_label=building_kind_label(b.kind),
                floors=b.floors,
                grid_name=grid_name,
                lon=b.lon,
                lat=b.lat,
            )
            for b, grid_name in rows
        ],
        building_total=building_total,
        page=page,
        pages=pages,
        events=present.summaries(session=session, events=events),
        event_total=event_total,
    )
