"""Device import from CSV or Excel (.xlsx) with Chinese headers, as vendors and towns hand them over.

Headers (any order; unknown columns are ignored): 设备编号, 设备类型, 设备名称, 点位, 楼栋/地址, 经度, 纬度, 责任人,
联系电话, 型号, 厂商, 心跳间隔(秒). 设备类型 takes the Chinese names (烟感, 溺水/水域, 禁入区, 重点人员) or the codes.
A 楼栋/地址 that is a standard address of a registered building places the device in that building (and its grid);
otherwise it is kept as the installation address and the coordinates place the device. Every bad row is reported
with its spreadsheet row number and a Chinese reason; good rows are registered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts.devices import RegisterResult, bulk_register
from fengqiao.alerts.kinds import AlertKind
from fengqiao.basedata.models import Building
from fengqiao.core.errors import InvalidInput

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024

HEADERS: dict[str, str] = {
    "设备编号": "code",
    "设备类型": "kind",
    "设备名称": "name",
    "点位": "place",
    "点位名称": "place",
    "楼栋/地址": "address",
    "楼栋": "address",
    "地址": "address",
    "安装地址": "address",
    "经度": "lon",
    "纬度": "lat",
    "责任人": "owner_name",
    "联系电话": "owner_phone",
    "型号": "model",
    "厂商": "vendor",
    "心跳间隔(秒)": "heartbeat_seconds",
    "心跳间隔（秒）": "heartbeat_seconds",
}
REQUIRED = ("code", "kind")
KIND_NAMES: dict[str, AlertKind] = {
    "烟感": AlertKind.SMOKE,
    "智能烟感": AlertKind.SMOKE,
    "烟雾报警器": AlertKind.SMOKE,
    "溺水": AlertKind.DROWNING,
    "防溺水": AlertKind.DROWNING,
    "水域": AlertKind.DROWNING,
    "水域监控": AlertKind.DROWNING,
    "溺水感知": AlertKind.DROWNING,
    "禁入区": AlertKind.INTRUSION,
    "禁入区监控": AlertKind.INTRUSION,
    "闯入": AlertKind.INTRUSION,
    "重点人员": AlertKind.KEY_PERSON,
    "重点人员识别": AlertKind.KEY_PERSON,
}


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"新增{self.created}台，更新{self.updated}台"
        return text + (f"，{len(self.errors)}行有误未导入" if self.errors else "")


def import_devices(
    *, session: Session, filename: str, content: bytes, county_code: str, scope: Sequence[str] | None = None
) -> ImportReport:
    """Read a .csv or .xlsx file and register its devices (within ``scope``, see ``bulk_register``); does not
    commit."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("文件过大（最大50MB）", code="file_too_large")
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = list(_xlsx_rows(content))
    elif lower.endswith((".csv", ".txt")):
        table = list(_csv_rows(content))
    else:
        raise InvalidInput("仅支持CSV或Excel（.xlsx）文件", code="unsupported_file_type")
    if not table:
        raise InvalidInput("文件为空", code="empty_file")
    columns = _columns(table[0])
    report = ImportReport()
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for offset, cells in enumerate(table[1 : MAX_ROWS + 1], start=2):
        if all(_blank(c) for c in cells):
            continue
        values = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
        try:
            rows.append(_row(values))
        except InvalidInput as exc:
            report.errors.append(RowError(offset, exc.message))
            continue
        numbers.append(offset)
    if len(table) - 1 > MAX_ROWS:
        report.errors.append(RowError(MAX_ROWS + 2, f"超过{MAX_ROWS}行的部分未导入"))
    _resolve_buildings(session=session, rows=rows, county_code=county_code)
    result: RegisterResult = bulk_register(session=session, rows=rows, county_code=county_code, scope=scope)
    report.created, report.updated = result.created, result.updated
    report.errors.extend(RowError(numbers[index], error.message) for index, error in result.errors)
    report.errors.sort(key=lambda e: e.row)
    return report


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _columns(header: Sequence[Any]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for i, cell in enumerate(header):
        name = HEADERS.get(str(cell or "").strip().replace(" ", ""))
        if name is not None and name not in columns.values():
            columns[i] = name
    missing = [label for label, name in (("设备编号", "code"), ("设备类型", "kind")) if name not in columns.values()]
    if missing:
        raise InvalidInput(f"表头缺少必填列：{'、'.join(missing)}", code="missing_columns")
    return columns


def _row(values: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, value in values.items():
        if _blank(value):
            continue
        row[name] = value.strip() if isinstance(value, str) else value
    if "code" not in row:
        raise InvalidInput("设备编号不能为空")
    row["code"] = str(row["code"])
    raw_kind = str(row.get("kind", "")).strip()
    if not raw_kind:
        raise InvalidInput("设备类型不能为空")
    kind = KIND_NAMES.get(raw_kind)
    if kind is None:
        try:
            kind = AlertKind(raw_kind)
        except ValueError:
            raise InvalidInput(f"设备类型“{raw_kind}”无法识别（应为烟感、溺水、禁入区或重点人员）") from None
    row["kind"] = kind.value
    for name, label in (("lon", "经度"), ("lat", "纬度")):
        if name in row:
            try:
                row[name] = float(row[name])
            except (TypeError, ValueError):
                raise InvalidInput(f"{label}“{row[name]}”不是数字") from None
    if "heartbeat_seconds" in row:
        try:
            seconds = int(float(row["heartbeat_seconds"]))
        except (TypeError, ValueError):
            raise InvalidInput(f"心跳间隔“{row['heartbeat_seconds']}”不是整数") from None
        if not 60 <= seconds <= 7 * 86400:
            raise InvalidInput("心跳间隔应在60秒至7天之间")
        row["heartbeat_seconds"] = seconds
    if "owner_phone" in row:
        phone = row["owner_phone"]
        row["owner_phone"] = str(int(phone)) if isinstance(phone, float) else str(phone)
    return row


def _resolve_buildings(*, session: Session, rows: list[dict[str, Any]], county_code: str) -> None:
    """A 楼栋/地址 naming a registered building's standard address places the device in it."""
    addresses = sorted({str(r["address"]) for r in rows if r.get("address")})
    found: dict[str, int] = {}
    for start in range(0, len(addresses), 1000):
        found.update(
            session.execute(
                select(Building.standard_address, Building.id).where(
                    Building.county_code == county_code,
                    Building.standard_address.in_(addresses[start : start + 1000]),
                )
            ).all()
        )
    for row in rows:
        building_id = found.get(str(row.get("address") or ""))
        if building_id is not None:
            row["building_id"] = building_id


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        yield from csv.reader(io.StringIO(text))
        return
    raise InvalidInput("无法识别文件编码（请使用UTF-8或GBK）", code="bad_encoding")


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise InvalidInput("无法读取Excel文件，请确认是.xlsx格式", code="bad_xlsx") from None
    sheet = workbook.worksheets[0]
    for cells in sheet.iter_rows(values_only=True):
        yield list(cells)
    workbook.close()
