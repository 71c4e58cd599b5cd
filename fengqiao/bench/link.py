"""`fengqiao bench link` — linking a million events: parties to identities, texts to their near-duplicates.

A database (temporary SQLite by default) with a small demo county for its grids and buildings, and N synthetic events
inserted in bulk with their parties. Planted among mostly unique people and texts, with the truth kept in memory:
repeat persons (ID number given or not, a phone written with or without +86, nicknames 老王/王师傅, an ID typed with
one digit wrong and the check digit recomputed), families sharing one phone under different names and people sharing
one name (neither may be joined), repeat organisations under name variants, repeat places (one building in a month),
and one matter reported through several channels in reworded texts (at one building: the same place).

Then: every event linked through ``linking.service.link_events`` in batches (time, events/s, peak memory); precision
and recall of the planted links of persons and of organisations over all parties; recall of planted near-duplicates
through ``similar_events`` (which looks in the event's town within ``SIMILAR_WINDOW_DAYS``); one new event
registered and linked at that size (p50/p99); and, in the same run, the naive baseline on a sample — every pair of
parties through ``compare_persons`` and every pair of texts through Jaccard, which is the exact answer for the rules
— beside blocking and the in-memory signature comparison on the same sample, with the baseline's time extrapolated
to N.
"""

from __future__ import annotations

import logging
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_credit_code, resident_id_check_digit, wenling_region_code
from fengqiao.basedata.models import Building
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing, make_engine
from fengqiao.demo.loader import make_loader
from fengqiao.demo.records import Batch
from fengqiao.demo.seeding import seed_demo_county, unit_count
from fengqiao.events.kinds import Channel, EventStatus, PartyKind, PartyRole
from fengqiao.events.models import Event, EventParty
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.linking import service, texts
from fengqiao.linking.identity import compare_organisations, compare_persons
from fengqiao.linking.models import PartyLink

console = Console(width=None if sys.stdout.isatty() else 130)

NOW = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_DAYS = 365
_INSERT_CHUNK = 20_000
_SQLITE_CACHE_KIB = 262_144

# --- what people and texts are made of ----------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国海燕文斌波宇浩凯鹏辉林亮飞彬鑫晨晓欣雪琳雅婷慧佳俊"
    "志新利福生荣春兰珍云龙德清宏胜振家晶金成立永荣祥正义兴安德昌"
)
_SAME_NAMES = ("王伟", "张伟", "王芳", "李娜", "刘洋", "李强", "王静", "张敏", "陈静", "王磊", "李军", "张勇")
_NICK_PREFIXES = ("老", "小", "阿")
_NICK_SUFFIXES = ("师傅", "老板", "某", "大姐", "先生", "女士")
_ORG_CHARS = "鑫达恒信源丰泰华宏盛永利安康隆昌兴茂瑞祥锦荣博远腾飞佳美新阳光明星辉金银通汇德诚正嘉和"
_INDUSTRIES = ("机械", "电子", "塑料", "建材", "食品", "服饰", "鞋业", "泵业", "水产", "物流", "装饰", "物业管理")
_PLACE_CHARS = "东南西北上下前后新老大小石山水河湖塘桥岭湾头尾坑溪田林竹松柏梅桃李杏花横泽岙洋屿"
_PROBLEMS = (
    ("噪音扰民", "夜间施工噪音持续到凌晨，严重影响周边居民休息"),
    ("楼上漏水", "楼上卫生间漏水渗到楼下天花板，墙面大面积发霉"),
    ("拖欠工资", "工地老板拖欠工人工资迟迟不付，工人多次讨要无果"),
    ("占道经营", "流动摊贩长期占用人行道经营，行人只能走机动车道"),
    ("油烟扰民", "一楼餐馆油烟直排进楼道，住户窗户无法打开"),
    ("违章搭建", "有住户在屋顶违章搭建彩钢棚，存在安全隐患"),
    ("宅基地纠纷", "两户村民因宅基地边界发生争执，双方互不相让"),
    ("停车纠纷", "业主车位长期被外来车辆占用，多次协商未果"),
    ("物业纠纷", "物业公司擅自提高收费标准，业主拒绝缴纳"),
    ("家庭矛盾", "夫妻因赡养老人问题多次争吵，邻居听到打闹声"),
    ("垃圾堆放", "河道边堆满建筑垃圾和生活垃圾，气味难闻"),
    ("消防隐患", "出租房楼道内电动车集中充电，电线私拉乱接"),
    ("土地流转", "村集体土地流转款分配不公，部分村民有意见"),
    ("房屋租赁", "租客退租时房东拒不退还押金，双方发生争吵"),
    ("劳动争议", "企业未与员工签订劳动合同，工伤后拒绝赔偿"),
    ("邻里纠纷", "邻居在公共通道堆放杂物，影响其他住户通行"),
    ("养殖污染", "养猪场污水直排河道，下游村民饮水受影响"),
    ("装修纠纷", "装修公司收取预付款后停工，业主联系不上负责人"),
    ("噪声扰民", "广场舞音响声音过大，周边居民多次投诉"),
    ("道路破损", "村道路面塌陷形成大坑，夜间多次有电动车摔倒"),
)
_DETAIL_A = (
    "已持续一个多月",
    "从上周开始",
    "最近半个月",
    "今年以来反复出现",
    "自春节后",
    "入夏以来",
    "这两天更加严重",
    "已经有三个月",
    "从去年年底起",
    "节假日尤其明显",
    "每逢下雨就出现",
    "周末最为严重",
    "近期愈演愈烈",
    "断断续续一年多",
    "自新租户入住后",
    "从工程开工后",
    "换了老板以后",
    "老人住院后",
)
_DETAIL_B = (
    "居民情绪较大",
    "当事人表示不满",
    "已向社区反映过",
    "村委会调解未成",
    "曾拨打过热线",
    "双方差点动手",
    "有人扬言要上访",
    "影响了孩子上学",
    "老人身体受到影响",
    "邻里关系十分紧张",
    "拍了照片留证",
    "已找过派出所",
    "多户联名反映",
    "有媒体关注",
    "当事人要求赔偿",
    "对方拒不露面",
)
_WHO = ("住户", "村民", "租户", "业主", "商户", "工人", "老人", "家长", "店主", "居民")
_DETAIL_C = (
    "涉及十余户人家",
    "对方态度蛮横",
    "物业推说不归他们管",
    "社区来看过一次",
    "当事人年纪较大",
    "周边商户也有意见",
    "晚上十点后最严重",
    "曾经发生过推搡",
    "孩子们不敢出门",
    "有人拍了视频",
    "租户流动性大",
    "房东常年不在本地",
    "双方是亲戚关系",
    "已经协商过两次",
    "村干部知道此事",
    "担心引发冲突",
)
_REQUESTS = (
    "请求相关部门尽快处理。",
    "希望政府出面协调解决。",
    "要求有关单位依法查处。",
    "请网格员上门了解情况。",
    "恳请尽快调处化解矛盾。",
    "希望给个明确答复。",
    "请求派人到现场查看。",
    "要求责任方限期整改。",
)
_RELAY_PREFIXES = ("市民来电反映：", "网格员巡查发现，", "群众来访称", "110接警：", "信访人反映：", "城管平台转办：")
_RELAY_SUFFIXES = ("情况属实。", "请尽快处理！", "望督促落实。", "已告知当事人。", "")
_CHANNELS = (Channel.HOTLINE_12345, Channel.GRID_PATROL, Channel.FRONT_DESK, Channel.POLICE_110, Channel.FIRST_PETITION)


# --- the truth ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """One party as an event writes it, and who it truly is."""

    truth: int
    kind: PartyKind
    name: str
    id_number: str | None = None
    phone: str | None = None
    credit_code: str | None = None


@dataclass
class Planted:
    """What was planted, by event index: parties, reporters, texts, places, times; and the groups to score."""

    reporters: dict[int, Mention] = field(default_factory=dict)
    parties: dict[int, list[Mention]] = field(default_factory=lambda: defaultdict(list))
    texts: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # title, content, matter cluster
    places: dict[int, int] = field(default_factory=dict)  # building id
    matter_places: dict[int, int] = field(default_factory=dict)  # building id of a planted matter's report
    times: dict[int, datetime] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    person_groups: int = 0
    families: int = 0
    namesakes: int = 0
    organisation_groups: int = 0
    matter_clusters: int = 0
    place_groups: list[tuple[int, list[int]]] = field(default_factory=list)  # building, event indices
    repeat_people: list[tuple[int, str, str, str]] = field(default_factory=list)  # truth, name, id, phone


class Numbers:
    """Unique phones and ID numbers: counters through a permutation, so that they look scattered."""

    def __init__(self) -> None:
        self._phone = 0
        self._id = 0
        self._org = 0
        self._truth = 0
        self._cores: set[str] = set()

    def truth(self) -> int:
        self._truth += 1
        return self._truth

    def phone(self) -> str:
        self._phone += 1
        body = (self._phone * 48_271 + 12_345) % 100_000_000
        return f"1{3 + self._phone % 6}{self._phone % 10}{body:08d}"

    def id_number(self) -> str:
        """A valid number (the region code Wenling had in the birth year); sequences stay below 500, so that a typo
        (``_typo``) never lands on a number given to someone else."""
        self._id += 1
        born = date(1940, 1, 1) + timedelta(days=(self._id * 7_919) % 25_000)
        sequence = (self._id // 25_000 * 37) % 500
        first17 = f"{wenling_region_code(born.year)}{born:%Y%m%d}{sequence:03d}"
        return first17 + resident_id_check_digit(first17)

    def organisation_core(self, rng: random.Random) -> str:
        while True:
            core = "".join(rng.sample(_ORG_CHARS, 3)) + rng.choice(_INDUSTRIES)
            if core not in self._cores:
                self._cores.add(core)
                return core

    def credit_code(self) -> str:
        self._org += 1
        body = f"{(self._org * 7_919) % 10**8:08d}"
        return make_credit_code(region_code="331081", org_body=body)


def _person_name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def _typo(number: str, rng: random.Random) -> str:
    """The sequence's first digit mistyped (5–9: a sequence ``Numbers`` never issues) and the check digit recomputed:
    a number that passes every check and belongs to nobody."""
    first17 = number[:14] + str(rng.randrange(5, 10)) + number[15:17]
    return first17 + resident_id_check_digit(first17)


def _spaced_phone(phone: str) -> str:
    return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"


def _place_word(rng: random.Random) -> str:
    return "".join(rng.choice(_PLACE_CHARS) for _ in range(2)) + rng.choice(("村", "路", "小区", "街", "社区"))


def unique_text(rng: random.Random) -> tuple[str, str]:
    """A report: place, who, the problem, two details and the request — template-like, as hotline tickets are, but
    with enough combinations that unrelated reports rarely reach the similarity of one matter retold."""
    title, problem = rng.choice(_PROBLEMS)
    content = (
        f"{_place_word(rng)}{rng.randrange(1, 300)}号{rng.choice(_WHO)}{_person_name(rng)}反映，{problem}，"
        f"{rng.choice(_DETAIL_A)}，{rng.choice(_DETAIL_B)}，{rng.choice(_DETAIL_C)}，{rng.choice(_REQUESTS)}"
    )
    return title, content


def relayed(content: str, rng: random.Random) -> str:
    """The same matter as another channel writes it down: a lead-in, another closing, numbers retyped."""
    body = content
    for digit in "0123456789":
        if digit in body and rng.random() < 0.3:
            body = body.replace(digit, str(rng.randrange(10)), 1)
    return f"{rng.choice(_RELAY_PREFIXES)}{body}{rng.choice(_RELAY_SUFFIXES)}"


def plan(*, events: int, buildings: Sequence[int], numbers: Numbers, rng: random.Random) -> Planted:
    """Decide which events carry the planted groups; everything else is generated event by event later."""
    planted = Planted()

    def spread(k: int, days: float) -> list[tuple[int, datetime]]:
        start = NOW - timedelta(days=rng.uniform(days, SPAN_DAYS))
        chosen = rng.sample(range(events), k)
        return [(i, start + timedelta(days=rng.uniform(0, days))) for i in chosen]

    def place(index: int, mention: Mention, *, reporter_ok: bool) -> None:
        if reporter_ok and index not in planted.reporters and rng.random() < 0.4:
            planted.reporters[index] = mention
        else:
            planted.parties[index].append(mention)

    # Repeat persons: the same person in k events, written in the ways clerks and callers write a person.
    for _ in range(max(1, events * 25 // 1000)):
        truth = numbers.truth()
        surname = rng.choice(_SURNAMES)
        name = surname + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        number, phone = numbers.id_number(), numbers.phone()
        planted.repeat_people.append((truth, name, number, phone))
        k = rng.choice((2, 2, 3, 3, 4, 5, 6, 8))
        for index, at in spread(k, 180):
            planted.times.setdefault(index, at)
            form = rng.choices("ABCDEF", weights=(30, 30, 15, 8, 5, 12))[0]
            if form == "A":  # full name, ID number, phone
                place(index, Mention(truth, PartyKind.PERSON, name, number, phone), reporter_ok=False)
            elif form == "B":  # full name and phone only
                place(index, Mention(truth, PartyKind.PERSON, name, None, phone), reporter_ok=True)
            elif form == "C":  # a nickname and the phone
                nick = (
                    rng.choice(_NICK_PREFIXES) + surname if rng.random() < 0.5 else surname + rng.choice(_NICK_SUFFIXES)
                )
                place(index, Mention(truth, PartyKind.PERSON, nick, None, phone), reporter_ok=True)
            elif form == "D":  # one digit wrong, check digit recomputed, same phone
                place(index, Mention(truth, PartyKind.PERSON, name, _typo(number, rng), phone), reporter_ok=False)
            elif form == "E":  # ID number and name, no phone
                place(index, Mention(truth, PartyKind.PERSON, name, number, None), reporter_ok=False)
            else:  # phone typed with the country code and spaces
                place(index, Mention(truth, PartyKind.PERSON, name, None, _spaced_phone(phone)), reporter_ok=True)
        planted.person_groups += 1

    # Families sharing one phone under different names: never one person (each member may still recur).
    for _ in range(max(1, events * 4 // 1000)):
        phone = numbers.phone()
        surname = rng.choice(_SURNAMES)
        for member in range(2):
            truth = numbers.truth()
            name = (
                (surname if member == 0 or rng.random() < 0.6 else rng.choice(_SURNAMES))
                + rng.choice(_GIVEN)
                + rng.choice(_GIVEN)
            )
            member_number = numbers.id_number() if rng.random() < 0.5 else None
            for index, at in spread(rng.choice((1, 1, 2)), 90):
                planted.times.setdefault(index, at)
                mention = Mention(truth, PartyKind.PERSON, name, member_number, phone)
                place(index, mention, reporter_ok=member_number is None)
        planted.families += 1

    # Namesakes: common names, different people (different phones, different ID numbers).
    for _ in range(max(1, events * 4 // 1000)):
        name = rng.choice(_SAME_NAMES)
        for _member in range(rng.choice((2, 3))):
            truth = numbers.truth()
            phone = numbers.phone()
            own_number = numbers.id_number() if rng.random() < 0.6 else None
            for index, at in spread(rng.choice((1, 2)), 120):
                planted.times.setdefault(index, at)
                mention = Mention(truth, PartyKind.PERSON, name, own_number, phone)
                place(index, mention, reporter_ok=own_number is None)
        planted.namesakes += 1

    # Repeat organisations under name variants, with the credit code sometimes.
    for _ in range(max(1, events * 2 // 1000)):
        truth = numbers.truth()
        core = numbers.organisation_core(rng)
        code = numbers.credit_code()
        variants = (f"温岭市{core}有限公司", f"{core}（温岭）有限公司", f"台州{core}有限公司", f"{core}公司")
        for index, at in spread(rng.choice((2, 3, 4)), 120):
            planted.times.setdefault(index, at)
            name = rng.choice(variants)
            planted.parties[index].append(
                Mention(truth, PartyKind.ORGANISATION, name, credit_code=code if rng.random() < 0.4 else None)
            )
        planted.organisation_groups += 1

    # One matter through several channels, reworded — at one place (the channels locate it at the same building).
    for cluster in range(max(1, events * 10 // 1000)):
        title, content = unique_text(rng)
        members = spread(rng.choice((2, 3, 3, 4)), 7)
        building = rng.choice(buildings)
        for n, (index, at) in enumerate(members):
            if index in planted.texts:
                continue
            planted.times[index] = at  # the matter's time, whoever else the report names
            planted.texts[index] = (title, content if n == 0 else relayed(content, rng), cluster)
            planted.channels[index] = _CHANNELS[n % len(_CHANNELS)]
            planted.matter_places[index] = building
        planted.matter_clusters += 1

    # Repeat places: several events at one building within a month.
    for _ in range(max(1, events * 5 // 1000)):
        building = rng.choice(buildings)
        members = spread(rng.choice((3, 4, 5, 6)), 25)
        indices = []
        for index, at in members:
            if index in planted.places or index in planted.matter_places:
                continue
            planted.places[index] = building
            planted.times[index] = at
            indices.append(index)
        planted.place_groups.append((building, indices))
    return planted


# --- the database -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    county_code: str
    unit_id: int
    grid_of_building: dict[int, tuple[int, str]]  # building → (grid id, grid path)
    buildings: list[int]


def _county(engine: Engine) -> County:
    with Session(engine) as session:
        county = session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY.value)).one()
        grids = {u.id: u.path for u in session.scalars(select(Unit).where(Unit.kind == UnitKind.GRID.value))}
        rows = session.execute(select(Building.id, Building.grid_id).order_by(Building.id)).all()
    return County(
        county.county_code, county.id, {b: (g, grids[g]) for b, g in rows if g in grids}, [b for b, g in rows]
    )


@dataclass
class Truth:
    """Who each linked slot truly is: reporters by event id, parties by event_parties id; and the matters."""

    reporter: dict[int, int] = field(default_factory=dict)
    party: dict[int, int] = field(default_factory=dict)
    organisations: set[int] = field(default_factory=set)  # truths that are organisations
    matters: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # cluster → event ids
    places: list[tuple[int, list[int]]] = field(default_factory=list)  # building → event ids
    event_ids: list[int] = field(default_factory=list)

    def of(self, event_id: int, slot: int) -> int:
        return self.reporter[event_id] if slot == service.REPORTER_SLOT else self.party[slot]


_EVENT_COLUMNS = (
    "id",
    "county_code",
    "dispute_code",
    "channel",
    "source_id",
    "title",
    "content",
    "is_dispute",
    "is_sensitive",
    "risk_level",
    "status",
    "owner_unit_id",
    "registered_unit_id",
    "location_unit_id",
    "location_path",
    "building_id",
    "reporter_name",
    "reporter_phone",
    "registered_at",
    "is_overdue",
    "updated_at",
    "version",
)
_PARTY_COLUMNS = ("id", "county_code", "event_id", "role", "kind", "name", "id_number", "credit_code", "phone")


def _next_id(engine: Engine, column: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.max(column))) or 0) + 1


def unique_person(numbers: Numbers, rng: random.Random, *, id_share: float) -> Mention:
    return Mention(
        numbers.truth(),
        PartyKind.PERSON,
        _person_name(rng),
        numbers.id_number() if rng.random() < id_share else None,
        numbers.phone() if rng.random() < 0.85 else None,
    )


def unique_organisation(numbers: Numbers, rng: random.Random) -> Mention:
    """A firm seen once. Its registered name is new in the county (two firms cannot register one name), else the
    rules would rightly join them and the truth would call it a false link."""
    core = numbers.organisation_core(rng)
    return Mention(
        numbers.truth(),
        PartyKind.ORGANISATION,
        f"温岭市{core}有限公司",
        credit_code=numbers.credit_code() if rng.random() < 0.5 else None,
    )


def insert_events(
    *,
    engine: Engine,
    county: County,
    planted: Planted,
    numbers: Numbers,
    rng: random.Random,
    count: int,
    truth: Truth,
    advance: Callable[[int], None] = lambda n: None,
) -> None:
    """``count`` events with their parties, in bulk (executemany in 10,000-row chunks on SQLite, COPY on
    PostgreSQL), recording the truth of every party."""
    event_id = _next_id(engine, Event.id)
    party_id = _next_id(engine, EventParty.id)
    base = f"LB{int(time.time()) % 100_000:05d}"
    with engine.connect() as connection, connection.begin():
        loader = make_loader(connection)
        try:
            for start in range(0, count, _INSERT_CHUNK):
                event_rows: list[tuple[Any, ...]] = []
                party_rows: list[tuple[Any, ...]] = []
                for index in range(start, min(start + _INSERT_CHUNK, count)):
                    reporter = planted.reporters.get(index) or unique_person(numbers, rng, id_share=0.0)
                    truth.reporter[event_id] = reporter.truth
                    mentions = list(planted.parties.get(index, ()))
                    roll = rng.random()
                    if roll < 0.55:
                        mentions.append(unique_person(numbers, rng, id_share=0.6))
                    elif roll < 0.58:
                        mentions.append(unique_organisation(numbers, rng))
                    for mention in mentions:
                        truth.party[party_id] = mention.truth
                        if mention.kind is PartyKind.ORGANISATION:
                            truth.organisations.add(mention.truth)
                        role = PartyRole.RESPONDENT if mention.kind is PartyKind.ORGANISATION else PartyRole.APPLICANT
                        party_rows.append(
                            (
                                party_id,
                                county.county_code,
                                event_id,
                                role.value,
                                mention.kind.value,
                                mention.name,
                                mention.id_number,
                                mention.credit_code,
                                mention.phone,
                            )
                        )
                        party_id += 1
                    if index in planted.texts:
                        title, content, cluster = planted.texts[index]
                        truth.matters[cluster].append(event_id)
                    else:
                        title, content = unique_text(rng)
                    building = (
                        planted.places.get(index) or planted.matter_places.get(index) or rng.choice(county.buildings)
                    )
                    grid_id, grid_path = county.grid_of_building[building]
                    at = planted.times.get(index) or NOW - timedelta(days=rng.uniform(0, SPAN_DAYS))
                    channel = planted.channels.get(index) or rng.choice(_CHANNELS)
                    event_rows.append(
                        (
                            event_id,
                            county.county_code,
                            f"{base}{event_id:09d}"[-16:],
                            channel.value,
                            f"{base}-{event_id}",
                            title,
                            content,
                            False,
                            False,
                            "low",
                            EventStatus.REGISTERED.value,
                            county.unit_id,
                            county.unit_id,
                            grid_id,
                            grid_path,
                            building,
                            reporter.name,
                            reporter.phone,
                            at,
                            False,
                            at,
                            1,
                        )
                    )
                    truth.event_ids.append(event_id)
                    event_id += 1
                loader.write(Batch("events", _EVENT_COLUMNS, event_rows))
                loader.write(Batch("event_parties", _PARTY_COLUMNS, party_rows))
                advance(len(event_rows))
            loader.finish()
        finally:
            loader.close()
    first = truth.event_ids[0] if truth.event_ids else 0
    for building, indices in planted.place_groups:
        truth.places.append((building, [first + i for i in indices]))


# --- scoring ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_score(assignments: Iterable[tuple[int, int]]) -> Score:
    """(truth, predicted cluster) per item → pairwise precision and recall: a pair is found when both items are in
    one predicted cluster, true when both are one entity."""
    by_truth: Counter[int] = Counter()
    by_found: Counter[int] = Counter()
    both: Counter[tuple[int, int]] = Counter()
    for truth, found in assignments:
        by_truth[truth] += 1
        by_found[found] += 1
        both[(truth, found)] += 1
    return Score(
        sum(_pairs(n) for n in by_truth.values()),
        sum(_pairs(n) for n in by_found.values()),
        sum(_pairs(n) for n in both.values()),
    )


def kind_scores(engine: Engine, truth: Truth) -> tuple[Score, Score]:
    """Pairwise scores of the links of persons and of organisations (the same entity in two parties)."""
    with Session(engine) as session:
        rows = session.execute(select(PartyLink.event_id, PartyLink.slot, PartyLink.identity_id)).all()
    assigned = [(truth.of(e, s), i) for e, s, i in rows if e in truth.reporter]
    people = pair_score(a for a in assigned if a[0] not in truth.organisations)
    organisations = pair_score(a for a in assigned if a[0] in truth.organisations)
    return people, organisations


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


@dataclass(frozen=True)
class SampleResult:
    label: str
    items: int
    seconds: float
    score: Score
    extrapolated: float | None = None  # seconds at N


def sample_people(
    parties: Sequence[service.Party], truth: Truth, *, total_parties: int
) -> tuple[SampleResult, SampleResult]:
    """Blocking (the resolver, in memory) against all pairs through the rules, on the same parties."""
    started = time.perf_counter()
    resolver = service.Resolver()
    blocked = [resolver.resolve(p).identity_id for p in parties]
    block_seconds = time.perf_counter() - started
    block = pair_score((truth.of(p.event_id, p.slot), i) for p, i in zip(parties, blocked, strict=True))

    started = time.perf_counter()
    union = _UnionFind(len(parties))
    for i, a in enumerate(parties):
        compare = compare_organisations if a.kind is PartyKind.ORGANISATION else compare_persons
        for j in range(i + 1, len(parties)):
            b = parties[j]
            if b.kind is a.kind and compare(a.facts, b.facts).same:
                union.union(i, j)
    all_seconds = time.perf_counter() - started
    naive = pair_score((truth.of(p.event_id, p.slot), union.find(i)) for i, p in enumerate(parties))
    scale = (total_parties / max(len(parties), 1)) ** 2
    return (
        SampleResult("全部两两比较 / all pairs", len(parties), all_seconds, naive, all_seconds * scale),
        SampleResult(
            "分块键 / blocking",
            len(parties),
            block_seconds,
            block,
            block_seconds * total_parties / max(len(parties), 1),
        ),
    )


def sample_texts(
    items: Sequence[tuple[int, str]], *, total: int
) -> tuple[SampleResult, SampleResult, set[tuple[int, int]]]:
    """LSH (signatures, bands, candidates checked by Jaccard) against Jaccard over all pairs, on the same texts. The
    all-pairs answer is the exact one for the rule "similar = Jaccard ≥ texts.SIMILAR"; both are scored against it."""
    started = time.perf_counter()
    bodies = [texts.normalise(t) for _, t in items]
    grams = [texts.shingles(body, normalised=True) for body in bodies]
    exact: set[tuple[int, int]] = set()
    for i in range(len(items)):
        a = grams[i]
        if not texts.long_enough(bodies[i]):
            continue
        for j in range(i + 1, len(items)):
            if texts.long_enough(bodies[j]) and texts.jaccard(a, grams[j]) >= texts.SIMILAR:
                exact.add((i, j))
    all_seconds = time.perf_counter() - started

    started = time.perf_counter()
    keep = [i for i, body in enumerate(bodies) if texts.long_enough(body)]
    packed = texts.pack(texts.signatures_of([bodies[i] for i in keep]))
    block = texts.unpack(packed)
    found: set[tuple[int, int]] = set()
    for position, i in enumerate(keep):
        # As similar_events does for one event against its block: the rows after it here, each pair once.
        for offset in texts.candidates(packed[position], block[position + 1 :], limit=service.SIMILAR_CANDIDATES):
            j = keep[position + 1 + offset]
            if texts.jaccard(grams[i], grams[j]) >= texts.SIMILAR:
                found.add((i, j))
    lsh_seconds = time.perf_counter() - started
    n = len(items)
    return (
        SampleResult(
            "全部两两Jaccard / all pairs",
            n,
            all_seconds,
            Score(len(exact), len(exact), len(exact)),
            all_seconds * (total / max(n, 1)) ** 2,
        ),
        SampleResult(
            "MinHash+LSH（内存分块比较）",
            n,
            lsh_seconds,
            Score(len(exact), len(found), len(found & exact)),
            lsh_seconds * total / max(n, 1),
        ),
        exact,
    )


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the run ------------------------------------------------------------------------------------------------------


@dataclass
class Report:
    backend: str
    events: int
    parties: int = 0
    insert_seconds: float = 0.0
    link_seconds: float = 0.0
    link_cpu_seconds: float = 0.0  # this process only: on SQLite all of it, on PostgreSQL without the server's
    peak_after_insert_mib: float = 0.0
    peak_after_link_mib: float = 0.0
    people: Score | None = None
    organisations: Score | None = None
    matters_recall: float = 0.0
    matters_checked: int = 0
    matters_extra: int = 0
    similar_p50_ms: float = 0.0
    places_found: int = 0
    places_checked: int = 0
    single_p50_ms: float = 0.0
    single_p99_ms: float = 0.0
    single_joined: int = 0
    single_count: int = 0
    sample: list[SampleResult] = field(default_factory=list)
    samples_texts: list[SampleResult] = field(default_factory=list)
    result: service.LinkResult | None = None


def link_all(
    *, engine: Engine, event_ids: Sequence[int], batch: int, advance: Callable[[int], None] = lambda n: None
) -> service.LinkResult:
    parties = joined = new = merged = 0
    for start in range(0, len(event_ids), batch):
        chunk = event_ids[start : start + batch]
        with Session(for_writing(engine)) as session:
            result = service.link_events(session=session, event_ids=chunk)
            session.commit()
        parties += result.parties
        joined += result.joined
        new += result.new_identities
        merged += result.merged
        advance(len(chunk))
    return service.LinkResult(parties=parties, joined=joined, new_identities=new, merged=merged)


def register_one(
    *, engine: Engine, county: County, numbers: Numbers, rng: random.Random, mention: Mention, at: datetime
) -> tuple[int, float, service.LinkResult]:
    """As intake would: one event and its party inserted, then linked, in one transaction. Returns the event id,
    the milliseconds taken and what linking did."""
    title, content = unique_text(rng)
    building = rng.choice(county.buildings)
    grid_id, grid_path = county.grid_of_building[building]
    reporter = unique_person(numbers, rng, id_share=0.0)
    started = time.perf_counter()
    with Session(for_writing(engine)) as session:
        event_id = session.execute(
            insert(Event)
            .values(
                county_code=county.county_code,
                dispute_code=f"LS{time.time_ns() % 10**14:014d}",
                channel=Channel.HOTLINE_12345.value,
                title=title,
                content=content,
                status=EventStatus.REGISTERED.value,
                owner_unit_id=county.unit_id,
                registered_unit_id=county.unit_id,
                location_unit_id=grid_id,
                location_path=grid_path,
                building_id=building,
                reporter_name=reporter.name,
                reporter_phone=reporter.phone,
                registered_at=at,
            )
            .returning(Event.id)
        ).scalar_one()
        session.execute(
            insert(EventParty).values(
                county_code=county.county_code,
                event_id=event_id,
                role=PartyRole.APPLICANT.value,
                kind=mention.kind.value,
                name=mention.name,
                id_number=mention.id_number,
                phone=mention.phone,
            )
        )
        result = service.link_events(session=session, event_ids=[event_id])
        session.commit()
    return event_id, (time.perf_counter() - started) * 1000, result


def _chosen_sample(truth: Truth, planted: Planted, size: int, rng: random.Random) -> list[int]:
    """Events of whole planted groups (so that the sample holds links to find) and random others, half each."""
    by_truth: dict[int, list[int]] = defaultdict(list)
    planted_truths = {m.truth for m in planted.reporters.values()} | {
        m.truth for ms in planted.parties.values() for m in ms
    }
    first = truth.event_ids[0]
    for index, mention in planted.reporters.items():
        by_truth[mention.truth].append(first + index)
    for index, mentions in planted.parties.items():
        for mention in mentions:
            by_truth[mention.truth].append(first + index)
    chosen: set[int] = set()
    groups = sorted(t for t in planted_truths if t in by_truth)
    rng.shuffle(groups)
    for group in groups:
        if len(chosen) >= size // 2:
            break
        chosen.update(by_truth[group])
    clusters = list(truth.matters.values())
    rng.shuffle(clusters)
    for members in clusters:
        if len(chosen) >= size * 3 // 4:
            break
        chosen.update(members)
    while len(chosen) < min(size, len(truth.event_ids)):
        chosen.add(rng.choice(truth.event_ids))
    return sorted(chosen)


def run(
    *,
    events: int,
    sample: int,
    singles: int,
    batch: int,
    database_url: str | None,
    seed: int = 20261122,
) -> Report:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    rng = random.Random(seed)
    with _database(database_url) as url:
        engine = make_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _bigger_cache)
        report = Report(backend=engine.dialect.name, events=events)
        with console.status("准备数据库：演示县 / seeding a small county"):
            migrate.upgrade(engine)
            if not unit_count(engine):
                seed_demo_county(engine=engine, scale=0.01, seed=7)
            county = _county(engine)
        numbers = Numbers()
        planted = plan(events=events, buildings=county.buildings, numbers=numbers, rng=rng)
        truth = Truth()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("写入事件 / inserting events", total=events)
            started = time.perf_counter()
            insert_events(
                engine=engine,
                county=county,
                planted=planted,
                numbers=numbers,
                rng=rng,
                count=events,
                truth=truth,
                advance=lambda n: progress.advance(task, n),
            )
            report.insert_seconds = time.perf_counter() - started
        report.parties = len(truth.reporter) + len(truth.party)
        report.peak_after_insert_mib = _peak_mib()
        console.print(
            f"写入 {events:,} 件事件、{report.parties:,} 个当事人（含反映人）用时 {report.insert_seconds:.1f} 秒"
        )

        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("关联 / linking", total=events)
            started = time.perf_counter()
            cpu_started = time.process_time()
            report.result = link_all(
                engine=engine, event_ids=truth.event_ids, batch=batch, advance=lambda n: progress.advance(task, n)
            )
            report.link_seconds = time.perf_counter() - started
            report.link_cpu_seconds = time.process_time() - cpu_started
        report.peak_after_link_mib = _peak_mib()
        console.print(
            f"关联用时 {report.link_seconds:.1f} 秒（{events / report.link_seconds:,.0f} 件/秒），"
            f"本进程 CPU {report.link_cpu_seconds:.1f} 秒"
        )

        with console.status("评估 / scoring"):
            report.people, report.organisations = kind_scores(engine, truth)
            _score_matters(engine, truth, report, rng)
            _score_places(engine, truth, report)

        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("单件登记+关联 / one new event", total=singles)
            latencies: list[float] = []
            for n in range(singles):
                if n % 2 == 0 and planted.repeat_people:
                    truth_id, name, _number, phone = rng.choice(planted.repeat_people)
                    mention = Mention(truth_id, PartyKind.PERSON, name, None, phone)
                else:
                    mention = unique_person(numbers, rng, id_share=0.6)
                _, ms, result = register_one(
                    engine=engine, county=county, numbers=numbers, rng=rng, mention=mention, at=NOW
                )
                latencies.append(ms)
                report.single_joined += result.joined
                progress.advance(task)
            report.single_count = singles
            report.single_p50_ms = _percentile(latencies, 0.5)
            report.single_p99_ms = _percentile(latencies, 0.99)

        with console.status(f"基线：样本 {sample:,} 件两两比较 / baseline on a sample"):
            chosen = _chosen_sample(truth, planted, sample, rng)
            with Session(engine) as session:
                parties = _sample_parties(session, chosen)
                rows = session.execute(
                    select(Event.id, Event.title, Event.content).where(Event.id.in_(chosen)).order_by(Event.id)
                ).all()
            report.sample = list(sample_people(parties, truth, total_parties=report.parties))
            naive, lsh, _ = sample_texts([(i, texts.text_of(t, c)) for i, t, c in rows], total=events)
            report.samples_texts = [naive, lsh]
        engine.dispose()
    console.print(render(report))
    return report


def _sample_parties(session: Session, event_ids: Sequence[int]) -> list[service.Party]:
    """The parties of these events as the linker saw them (``parties_of`` skips what is linked already)."""
    out: list[service.Party] = []
    for chunk_start in range(0, len(event_ids), service.IN_CHUNK):
        chunk = event_ids[chunk_start : chunk_start + service.IN_CHUNK]
        events = {
            e.id: e
            for e in session.execute(
                select(Event.id, Event.county_code, Event.registered_at, Event.reporter_name, Event.reporter_phone)
                .where(Event.id.in_(chunk))
                .order_by(Event.id)
            )
        }
        parties: dict[int, list[service.Party]] = defaultdict(list)
        for row in session.execute(select(EventParty).where(EventParty.event_id.in_(chunk)).order_by(EventParty.id)):
            party = row[0]
            facts = service.facts_of(
                name=party.name, id_number=party.id_number, phone=party.phone, credit_code=party.credit_code
            )
            at = events[party.event_id].registered_at
            parties[party.event_id].append(
                service.Party(party.event_id, party.id, party.county_code, at, party.role, PartyKind(party.kind), facts)
            )
        for event_id, e in events.items():
            if e.reporter_name:
                facts = service.facts_of(name=e.reporter_name, id_number=None, phone=e.reporter_phone, credit_code=None)
                out.append(
                    service.Party(
                        event_id,
                        service.REPORTER_SLOT,
                        e.county_code,
                        e.registered_at,
                        service.REPORTER_ROLE,
                        PartyKind.PERSON,
                        facts,
                    )
                )
            out.extend(parties[event_id])
    return out


def _score_matters(engine: Engine, truth: Truth, report: Report, rng: random.Random, limit: int = 1_000) -> None:
    """Planted near-duplicates: for members of planted matters, does ``similar_events`` return the others?"""
    clusters = [members for members in truth.matters.values() if len(members) > 1]
    rng.shuffle(clusters)
    found = expected = extra = 0
    latencies: list[float] = []
    checked = 0
    with Session(engine) as session:
        for members in clusters:
            if checked >= limit:
                break
            for event_id in members:
                started = time.perf_counter()
                similar = {s.event_id for s in service.similar_events(session=session, event_id=event_id, limit=50)}
                latencies.append((time.perf_counter() - started) * 1000)
                others = set(members) - {event_id}
                expected += len(others)
                found += len(others & similar)
                extra += len(similar - others)
                checked += 1
    report.matters_recall = found / expected if expected else 1.0
    report.matters_checked = checked
    report.matters_extra = extra
    report.similar_p50_ms = _percentile(latencies, 0.5)


def _score_places(engine: Engine, truth: Truth, report: Report, limit: int = 500) -> None:
    """Planted repeat places: the building's events in the month around the group hold every member."""
    checked = complete = 0
    with Session(engine) as session:
        for building, members in truth.places[:limit]:
            if len(members) < 2:
                continue
            times = dict(session.execute(select(Event.id, Event.registered_at).where(Event.id.in_(members))).all())
            until = max(times.values())
            found = set(
                session.scalars(
                    select(Event.id).where(
                        Event.building_id == building,
                        Event.registered_at >= until - timedelta(days=30),
                        Event.registered_at <= until,
                    )
                )
            )
            checked += 1
            complete += set(members) <= found
    report.places_checked = checked
    report.places_found = complete


def render(report: Report) -> Table:
    table = Table(title=f"bench link · {report.backend} · {report.events:,} 件事件 · {report.parties:,} 个当事人")
    table.add_column("项目 / measure", no_wrap=True)
    table.add_column("数值 / figure", justify="right")
    table.add_column("说明 / note")
    rate = report.events / report.link_seconds if report.link_seconds else 0.0
    table.add_row(
        "写入事件 insert", f"{report.insert_seconds:.1f} s", f"{report.events / report.insert_seconds:,.0f} 件/秒"
    )
    table.add_row("批量关联 link all", f"{report.link_seconds:.1f} s", f"{rate:,.0f} 件/秒（目标 100 万件 < 60 秒）")
    table.add_row(
        "关联 本进程CPU",
        f"{report.link_cpu_seconds:.1f} s",
        "墙钟时间在共享机器上受其他进程影响；PostgreSQL 时不含服务器进程",
    )
    if report.result is not None:
        table.add_row(
            "当事人 parties",
            f"{report.result.parties:,}",
            f"并入已有画像 {report.result.joined:,}，新建 {report.result.new_identities:,}，"
            f"因同一记录两画像自动合并 {report.result.merged:,}",
        )
    table.add_row(
        "内存峰值 peak RSS",
        f"{report.peak_after_link_mib:,.0f} MiB",
        f"写入后 {report.peak_after_insert_mib:,.0f} MiB（ru_maxrss，含真值）",
    )
    if report.people is not None:
        table.add_row(
            "人员关联 精确率/召回率",
            f"{report.people.precision:.2%} / {report.people.recall:.2%}",
            f"真实同人对 {report.people.true_pairs:,}，关联对 {report.people.found_pairs:,}，"
            f"正确 {report.people.correct_pairs:,}",
        )
    if report.organisations is not None:
        table.add_row(
            "组织关联 精确率/召回率",
            f"{report.organisations.precision:.2%} / {report.organisations.recall:.2%}",
            f"真实同一组织对 {report.organisations.true_pairs:,}，关联对 {report.organisations.found_pairs:,}，"
            f"正确 {report.organisations.correct_pairs:,}",
        )
    table.add_row(
        "类案串联 召回率",
        f"{report.matters_recall:.2%}",
        f"{report.matters_checked:,} 件已植入事件；另找到非植入相似事件 {report.matters_extra:,} 个；"
        f"similar_events p50 {report.similar_p50_ms:.1f} ms",
    )
    table.add_row("一地多事 完整", f"{report.places_found}/{report.places_checked}", "楼栋+30天窗口查询含全部成员")
    table.add_row(
        "单件登记+关联 p50/p99",
        f"{report.single_p50_ms:.1f} / {report.single_p99_ms:.1f} ms",
        f"{report.single_count} 件（半数为已有人员，并入 {report.single_joined} 个）；目标 < 50 ms",
    )
    for result in report.sample + report.samples_texts:
        extrapolated = f"；按 N 外推 {_duration(result.extrapolated)}" if result.extrapolated is not None else ""
        table.add_row(
            f"样本 {result.label}",
            f"{result.seconds:.2f} s",
            f"{result.items:,} 项；精确率 {result.score.precision:.2%} 召回率 {result.score.recall:.2%}{extrapolated}",
        )
    if len(report.sample) == 2 and report.sample[1].seconds:
        table.add_row("样本 人员 两两/分块", f"{report.sample[0].seconds / report.sample[1].seconds:,.0f}×", "同一样本")
    if len(report.samples_texts) == 2 and report.samples_texts[1].seconds:
        ratio = report.samples_texts[0].seconds / report.samples_texts[1].seconds
        table.add_row("样本 文本 两两/LSH", f"{ratio:,.0f}×", "同一样本")
    return table


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} 分钟"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.1f} 天"


def _bigger_cache(dbapi_connection: Any, _record: Any) -> None:
    """Index inserts in random key order (blocking keys, LSH buckets) need a page cache far above the default."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
    cursor.close()


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-link-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def link_command(
    events: int = typer.Option(1_000_000, "--events", min=100, max=10_000_000, help="合成事件数"),
    sample: int = typer.Option(2_000, "--sample", min=50, max=20_000, help="两两比较基线的样本事件数"),
    singles: int = typer.Option(200, "--singles", min=1, max=10_000, help="逐件登记并关联的新事件数"),
    batch: int = typer.Option(10_000, "--batch", min=1, max=200_000, help="每次 link_events 的事件数"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="在该数据库中生成并关联（应为空库或演示库）；缺省为临时 SQLite 数据库"
    ),
) -> None:
    """百万事件的人员／组织与类案关联：耗时、内存、植入关联的精确率与召回率、单件关联延迟，与同次测得的两两比较基线对照。"""
    run(events=events, sample=sample, singles=singles, batch=batch, database_url=database_url)
