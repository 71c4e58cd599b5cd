"""Noisy variants of standard addresses, as people type them into a hotline ticket or a form: with or without
the province and city, the town shortened or left out, 幢 written 栋 or 号楼, numbers in Chinese, a road name
with one character misheard or dropped, spaces and commas, rooms written -302. Used by the tests and by
`fengqiao bench address`; the caller keeps the labels (the building and room the standard address names)."""

from __future__ import annotations

import random
import unicodedata

from fengqiao.triage.address.numerals import digits_to_chinese, int_to_chinese
from fengqiao.triage.address.parse import WENLING_TOWNS, AddressParts, parse_address

_PREFIXES = ("", "", "", "浙江省台州市温岭市", "温岭市", "台州市温岭市", "浙江温岭", "温岭", "台州温岭")
_ROAD_SUFFIXES = ("大道", "社区", "路", "街", "巷", "弄", "村")
# Characters of road and village names and what they are misheard or mistyped as (same sound, similar shape).
_CONFUSABLE: dict[str, str] = {
    "昌": "长常", "华": "化花", "明": "名民", "新": "心欣", "兴": "星行", "锦": "金进", "龙": "隆珑", "安": "按岸",
    "平": "萍坪", "阳": "杨扬", "和": "合禾", "泰": "太", "太": "泰", "东": "冬", "湖": "胡", "山": "衫", "海": "凯",
    "江": "姜", "民": "明", "业": "叶", "城": "成", "建": "健", "设": "社", "文": "闻纹", "中": "忠", "人": "仁",
    "塘": "唐堂", "桥": "乔", "岭": "领", "溪": "西", "洋": "羊阳", "浦": "甫", "岙": "奥", "屿": "与", "门": "们",
    "前": "钱", "后": "厚", "里": "理", "下": "夏", "头": "投", "石": "时", "金": "今", "银": "吟", "泉": "全",
    "峰": "锋", "横": "恒", "西": "溪", "南": "楠", "北": "背", "九": "久", "三": "叁", "星": "兴", "凤": "风",
    "虎": "琥", "宾": "滨", "世": "市", "纪": "记", "穗": "岁", "双": "爽", "望": "旺", "观": "冠", "学": "雪",
    "府": "付", "育": "玉", "英": "鹰", "化": "华", "健": "建", "康": "慷", "友": "有", "谊": "义", "团": "圆",
    "结": "洁", "光": "广", "胜": "圣", "利": "立", "交": "郊", "通": "同", "环": "还", "心": "新", "青": "清",
    "年": "念", "科": "颗", "技": "技", "智": "志", "造": "早", "机": "基", "电": "店", "港": "巷", "富": "福",
    "楼": "搂", "长": "常", "永": "勇", "春": "椿", "晖": "辉", "宁": "凝", "滨": "宾", "河": "何", "沿": "延",
    "园": "圆", "林": "琳", "济": "际", "王": "汪", "陈": "程", "张": "章", "李": "里", "家": "佳", "大": "太",
}  # fmt: skip
_FILLERS = ("", "", " ", "，", " ", "、")


def noisy_variant(address: str, *, rng: random.Random, towns: tuple[str, ...] = WENLING_TOWNS) -> str:
    """One noisy way of writing ``address`` (a standard address); it still names the same building and room."""
    parts = parse_address(address, towns=towns)
    if parts.street is None or parts.number is None:
        return address
    pieces = [rng.choice(_PREFIXES), _town(parts.town, rng)]
    pieces.append(_misspelt(parts.street, rng) if rng.random() < 0.3 else parts.street)
    pieces.append(_number(parts.number, rng) + "号")
    if parts.estate is not None and parts.building is not None:
        if rng.random() < 0.85:
            pieces.append(parts.estate)
        if parts.room is not None and rng.random() < 0.12:
            # 3-2-302: block, unit and room joined by dashes.
            numbers = [str(parts.building), *([str(parts.unit)] if parts.unit is not None else []), parts.room]
            pieces.append("-".join(numbers))
            return _finish(pieces, rng)
        pieces.append(_number(parts.building, rng) + rng.choice(("幢", "幢", "栋", "栋", "号楼", "座")))
    if parts.unit is not None:
        pieces.append(_number(parts.unit, rng) + "单元")
    if parts.room is not None:
        pieces.append(_room(parts.room, rng))
    return _finish(pieces, rng)


def _town(town: str | None, rng: random.Random) -> str:
    if town is None:
        return ""
    draw = rng.random()
    if draw < 0.55:
        return town
    if draw < 0.8:
        return town.removesuffix("街道").removesuffix("镇")
    return ""


def _misspelt(street: str, rng: random.Random) -> str:
    """One character of the name (not of its 路/村 suffix) replaced by a confusable one, or dropped."""
    suffix = next((s for s in _ROAD_SUFFIXES if street.endswith(s)), "")
    stem = street[: len(street) - len(suffix)]
    if len(stem) < 2:
        return street
    at = rng.randrange(len(stem))
    confusable = _CONFUSABLE.get(stem[at], "")
    if confusable and rng.random() < 0.75:
        return stem[:at] + rng.choice(confusable) + stem[at + 1 :] + suffix
    return stem[:at] + stem[at + 1 :] + suffix


def _number(value: int, rng: random.Random) -> str:
    return int_to_chinese(value) if rng.random() < 0.15 else str(value)


def _room(room: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.55:
        return f"{room}室"
    if draw < 0.7:
        return room
    if draw < 0.85:
        return f"-{room}"
    if draw < 0.93:
        return f"{digits_to_chinese(room)}室"
    return f"{room}房"


def _finish(pieces: list[str], rng: random.Random) -> str:
    glue = rng.choice(_FILLERS)
    text = glue.join(piece for piece in pieces if piece) if glue else "".join(pieces)
    if rng.random() < 0.1:
        # Typed with a Chinese input method: full-width digits.
        text = "".join(
            unicodedata.normalize("NFKC", char) if not char.isdigit() else chr(ord(char) + 0xFEE0) for char in text
        )
    return text


def describe(parts: AddressParts) -> str:
    """The parts as a short label, for benchmark and test messages."""
    return " ".join(f"{key}={value}" for key, value in parts.as_dict().items() if value is not None)
