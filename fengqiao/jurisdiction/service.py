"""Reading the jurisdiction tree: units, their chains, boundaries, and which unit holds a point."""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.geometry import load_boundary, to_geojson_geometry
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS, UnitKind
from fengqiao.jurisdiction.locator import grid_locator
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.jurisdiction.schemas import (
    KindCount,
    LocateResult,
    UnitDetail,
    UnitFeature,
    UnitFeatureCollection,
    UnitFeatureProperties,
    UnitPage,
    UnitRef,
    UnitSummary,
    kind_label,
)

TERRITORIAL_KINDS: tuple[str, ...] = tuple(kind.value for kind in TERRITORIAL_LEVELS)


def under(unit: Unit) -> ColumnElement[bool]:
    """Units strictly below ``unit`` in the tree."""
    return and_(under_path(Unit.path, unit.path), Unit.id != unit.id)


def unit_not_found(code: str) -> NotFound:
    return NotFound(f"未找到代码为“{code}”的单位", code="unit_not_found", details={"code": code})


def get_unit(*, session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise unit_not_found(code)
    return unit


def get_units_by_codes(*, session: Session, codes: Sequence[str]) -> list[Unit]:
    if not codes:
        return []
    return list(session.scalars(select(Unit).where(Unit.code.in_(codes)).order_by(Unit.level, Unit.code)))


def ancestors(*, session: Session, unit: Unit) -> list[Unit]:
    """From the county down to ``unit``'s parent, read from its path in one query."""
    codes = [code for code in unit.path.split("/") if code]
    return [u for u in get_units_by_codes(session=session, codes=codes[:-1]) if u.id != unit.id]


def list_units(
    *,
    session: Session,
    kind: UnitKind | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    limit: int,
    offset: int,
) -> UnitPage:
    conditions: list[ColumnElement[bool]] = []
    if kind is not None:
        conditions.append(Unit.kind == kind.value)
    if parent_code is not None:
        conditions.append(Unit.parent_id == get_unit(session=session, code=parent_code).id)
    if q:
        conditions.append(Unit.name.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(Unit).where(*conditions)) or 0
    parent = aliased(Unit)
    rows = session.execute(
        select(Unit, parent.code)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .where(*conditions)
        .order_by(Unit.level, Unit.code)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [UnitSummary.of_unit(unit, parent_code=code_of_parent) for unit, code_of_parent in rows]
    return UnitPage(total=total, limit=limit, offset=offset, items=items)


def list_children(*, session: Session, code: str, kind: UnitKind | None, limit: int, offset: int) -> UnitPage:
    return list_units(session=session, parent_code=code, kind=kind, limit=limit, offset=offset)


def _stations(*, session: Session, unit: Unit) -> tuple[Unit | None, Unit | None]:
    """The joint-duty and police stations serving a unit; a grid is served by its village's."""
    source: Unit = unit
    if unit.kind == UnitKind.GRID and unit.joint_station_id is None and unit.police_station_id is None:
        village = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
        source = village or unit
    joint = session.get(Unit, source.joint_station_id) if source.joint_station_id is not None else None
    police = session.get(Unit, source.police_station_id) if source.police_station_id is not None else None
    return joint, police


def _bbox(unit: Unit) -> tuple[float, float, float, float] | None:
    if unit.min_lon is None or unit.min_lat is None or unit.max_lon is None or unit.max_lat is None:
        return None
    return (unit.min_lon, unit.min_lat, unit.max_lon, unit.max_lat)


def get_unit_detail(*, session: Session, code: str) -> UnitDetail:
    unit = get_unit(session=session, code=code)
    chain = ancestors(session=session, unit=unit)
    children_count = session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id)) or 0
    counts = session.execute(
        select(Unit.kind, func.count()).where(under(unit)).group_by(Unit.kind).order_by(Unit.kind)
    ).all()
    order = {kind.value: i for i, kind in enumerate(UnitKind)}
    descendant_counts = sorted(
        (KindCount(kind=kind, kind_label=kind_label(kind), count=count) for kind, count in counts),
        key=lambda c: order.get(c.kind, len(order)),
    )
    joint, police = _stations(session=session, unit=unit)
    bbox = _bbox(unit)
    parent_code = chain[-1].code if chain and chain[-1].id == unit.parent_id else None
    return UnitDetail(
        **UnitSummary.of_unit(unit, parent_code=parent_code).model_dump(),
        breadcrumb=[UnitRef.of(u) for u in chain],
        children_count=children_count,
        descendant_counts=descendant_counts,
        joint_station=UnitRef.of(joint) if joint else None,
        police_station=UnitRef.of(police) if police else None,
        bbox=bbox,
        has_boundary=unit.boundary is not None,
        phone=unit.phone,
    )


def _feature(unit: Unit, *, precision: int) -> UnitFeature:
    geometry = load_boundary(unit.boundary)
    assert geometry is not None
    return UnitFeature(
        id=unit.code,
        geometry=to_geojson_geometry(geometry, precision=precision),
        properties=UnitFeatureProperties(
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            kind_label=kind_label(unit.kind),
            area_km2=unit.area_km2,
            label_lon=unit.centroid_lon,
            label_lat=unit.centroid_lat,
        ),
    )


def get_boundary(*, session: Session, code: str) -> UnitFeature:
    unit = get_unit(session=session, code=code)
    if unit.boundary is None:
        raise NotFound(f"单位“{unit.name}”（{code}）没有边界数据", code="boundary_not_found", details={"code": code})
    return _feature(unit, precision=6)


def get_children_boundaries(*, session: Session, code: str, kind: UnitKind | None = None) -> UnitFeatureCollection:
    """The children's boundaries for a map; 5 decimals (about 1 m) keep a town's villages small to send.

    Without ``kind``, only the territorial subdivision (towns, villages or grids): the service areas of stations
    overlap it and are asked for by kind.
    """
    parent = get_unit(session=session, code=code)
    kinds = (kind.value,) if kind is not None else TERRITORIAL_KINDS
    children = list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id == parent.id, Unit.kind.in_(kinds), Unit.boundary.is_not(None))
            .order_by(Unit.code)
        )
    )
    features = [_feature(child, precision=5) for child in children]
    boxes = [b for b in map(_bbox, children) if b is not None]
    bbox = None
    if boxes:
        bbox = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    return UnitFeatureCollection(bbox=bbox, features=features)


def locate(*, session: Session, county_code: str, lon: float, lat: float) -> LocateResult:
    """The deepest territorial unit whose boundary covers the point, with its chain up to the county.

    The grid comes from the in-memory grid locator (the one intake and routing use). Only a point in no grid —
    territory not yet divided into grids — is looked up among the coarser units: bounding boxes narrow the
    candidates in SQL, shapely decides among them.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("经纬度超出范围", code="invalid_coordinates", details={"lon": lon, "lat": lat})
    county = get_unit(session=session, code=county_code)
    grid_id = grid_locator(session).locate(lon, lat)
    grid = session.get(Unit, grid_id) if grid_id is not None else None
    found = (
        grid
        if grid is not None and grid.path.startswith(county.path)
        else _coarser_unit_at(session=session, county=county, lon=lon, lat=lat)
    )
    if found is None:
        raise NotFound(
            f"坐标（经度 {lon}，纬度 {lat}）不在{county.name}辖区范围内",
            code="outside_county",
            details={"lon": lon, "lat": lat, "county": county.code},
        )
    chain = [*ancestors(session=session, unit=found), found]
    by_kind = {u.kind: UnitRef.of(u) for u in chain}
    return LocateResult(
        lon=lon,
        lat=lat,
        county=UnitRef.of(county),
        town=by_kind.get(UnitKind.TOWN.value),
        village=by_kind.get(UnitKind.VILLAGE.value),
        grid=by_kind.get(UnitKind.GRID.value),
        chain=[UnitRef.of(u) for u in chain],
    )


def _coarser_unit_at(*, session: Session, county: Unit, lon: float, lat: float) -> Unit | None:
    candidates = session.scalars(
        select(Unit)
        .where(
            under_path(Unit.path, county.path),
            Unit.kind.in_(TERRITORIAL_KINDS),
            Unit.boundary.is_not(None),
            Unit.min_lon <= lon,
            Unit.max_lon >= lon,
            Unit.min_lat <= lat,
            Unit.max_lat >= lat,
        )
        .order_by(Unit.level.desc(), Unit.code)
    ).all()
    point = shapely.Point(lon, lat)
    # Deepest first: the first unit that covers the point is the answer; a point on a shared edge goes to the
    # lower code, so the answer is stable.
    return next((u for u in candidates if (g := load_boundary(u.boundary)) is not None and g.covers(point)), None)
