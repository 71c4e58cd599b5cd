"""Names as people and clerks write them: full names, nicknames (老王, 小李, 阿强, 王师傅), anonymised forms (王某),
and organisation names with and without their place and legal-form words.

Pure functions: the identity rules (``fengqiao.linking.identity``) decide with them, the blocking keys index them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Two-character surnames: read as one surname so that 欧阳明 is 欧阳 + 明, not 欧 + 阳明.
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "澹台",
        "单于",
        "太史",
        "端木",
        "申屠",
        "公羊",
        "闻人",
        "赫连",
        "呼延",
        "南宫",
        "万俟",
        "东郭",
        "西门",
        "百里",
    )
)
# Common single-character surnames (the most frequent ~190 of the 百家姓, covering well over 90 % of people): a
# nickname is only read as one around a known surname, so that 小明 stays a given name.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
    "安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
# A nickname is a surname with one of these around it; it names a person without telling which one.
_NICKNAME_PREFIXES = ("老", "小", "阿")
_NICKNAME_SUFFIXES = ("某某", "某", "师傅", "老板", "老师", "大姐", "大哥", "阿姨", "女士", "先生", "总", "工")
_SEPARATORS = re.compile(r"[\s·•．.\-_]+")


@dataclass(frozen=True)
class PersonName:
    """A written name read: the text compared, the surname, and whether it is only a nickname."""

    text: str
    surname: str
    is_nickname: bool

    @property
    def given(self) -> str:
        return "" if self.is_nickname else self.text[len(self.surname) :]


def clean(text: str) -> str:
    """Full-width to half-width, no spaces or dots between characters (clerks type 王 建国 and 王·建国)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SEPARATORS.sub("", text).strip()


def surname_of(name: str) -> str:
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def is_known_surname(text: str) -> bool:
    return text in COMPOUND_SURNAMES or text in COMMON_SURNAMES


@lru_cache(maxsize=131_072)
def read_person_name(raw: str) -> PersonName:
    name = clean(raw)
    for prefix in _NICKNAME_PREFIXES:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and is_known_surname(rest):
            return PersonName(text=name, surname=rest, is_nickname=True)
    for suffix in _NICKNAME_SUFFIXES:
        head = name[: -len(suffix)]
        if name.endswith(suffix) and is_known_surname(head):
            return PersonName(text=name, surname=head, is_nickname=True)
    return PersonName(text=name, surname=surname_of(name), is_nickname=False)


def names_compatible(a: PersonName, b: PersonName) -> bool:
    """Could these two writings name the same person? Equal full names, or a nickname with the same surname."""
    if a.is_nickname or b.is_nickname:
        return a.surname == b.surname
    return a.text == b.text


# --- organisations ------------------------------------------------------------------------------------------------

# Place words in front of a registered name: dropped, since one firm is written with and without them.
_PLACE_PREFIXES = ("中华人民共和国", "浙江省", "浙江", "台州市", "台州", "温岭市", "温岭")
# Legal forms, longest first so that 股份有限公司 is taken whole.
_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "分公司",
    "公司",
    "合作社",
    "个体工商户",
)
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


@lru_cache(maxsize=65_536)
def organisation_core(raw: str) -> str:
    """The distinctive part of an organisation's name: 温岭市鑫达机械有限公司 and 鑫达机械（温岭）有限公司 both give
    鑫达机械. Bracketed places, place prefixes and the legal form are removed."""
    name = _BRACKETED.sub("", clean(raw))
    changed = True
    while changed:
        changed = False
        for prefix in _PLACE_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name = name[len(prefix) :]
                changed = True
    for form in _LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form):
            name = name[: -len(form)]
            break
    return name
