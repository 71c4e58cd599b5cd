"""Report texts for simulated events: a subcategory's core phrase with its slots filled by real details of the demo
county (parties, their village or road, an enterprise, amounts, durations), wrapped in the way the channel writes
(a 12345 work order, a 110 call note, a court filing, a grid patrol record, a front-desk record, a citizen's
message). Deterministic for a given ``random.Random``."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from fengqiao.demo.simulation.phrases import CORES
from fengqiao.events.kinds import Channel

_SLOT = re.compile(r"\{(\w+)\}")

RELATIONS = ("丈夫", "妻子", "前夫", "前妻", "儿子", "女儿", "弟弟", "哥哥", "母亲", "父亲", "侄子", "女婿")
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_WHEN = ("昨天晚上", "今天上午", "前天下午", "上周", "本月初", "近一个月来", "这几天", "今天凌晨", "上个月")
_REQUESTS_DISPUTE = (
    "请求村里出面调解",
    "希望有关部门帮助调处",
    "要求对方赔偿损失",
    "请求依法处理",
    "希望尽快解决，避免矛盾激化",
    "请求组织双方当面协商",
)
_REQUESTS_OTHER = (
    "请求尽快处理",
    "希望有关部门到现场查看",
    "请予以答复",
    "希望能给个说法",
    "请相关单位核实处置",
)
# Occasional words that raise the risk (the classifier's cue rules look for such things in real reports).
_ESCALATION_CUES = (
    "对方情绪激动，扬言要拿刀讨说法",
    "当事人称再不解决就要到市里上访",
    "现场围观群众较多",
    "一方扬言要同归于尽",
    "已经发生过推搡",
)


@dataclass(frozen=True)
class Details:
    """Who and where, taken from the demo county's base data."""

    a: str
    b: str
    place: str  # a spot people name: "泽国镇华阳社区", "文昌路", "锦园小区"
    ent: str  # an enterprise name
    town: str
    village: str


def _amount(rng: random.Random) -> str:
    value = rng.choice((800, 1500, 2600, 3800, 5000, 8000, 12000, 20000, 35000, 50000, 80000, 150000, 300000))
    value = int(value * rng.uniform(0.8, 1.3)) // 100 * 100
    return f"{value:,}" if value >= 10000 and rng.random() < 0.5 else str(value)


def _fill(template: str, rng: random.Random, details: Details) -> str:
    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        match name:
            case "a":
                return details.a
            case "b":
                return details.b
            case "rel":
                return rng.choice(RELATIONS)
            case "amt":
                return _amount(rng)
            case "months":
                return str(rng.randint(2, 14))
            case "days":
                return str(rng.randint(2, 20))
            case "years":
                return str(rng.randint(2, 25))
            case "n":
                return str(rng.choice((3, 4, 5, 6, 8, 12, 15, 20, 30, 46)))
            case "place":
                return details.place
            case "ent":
                return details.ent
            case "floor":
                return str(rng.randint(2, 18))
            case "plate":
                return f"浙J{rng.choice(_PLATE_LETTERS)}{rng.randint(10000, 99999)}"
        raise KeyError(name)

    return _SLOT.sub(slot, template)


def core_phrase(subcategory: str, rng: random.Random, details: Details) -> str:
    return _fill(rng.choice(CORES[subcategory].split("|")), rng, details)


def _short(core: str) -> str:
    head = re.split(r"[，。；]", core, maxsplit=1)[0]
    return head if len(head) <= 22 else head[:20] + "…"


def compose(
    *,
    subcategory: str,
    subcategory_name: str,
    channel: Channel,
    is_dispute: bool,
    rng: random.Random,
    details: Details,
    repeat: bool = False,
) -> tuple[str, str]:
    """(title, content) of a report about ``subcategory`` as ``channel`` would write it."""
    core = core_phrase(subcategory, rng, details)
    when = rng.choice(_WHEN)
    request = rng.choice(_REQUESTS_DISPUTE if is_dispute else _REQUESTS_OTHER)
    extra = f"，{rng.choice(_ESCALATION_CUES)}" if rng.random() < 0.03 else ""
    again = rng.choice(("此前已反映过，问题仍未解决。", "再次反映：", "第二次来电，")) if repeat else ""
    match channel:
        case Channel.HOTLINE_12345:
            content = rng.choice(
                (
                    f"{again}市民{details.a}来电反映：{core}{extra}。诉求：{request}。",
                    f"{again}来电人{details.a}（{details.village}）称，{when}{core}{extra}，{request}。",
                    f"{again}{details.a}反映{details.town}{details.village}：{core}。来电人{request}。",
                )
            )
            title = rng.choice((f"反映{_short(core)}", f"{details.village}{subcategory_name}", _short(core)))
        case Channel.POLICE_110:
            content = rng.choice(
                (
                    f"{when}接报警，报警人{details.a}称：{core}{extra}。民警到场后双方情绪稳定，"
                    "属民事纠纷，建议属地调解。",
                    f"报警人{details.a}在{details.place}报警，{core}{extra}。经现场了解系纠纷类警情，移交属地处置。",
                    f"{details.place}有人报警：{core}{extra}。出警民警已初步劝解。",
                )
            )
            title = rng.choice((f"纠纷警情：{_short(core)}", f"{details.village}警情移交", _short(core)))
        case Channel.COURT:
            content = rng.choice(
                (
                    f"原告{details.a}诉被告{details.b}{subcategory_name}一案。{core}。"
                    "经诉前引导，原告同意先行调解，现移交属地组织调解。",
                    f"申请人{details.a}与被申请人{details.b}纠纷：{core}。法院立案前委派属地调解。",
                )
            )
            title = rng.choice((f"诉前调解：{details.a}与{details.b}", f"委派调解（{subcategory_name}）"))
        case Channel.GRID_PATROL:
            content = rng.choice(
                (
                    f"网格员走访时了解到：{core}{extra}。已做初步劝解并上报。",
                    f"网格排查：{details.place}，{core}{extra}，需进一步跟进。",
                    f"巡查发现{details.village}{core}。",
                )
            )
            title = rng.choice((f"网格排查：{_short(core)}", _short(core), f"{details.village}{subcategory_name}"))
        case Channel.FIRST_PETITION:
            content = rng.choice(
                (
                    f"{again}信访人{details.a}来信反映：{core}{extra}。请求：{request}。",
                    f"{again}{details.a}来访称，{when}{core}，多次协商无果，{request}。",
                )
            )
            title = rng.choice((f"{details.a}来信", f"初信初访：{_short(core)}"))
        case Channel.CITY_MANAGEMENT:
            content = rng.choice(
                (
                    f"智慧城管巡查上报：{core}。请属地核实处置。",
                    f"城管执法队员在{details.place}发现：{core}。",
                )
            )
            title = rng.choice((_short(core), f"城管移交：{subcategory_name}"))
        case Channel.CITIZEN_QR:
            content = rng.choice(
                (f"{core}，麻烦帮忙处理一下。", f"{again}{when}{core}！{request}。", f"{core}{extra}。")
            )
            title = _short(core)
        case _:
            content = rng.choice(
                (
                    f"{again}{details.a}到窗口反映：{core}{extra}。{request}。",
                    f"{again}来访人{details.a}（住{details.place}）称，{when}{core}，{request}。",
                    f"{details.a}现场登记：{core}。",
                )
            )
            title = rng.choice((f"{details.a}反映{subcategory_name}", _short(core), f"来访：{_short(core)}"))
    return title[:60], content
