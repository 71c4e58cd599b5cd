"""Free-text address → parts (town, road or village, group, house number, estate, building, unit, room).

Pure functions. The text is normalised first (full-width folded, spaces and punctuation dropped, province/city/
county prefixes taken off, Chinese numerals before address markers written in digits), then cut into alternating
runs of text and numbers with their markers (号, 幢, 单元, 室 …), which are read left to right.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from fengqiao.demo.towns import TOWNS
from fengqiao.triage.address.numerals import arabic_numerals

WENLING_TOWNS: tuple[str, ...] = tuple(spec.name for spec in TOWNS)
# With or without 省/市, in any run: 浙江省台州市温岭市, 台州温岭, 温岭市.
_ADMIN_PREFIX = re.compile("^(?:浙江省?|台州市?|温岭市?)+")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "~": "-", "～": "-", "_": "-", "/": "-"})
# Everything that is neither a word character, a dash nor '#' (3#楼) is punctuation or space and goes.
_NOISE = re.compile(r"[^\w#-]+")
_TOKEN = re.compile(r"(\d+)(号楼|号院|号|幢|栋|座|#|单元|室|房|组|队|期|楼|层)?|([^\d#-]+)|[#-]")
_ROAD_SUFFIX = re.compile(r"大道|社区|路|街|巷|弄|村")
# 横街西路: a direction between two suffixes keeps them in one name.
_DIRECTIONS = frozenset("东西南北中")
_TOWN_SUFFIXES = ("街道", "镇", "乡")
_BUILDING_MARKERS = frozenset({"号楼", "幢", "栋", "座", "#"})


class AddressParts(NamedTuple):
    """What a free-text address says. ``street`` is a road (文昌路) or a village/community (塘下村); ``room`` keeps
    its digits as written (302); ``landmark`` is the whole text when it carries no number. A named tuple: one is
    made per query, and it is the cheapest record to create."""

    text: str
    town: str | None = None
    street: str | None = None
    group: int | None = None
    number: int | None = None
    estate: str | None = None
    building: int | None = None
    unit: int | None = None
    room: str | None = None
    landmark: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "town": self.town,
            "street": self.street,
            "group": self.group,
            "number": self.number,
            "estate": self.estate,
            "building": self.building,
            "unit": self.unit,
            "room": self.room,
            "landmark": self.landmark,
        }


def normalize_text(raw: str) -> str:
    """Full-width folded, spaces and punctuation dropped, 浙江省台州市温岭市 taken off, numerals in digits."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", raw).translate(_DASHES)).upper()
    return arabic_numerals(_ADMIN_PREFIX.sub("", text, count=1)).strip("-")


def normalize_name(name: str) -> str:
    """A name from the base data (road, estate, landmark) written the way queries are normalised."""
    return normalize_text(name)


@lru_cache(maxsize=8)
def _town_reader(towns: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern for the towns' full and short names (longest first), and short name → full name."""
    names: dict[str, str] = {}
    for town in towns:
        names[town] = town
        for suffix in _TOWN_SUFFIXES:
            if town.endswith(suffix) and len(town) > len(suffix) + 1:
                names.setdefault(town.removesuffix(suffix), town)
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))), names


def split_town(text: str, *, towns: tuple[str, ...] = WENLING_TOWNS) -> tuple[str | None, str]:
    """(town, rest). A bare short name followed by a road suffix is a road (泽国大道), not the town."""
    if not towns:
        return None, text
    pattern, names = _town_reader(towns)
    found = pattern.match(text)
    if found is None:
        return None, text
    name = found.group(0)
    rest = text[found.end() :]
    if name != names[name] and _ROAD_SUFFIX.match(rest):
        return None, text
    return names[name], rest


def split_street(head: str) -> tuple[str | None, str | None]:
    """文昌路锦绣花园 → (文昌路, 锦绣花园); 锦绣花园 → (锦绣花园, None): the matcher decides whether a street-less
    head is an estate. The street ends at the first road/village suffix not followed by another suffix (横街路) or
    by a direction and a suffix (横街西路)."""
    for found in _ROAD_SUFFIX.finditer(head):
        end = found.end()
        glued = _ROAD_SUFFIX.match(head, end) is not None
        directed = head[end : end + 1] in _DIRECTIONS and _ROAD_SUFFIX.match(head, end + 1) is not None
        if not glued and not directed:
            return head[:end], head[end:] or None
    return head or None, None


def parse_address(raw: str, *, towns: tuple[str, ...] = WENLING_TOWNS) -> AddressParts:
    """Parse one free-text address; parts it does not carry are None. Never raises on odd text."""
    text = normalize_text(raw)
    town, rest = split_town(text, towns=towns)
    street: str | None = None
    estate: str | None = None
    group = number = building = unit = None
    room: str | None = None
    loose: list[int] = []
    seen_number = False
    for found in _TOKEN.finditer(rest):
        digits, marker, words = found.group(1), found.group(2), found.group(3)
        if words is not None:
            if not seen_number and street is None and estate is None:
                street, estate = split_street(words)
            elif estate is None and building is None:
                estate = words
            continue
        if digits is None:
            continue  # a dash or '#' on its own separates numbers
        value = int(digits)
        seen_number = True
        if marker == "号":
            if number is None and estate is None and building is None:
                number = value
            elif building is None:
                building = value  # 锦绣花园3号 = the third block
        elif marker in _BUILDING_MARKERS:
            building = value
        elif marker == "号院":
            number = value
        elif marker == "单元":
            unit = value
        elif marker in ("室", "房"):
            room = str(value)
        elif marker in ("组", "队"):
            group = value
        elif marker == "期":
            # 锦绣花园2期: the phase is part of the estate's name.
            if estate is not None:
                estate += f"{value}期"
            elif street is not None:
                street += f"{value}期"
        elif marker is None:
            loose.append(value)
    if loose:
        if number is None and street is not None and estate is None and building is None:
            number = loose.pop(0)
        number, building, unit, room = _place_loose(loose, number, building, unit, room, estate)
    landmark = rest if not seen_number and rest else None
    return AddressParts(text, town, street, group, number, estate, building, unit, room, landmark)


def _place_loose(
    loose: list[int],
    number: int | None,
    building: int | None,
    unit: int | None,
    room: str | None,
    estate: str | None,
) -> tuple[int | None, int | None, int | None, str | None]:
    """Numbers without markers, as in 3-2-302 (幢-单元-室) or 12号-302: the last is the room, the ones before it
    the building and the unit when those are missing."""
    if room is None and loose:
        room = str(loose.pop())
    if building is None and unit is None:
        if len(loose) >= 2:
            building, unit = loose[-2], loose[-1]
        elif loose and estate is not None:
            building = loose[-1]
        elif loose:
            unit = loose[-1]
    elif building is None and loose:
        building = loose[-1]
    elif unit is None and loose:
        unit = loose[-1]
    return number, building, unit, room
