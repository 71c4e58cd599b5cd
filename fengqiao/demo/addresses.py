"""Standard addresses as the demo writes them: without the 浙江省台州市温岭市 prefix, starting with the town.

building on a road      泽国镇文昌路88号
estate building         泽国镇文昌路88号锦绣花园3幢
village house           大溪镇塘下村12号
room                    …3幢2单元302室 / …12号201室
"""

from __future__ import annotations


def building_address(
    town: str, road: str, number: int, estate: str | None = None, building_no: int | None = None
) -> str:
    address = f"{town}{road}{number}号"
    if estate is not None:
        address += f"{estate}{building_no}幢"
    return address


def room_number(floor: int, serial: int) -> str:
    """302 = third floor, second room; 1502 on the fifteenth floor."""
    return f"{floor}{serial:02d}"


def room_address(building: str, room_no: str, unit_no: int | None = None) -> str:
    return f"{building}{unit_no}单元{room_no}室" if unit_no is not None else f"{building}{room_no}室"
