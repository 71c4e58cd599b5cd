"""Device import from CSV and Excel with Chinese headers and per-row errors in Chinese."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts.importer import import_devices
from fengqiao.alerts.models import AlertDevice
from fengqiao.core.errors import InvalidInput
from tests.alerts.conftest import AlertWorld

HEADER = ["设备编号", "设备类型", "设备名称", "楼栋/地址", "经度", "纬度", "责任人", "联系电话"]
ROWS = [
    ["IMP-1", "烟感", "厨房烟感", "泽国镇文昌路88号", "", "", "陈海燕", "13905761234"],
    ["IMP-2", "防溺水", "水库北岸摄像头", "东湖水库北岸", "121.33", "28.32", "林国强", "13857612345"],
    ["IMP-3", "电饭煲", "", "", "", "", "", ""],
    ["IMP-4", "烟感", "", "", "121.33", "", "", ""],
    ["IMP-5", "烟感", "", "", "abc", "28.3", "", ""],
    ["", "烟感", "", "", "", "", "", ""],
    ["IMP-6", "烟感", "", "", "", "", "", "12345"],
    ["IMP-1", "烟感", "", "", "", "", "", ""],
    ["IMP-7", "禁入区", "", "", "100.0", "30.0", "", ""],
]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_import_registers_good_rows_and_explains_bad_ones(aw: AlertWorld, db: Session) -> None:
    report = import_devices(session=db, filename="设备.csv", content=csv_bytes(ROWS), county_code="331081")
    assert (report.created, report.updated) == (2, 0)
    assert [(e.row, e.message) for e in report.errors] == [
        (4, "设备类型“电饭煲”无法识别（应为烟感、溺水、禁入区或重点人员）"),
        (5, "经度和纬度须同时填写"),
        (6, "经度“abc”不是数字"),
        (7, "设备编号不能为空"),
        (8, "电话号码“12345”格式不正确"),
        (9, "设备编号IMP-1重复"),
        (10, "坐标不在任何网格内"),
    ]
    assert report.summary == "新增2台，更新0台，7行有误未导入"
    kitchen = db.scalars(select(AlertDevice).where(AlertDevice.code == "IMP-1")).one()
    assert kitchen.building_id == aw.building.id  # the address names a registered building
    assert kitchen.grid_id == aw.world.grid.id
    camera = db.scalars(select(AlertDevice).where(AlertDevice.code == "IMP-2")).one()
    assert (camera.kind, camera.address, camera.grid_id) == ("drowning", "东湖水库北岸", aw.world.tree.grids[1].id)


def test_gbk_csv_and_reimport_updates(aw: AlertWorld, db: Session) -> None:
    first = import_devices(session=db, filename="a.csv", content=csv_bytes(ROWS[:2], "gbk"), county_code="331081")
    assert first.created == 2
    assert not first.errors
    changed = [["IMP-1", "烟感", "客厅烟感", "泽国镇文昌路88号", "", "", "王芳", "13905761234"]]
    second = import_devices(session=db, filename="a.csv", content=csv_bytes(changed), county_code="331081")
    assert (second.created, second.updated) == (0, 1)
    db.expire_all()
    device = db.scalars(select(AlertDevice).where(AlertDevice.code == "IMP-1")).one()
    assert (device.name, device.owner_name) == ("客厅烟感", "王芳")


def test_xlsx_import_with_numbers_in_cells(aw: AlertWorld, db: Session) -> None:
    rows: list[list[object]] = [
        ["X-1", "水域监控", "北岸", None, 121.33, 28.32, "林国强", 13857612345],
        ["X-2", "重点人员", None, None, 121.31, 28.31, None, None],
        ["X-3", None, None, None, None, None, None, None],
    ]
    report = import_devices(session=db, filename="设备.XLSX", content=xlsx_bytes(rows), county_code="331081")
    assert report.created == 2
    assert [(e.row, e.message) for e in report.errors] == [(4, "设备类型不能为空")]
    device = db.scalars(select(AlertDevice).where(AlertDevice.code == "X-1")).one()
    assert device.owner_phone == "13857612345"


def test_import_outside_the_viewers_territory_is_refused(aw: AlertWorld, db: Session) -> None:
    grid_path = aw.world.tree.grids[4].path  # another town
    report = import_devices(
        session=db, filename="a.csv", content=csv_bytes(ROWS[:2]), county_code="331081", scope=[grid_path]
    )
    assert report.created == 0
    assert {e.message for e in report.errors} == {"设备位置不在您的辖区内"}


def test_files_that_are_not_device_lists_are_refused(aw: AlertWorld, db: Session) -> None:
    with pytest.raises(InvalidInput, match="表头缺少必填列：设备类型"):
        import_devices(session=db, filename="a.csv", content="设备编号,名称\n1,2\n".encode(), county_code="331081")
    with pytest.raises(InvalidInput, match="仅支持CSV或Excel"):
        import_devices(session=db, filename="a.pdf", content=b"%PDF", county_code="331081")
    with pytest.raises(InvalidInput, match="无法读取Excel文件"):
        import_devices(session=db, filename="a.xlsx", content=b"not a zip", county_code="331081")
