"""Reading base data: buildings, rooms, standard addresses, and what lies within each unit."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building, Enterprise, Resident, Room
from fengqiao.basedata.schemas import (
    AddressMatch,
    AddressSearchResult,
    BuildingDetail,
    EnterpriseBrief,
    RoomPage,
    RoomSummary,
    SubunitCounts,
    TerritoryCounts,
    TerritoryOverview,
    building_kind_label,
)
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction import service as jurisdiction
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.jurisdiction.schemas import LonLat, UnitRef

# Standard addresses are stored from the town name down; people type them from the province down.
ADDRESS_ADMIN_PREFIXES: tuple[str, ...] = ("浙江省", "台州市", "温岭市")
MIN_ADDRESS_PREFIX = 2
_MEASURES = ("villages", "grids", "buildings", "residents")


_SURROGATES = range(0xD800, 0xE000)


def prefix_successor(prefix: str) -> str:
    """The least string greater than every string that starts with ``prefix``, in code point order."""
    while prefix and ord(prefix[-1]) == 0x10FFFF:
        prefix = prefix[:-1]
    if not prefix:
        raise ValueError("a prefix range needs a non-empty prefix")
    following = ord(prefix[-1]) + 1
    if following in _SURROGATES:
        # Surrogates cannot be stored; U+E000 follows U+D7FF in UTF-8 byte order as well.
        following = 0xE000
    return prefix[:-1] + chr(following)


def starts_with(column: SQLColumnExpression[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range a b-tree index answers on SQLite and PostgreSQL alike.

    LIKE 'p%' uses no plain index (SQLite's LIKE ignores case; PostgreSQL needs the C collation or pattern ops), and a
    range needs no escaping of % or _. The upper bound is the prefix's successor rather than p || U+FFFF so that
    addresses continuing with a rare character outside the BMP (生僻字 in village names) are found too. Order is by
    code point: the C collation on PostgreSQL, the default on SQLite.
    """
    return and_(column >= prefix, column < prefix_successor(prefix))


def building_not_found(building_id: int) -> NotFound:
    return NotFound(
        f"未找到编号为 {building_id} 的楼栋", code="building_not_found", details={"building_id": building_id}
    )


def _in_scope(path: str, scope: Sequence[str] | None) -> bool:
    return scope is None or any(path.startswith(prefix) for prefix in scope)


def _scope_condition(scope: Sequence[str] | None) -> ColumnElement[bool]:
    """Units whose path lies in ``scope`` (None: all of them)."""
    if scope is None:
        return true()
    return or_(false(), *(under_path(Unit.path, prefix) for prefix in scope))


def get_building(*, session: Session, building_id: int, scope: Sequence[str] | None = None) -> Building:
    building = session.get(Building, building_id)
    if building is None:
        raise building_not_found(building_id)
    if scope is not None:
        grid = session.get(Unit, building.grid_id)
        if grid is None or not _in_scope(grid.path, scope):
            raise building_not_found(building_id)  # the same answer as for a building that does not exist
    return building


def get_building_detail(*, session: Session, building_id: int, scope: Sequence[str] | None = None) -> BuildingDetail:
    building = get_building(session=session, building_id=building_id, scope=scope)
    grid = session.get(Unit, building.grid_id)
    assert grid is not None  # a foreign key guarantees it
    chain = {u.kind: UnitRef.of(u) for u in jurisdiction.ancestors(session=session, unit=grid)}
    room_count, rental_count = session.execute(
        select(func.count(Room.id), func.count(Room.id).filter(Room.is_rental.is_(True))).where(
            Room.building_id == building.id
        )
    ).one()
    resident_count = session.scalar(
        select(func.count(Resident.id)).join(Room, Resident.room_id == Room.id).where(Room.building_id == building.id)
    )
    enterprises = session.scalars(
        select(Enterprise).where(Enterprise.building_id == building.id).order_by(Enterprise.name, Enterprise.id)
    )
    return BuildingDetail(
        id=building.id,
        standard_address=building.standard_address,
        kind=building.kind,
        kind_label=building_kind_label(building.kind),
        name=building.name,
        road=building.road,
        house_number=building.house_number,
        estate=building.estate,
        building_no=building.building_no,
        floors=building.floors,
        location=LonLat(lon=building.lon, lat=building.lat),
        grid=UnitRef.of(grid),
        village=chain.get(UnitKind.VILLAGE.value),
        town=chain.get(UnitKind.TOWN.value),
        room_count=room_count,
        rental_room_count=rental_count,
        resident_count=resident_count or 0,
        enterprises=[
            EnterpriseBrief(
                id=e.id, name=e.name, credit_code=e.credit_code, industry=e.industry, employee_count=e.employee_count
            )
            for e in enterprises
        ],
    )


def list_rooms(
    *, session: Session, building_id: int, limit: int, offset: int, scope: Sequence[str] | None = None
) -> RoomPage:
    get_building(session=session, building_id=building_id, scope=scope)
    total = session.scalar(select(func.count(Room.id)).where(Room.building_id == building_id)) or 0
    residents = select(func.count(Resident.id)).where(Resident.room_id == Room.id).correlate(Room).scalar_subquery()
    rows = session.execute(
        select(Room, residents)
        .where(Room.building_id == building_id)
        .order_by(func.coalesce(Room.unit_no, 0), Room.floor, Room.room_no, Room.id)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [
        RoomSummary(
            id=room.id,
            unit_no=room.unit_no,
            floor=room.floor,
            room_no=room.room_no,
            standard_address=room.standard_address,
            is_rental=room.is_rental,
            resident_count=count or 0,
        )
        for room, count in rows
    ]
    return RoomPage(building_id=building_id, total=total, limit=limit, offset=offset, items=items)


def normalize_address_prefix(raw: str) -> str:
    """Full-width forms folded (NFKC), whitespace removed, and the province/city/county names taken off the front."""
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    for admin in ADDRESS_ADMIN_PREFIXES:
        text = text.removeprefix(admin)
    return text


def search_addresses(
    *, session: Session, prefix: str, limit: int, scope: Sequence[str] | None = None
) -> AddressSearchResult:
    """Buildings and rooms whose standard address starts with ``prefix``, in address order (a building before its
    rooms). Each table is read through an index range, never a LIKE scan."""
    normalized = normalize_address_prefix(prefix)
    if len(normalized) < MIN_ADDRESS_PREFIX:
        raise InvalidInput(
            f"地址前缀过短：去掉“浙江省台州市温岭市”和空白后至少需要 {MIN_ADDRESS_PREFIX} 个字，如“泽国镇”",
            code="address_prefix_too_short",
            details={"prefix": normalized, "min_length": MIN_ADDRESS_PREFIX},
        )
    buildings = session.execute(
        select(Building.id, Building.standard_address)
        .join(Unit, Unit.id == Building.grid_id)
        .where(starts_with(Building.standard_address, normalized), _scope_condition(scope))
        .order_by(Building.standard_address, Building.id)
        .limit(limit + 1)
    ).all()
    rooms = session.execute(
        select(Room.id, Room.building_id, Room.standard_address)
        .join(Building, Building.id == Room.building_id)
        .join(Unit, Unit.id == Building.grid_id)
        .where(starts_with(Room.standard_address, normalized), _scope_condition(scope))
        .order_by(Room.standard_address, Room.id)
        .limit(limit + 1)
    ).all()
    matches = [
        *(
            AddressMatch(kind="building", id=b.id, building_id=b.id, standard_address=b.standard_address)
            for b in buildings
        ),
        *(
            AddressMatch(kind="room", id=r.id, building_id=r.building_id, standard_address=r.standard_address)
            for r in rooms
        ),
    ]
    matches.sort(key=lambda m: (m.standard_address, m.kind != "building", m.id))
    return AddressSearchResult(prefix=normalized, has_more=len(matches) > limit, items=matches[:limit])


def territory_overview(*, session: Session, code: str) -> TerritoryOverview:
    """Counts of villages, grids, buildings and residents in each territorial child of a unit, and in the unit.

    Everything under the unit is found by path range; each count is then credited to the child whose code follows
    the unit's path — three grouped queries whatever the number of children.
    """
    parent = jurisdiction.get_unit(session=session, code=code)
    children = list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id == parent.id, Unit.kind.in_(jurisdiction.TERRITORIAL_KINDS))
            .order_by(Unit.code)
        )
    )
    within = under_path(Unit.path, parent.path)
    tallies: dict[str, Counter[str]] = {measure: Counter() for measure in _MEASURES}
    for path, kind in session.execute(
        select(Unit.path, Unit.kind).where(
            jurisdiction.under(parent), Unit.kind.in_((UnitKind.VILLAGE.value, UnitKind.GRID.value))
        )
    ):
        tallies["villages" if kind == UnitKind.VILLAGE.value else "grids"][path] += 1
    for path, count in session.execute(
        select(Unit.path, func.count(Building.id))
        .join(Building, Building.grid_id == Unit.id)
        .where(within)
        .group_by(Unit.path)
    ):
        tallies["buildings"][path] += count
    for path, count in session.execute(
        select(Unit.path, func.count(Resident.id))
        .select_from(Resident)
        .join(Room, Resident.room_id == Room.id)
        .join(Building, Room.building_id == Building.id)
        .join(Unit, Building.grid_id == Unit.id)
        .where(within)
        .group_by(Unit.path)
    ):
        tallies["residents"][path] += count

    def child_code(path: str) -> str:
        return path[len(parent.path) :].split("/", 1)[0]

    per_child: dict[str, Counter[str]] = {child.code: Counter() for child in children}
    totals: Counter[str] = Counter()
    for measure, counter in tallies.items():
        for path, count in counter.items():
            totals[measure] += count
            if (bucket := per_child.get(child_code(path))) is not None:
                bucket[measure] += count
    rows = [SubunitCounts(unit=UnitRef.of(child), **_counts(per_child[child.code])) for child in children]
    return TerritoryOverview(
        unit=UnitRef.of(parent),
        breadcrumb=[UnitRef.of(u) for u in jurisdiction.ancestors(session=session, unit=parent)],
        rows=rows,
        totals=TerritoryCounts(**_counts(totals)),
    )


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {measure: counter[measure] for measure in _MEASURES}
