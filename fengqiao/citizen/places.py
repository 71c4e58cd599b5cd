"""Place codes (市域共治码): one random token per grid and per building, printed as a QR code that opens the report
form for that place. Tokens are made on demand (``code_for``) or for a whole unit at once (``ensure_codes``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.citizen.models import PlaceCode
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path

# 96 random bits, URL-safe: a printed code reveals nothing about its neighbours.
TOKEN_BYTES = 12
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{8,32}$"


class PlaceKind(StrEnum):
    GRID = "grid"
    BUILDING = "building"


PLACE_KIND_LABELS = {PlaceKind.GRID: "网格", PlaceKind.BUILDING: "楼栋"}


@dataclass(frozen=True)
class Place:
    """What a token stands for: the grid it lies in, and the building when it is a building's code."""

    code: PlaceCode
    grid: Unit
    building: Building | None
    # From the town down to the grid, e.g. ("泽国镇", "泽国东村", "泽国东村第1网格").
    area_names: tuple[str, ...]

    @property
    def title(self) -> str:
        if self.building is not None:
            return self.building.name or self.building.standard_address
        return self.grid.name

    @property
    def address(self) -> str:
        if self.building is not None:
            return self.building.standard_address
        return "".join(self.area_names[:-1]) or self.grid.name


def url_path(token: str) -> str:
    return f"/q/{token}"


def report_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + url_path(token)


def code_not_found() -> NotFound:
    return NotFound("该二维码无效或已停用，请扫描现场张贴的最新二维码，或拨打12345反映", code="place_code_not_found")


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def resolve(*, session: Session, token: str) -> Place:
    """The place behind a scanned token; an unknown token is a Chinese 404."""
    code = session.scalars(select(PlaceCode).where(PlaceCode.token == token)).one_or_none()
    if code is None:
        raise code_not_found()
    building: Building | None = None
    if code.building_id is not None:
        building = session.get(Building, code.building_id)
        grid_id = building.grid_id if building is not None else None
    else:
        grid_id = code.unit_id
    grid = session.get(Unit, grid_id) if grid_id is not None else None
    if grid is None:
        raise code_not_found()
    return Place(code=code, grid=grid, building=building, area_names=_area_names(session, grid))


def _area_names(session: Session, grid: Unit) -> tuple[str, ...]:
    codes = [c for c in grid.path.split("/") if c][1:]  # below the county
    names = {u.code: u.name for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    return tuple(names.get(c, c) for c in codes)


def code_for(*, session: Session, grid: Unit | None = None, building: Building | None = None) -> PlaceCode:
    """The place code of one grid or one building, made now if it has none yet."""
    if (grid is None) == (building is None):
        raise ValueError("give exactly one of grid and building")
    if grid is not None:
        if grid.kind != UnitKind.GRID.value:
            raise InvalidInput("只有网格可以生成网格共治码", code="not_a_grid")
        return ensure_codes(session=session, kind=PlaceKind.GRID, ids=[grid.id], county_code=grid.county_code)[0]
    assert building is not None
    return ensure_codes(session=session, kind=PlaceKind.BUILDING, ids=[building.id], county_code=building.county_code)[
        0
    ]


def ensure_codes(*, session: Session, kind: PlaceKind, ids: Sequence[int], county_code: str) -> list[PlaceCode]:
    """The codes of these grids (unit ids) or buildings, in the order given, creating the missing ones in bulk.

    Two writers creating the same place's code at once: the unique constraint lets one win and the other fails
    its transaction, which the caller retries (printing is not a hot path)."""
    column = PlaceCode.unit_id if kind == PlaceKind.GRID else PlaceCode.building_id
    existing: dict[int, PlaceCode] = {}
    unique_ids = list(dict.fromkeys(ids))
    for start in range(0, len(unique_ids), 500):
        chunk = unique_ids[start : start + 500]
        for code in session.scalars(select(PlaceCode).where(column.in_(chunk))):
            key = code.unit_id if kind == PlaceKind.GRID else code.building_id
            assert key is not None
            existing[key] = code
    created = []
    for place_id in unique_ids:
        if place_id in existing:
            continue
        code = PlaceCode(county_code=county_code, token=_new_token(), kind=kind.value)
        if kind == PlaceKind.GRID:
            code.unit_id = place_id
        else:
            code.building_id = place_id
        existing[place_id] = code
        created.append(code)
    if created:
        session.add_all(created)
        session.flush()
    return [existing[i] for i in ids]


def rotate(*, session: Session, code: PlaceCode) -> PlaceCode:
    """Replace a leaked or abused code's token: the old printed codes stop working, new ones must be printed."""
    code.token = _new_token()
    session.flush()
    return code


@dataclass(frozen=True)
class SheetEntry:
    token: str
    title: str
    address: str


def places_under(*, session: Session, unit: Unit, kind: PlaceKind) -> list[SheetEntry]:
    """Every grid or every building under ``unit`` (itself included when it is a grid), with its code, in code
    order — what a printed sheet shows."""
    if unit.kind not in {k.value for k in (UnitKind.COUNTY, UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)}:
        raise InvalidInput("只能按县、镇(街道)、村(社区)或网格打印共治码", code="not_a_territorial_unit")
    grids = list(
        session.scalars(
            select(Unit).where(under_path(Unit.path, unit.path), Unit.kind == UnitKind.GRID.value).order_by(Unit.code)
        )
    )
    if not grids:
        return []
    village_names = {
        u.code: u.name
        for u in session.scalars(
            select(Unit).where(Unit.code.in_({c for g in grids for c in g.path.split("/")[1:3] if c}))
        )
    }

    def area(grid: Unit) -> str:
        codes = [c for c in grid.path.split("/") if c][1:3]
        return "".join(village_names.get(c, "") for c in codes)

    if kind == PlaceKind.GRID:
        codes = ensure_codes(session=session, kind=kind, ids=[g.id for g in grids], county_code=unit.county_code)
        return [SheetEntry(c.token, g.name, area(g)) for g, c in zip(grids, codes, strict=True)]
    by_id = {g.id: g for g in grids}
    buildings: list[Building] = []
    grid_ids = list(by_id)
    for start in range(0, len(grid_ids), 500):
        buildings.extend(session.scalars(select(Building).where(Building.grid_id.in_(grid_ids[start : start + 500]))))
    buildings.sort(key=lambda b: (by_id[b.grid_id].code, b.standard_address, b.id))
    codes = ensure_codes(session=session, kind=kind, ids=[b.id for b in buildings], county_code=unit.county_code)
    return [
        SheetEntry(
            c.token,
            b.name or b.standard_address,
            f"{b.standard_address}（{by_id[b.grid_id].name}）" if b.name else by_id[b.grid_id].name,
        )
        for b, c in zip(buildings, codes, strict=True)
    ]
