"""The two corpora: a seed training corpus generated deterministically from phrase data and channel templates,
and the hand-written held-out evaluation set, which is only ever read by ``evaluation``.

The generator wraps each subcategory's phrases in the styles reports arrive in (12345 hotline summaries, 110 call
notes, grid patrol reports, front-desk records, colloquial messages) with Wenling names, places, amounts and times,
and sprinkles risk cues over every category so the classifier does not learn "刀" as a category word.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from fengqiao.core.policyfile import describe
from fengqiao.triage.taxonomy import Taxonomy, TaxonomyError, default_taxonomy
from fengqiao.triage.taxonomy.schema import load_yaml

DATA_DIR = Path(__file__).parent / "data"
SEED_PHRASES_FILE = DATA_DIR / "seed_phrases.yaml"
EVAL_SET_FILE = DATA_DIR / "eval_set.txt"
SEED = 20231
PER_SUBCATEGORY = 36


@dataclass(frozen=True)
class Example:
    text: str
    subcategory: str  # dotted code, e.g. "labour.wage_arrears"
    high_risk: bool = False

    @property
    def category(self) -> str:
        return self.subcategory.split(".", 1)[0]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SURNAMES = "王陈林张李叶江郑赵黄徐金蔡潘郭梁阮颜应毛卢戴罗池许周吴杨朱蒋何沈胡章方谢丁洪鲍项汪柯"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国海燕志红云飞玲春兰文斌林峰晓东小"
_TOWNS = _words(
    "太平街道 城东街道 城西街道 城北街道 横峰街道 泽国镇 大溪镇 松门镇 箬横镇 新河镇 石塘镇 滨海镇 温峤镇 城南镇 "
    "石桥头镇 坞根镇 东部新区"
)
_VILLAGE_HEADS = "东西南北上下前后新老大小横高长白沙石金竹桐塘河岭溪山洋屿湖三五"
_VILLAGE_LANDS = "浦洋塘岙屿山岩坑湾岭桥河溪埭门港墩田垟园林庄"
_ESTATES = _words("锦绣花园 万昌小区 九龙湖公寓 东辉新村 银泉小区 明珠花苑 锦屏公寓 学府名苑 春晖家园 龙泉苑 泰安小区")
_ROADS = _words("万昌中路 九龙大道 东辉北路 人民东路 太平南路 横湖路 锦屏大道 中华路 繁昌路 北山路 三星大道")
_SPOTS = _words("菜市场门口 小区门口 厂门口 村口 农贸市场 公交站旁 学校附近 工业区 出租房 老街")
_TIMES = _words("今天上午 昨天晚上 前天 本周 近日 今天凌晨 上个月 最近一段时间 今日下午 连续几天")
_DEMANDS = _words(
    "要求有关部门尽快处理 希望村里帮忙调解 请求相关部门介入 要求给个说法 希望尽快解决 请求协调处理 "
    "多次协商无果 已报村调委会 请相关部门核实 要求赔偿损失 已上门劝解 已拍照上报 情况属实 请求帮助 "
    "双方各执一词 当事人情绪尚稳定 望尽快落实"
)
_COLLOQUIAL_TAILS = _words("太过分了 怎么办啊 有没有人管 实在没办法了 气死我了 谁来管管 求帮忙 真的受不了了 这合理吗")
_TYPOS = (("的", "得"), ("在", "再"), ("已经", "以经"), ("那", "哪"), ("做", "作"), ("帐", "账"))
# Cues scattered over all categories (a fraction of texts), so cue words carry risk, not category.
_CUE_SNIPPETS = (
    "对方扬言要砍人",
    "对方拿着菜刀",
    "当事人说要喝农药",
    "当事人扬言要跳楼",
    "双方发生推搡还动手打人",
    "有人砸了东西",
    "现场聚集了几十名群众",
    "村民集体到镇政府上访",
    "十多人围堵在门口",
    "家里有八十多岁的老人",
    "涉及一名未成年孩子",
    "当事人情绪激动",
    "对方威胁要报复",
    "有人拿着汽油",
)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _place(rng: random.Random) -> str:
    town = rng.choice(_TOWNS)
    kind = rng.random()
    if kind < 0.4:
        return f"{town}{rng.choice(_VILLAGE_HEADS)}{rng.choice(_VILLAGE_LANDS)}村"
    if kind < 0.65:
        return f"{town}{rng.choice(_ESTATES)}{rng.randint(1, 30)}幢"
    if kind < 0.85:
        return f"{town}{rng.choice(_ROADS)}{rng.randint(1, 600)}号"
    return f"{town}{rng.choice(_SPOTS)}"


def _fill(phrase: str, rng: random.Random) -> str:
    return phrase.format(
        other=_name(rng),
        amount=rng.choice((rng.randint(2, 99) * 1000, rng.randint(1, 50) * 10000, rng.randint(300, 9999))),
        n=rng.choice((12, 15, 20, 23, 30, 45, 60, 80, 100, 150)),
        months=rng.randint(2, 14),
        place=_place(rng),
    )


def _frame(issue: str, rng: random.Random) -> str:
    """Wrap an issue in one of the channel styles."""
    name, place, time, demand = _name(rng), _place(rng), rng.choice(_TIMES), rng.choice(_DEMANDS)
    style = rng.randrange(9)
    if style == 0:
        return f"市民来电反映：{place}{issue}，{demand}。"
    if style == 1:
        return f"报警人{name}称{time}在{place}{issue}，{demand}。"
    if style == 2:
        return f"网格员巡查发现，{place}{issue}，{demand}。"
    if style == 3:
        return f"{name}到中心反映，{issue}，{demand}。"
    if style == 4:
        return f"{issue}，{rng.choice(_COLLOQUIAL_TAILS)}"
    if style == 5:
        return f"{time}，{place}居民{name}反映{issue}。"
    if style == 6:
        return f"群众通过市域共治码反映：{issue}。地址：{place}"
    if style == 7:
        return f"来访人{name}（{place}）反映：{issue}，{demand}。"
    return issue


def _noisy(text: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        wrong, right = rng.choice(_TYPOS)
        text = text.replace(wrong, right, 1)
    if rng.random() < 0.1 and len(text) > 12:
        cut = rng.randrange(len(text))
        text = text[:cut] + text[cut + 1 :]
    return text


def load_seed_phrases(path: Path = SEED_PHRASES_FILE, *, taxonomy: Taxonomy | None = None) -> dict[str, list[str]]:
    taxonomy = taxonomy or default_taxonomy()
    try:
        phrases = TypeAdapter(dict[str, list[str]]).validate_python(load_yaml(path))
    except ValidationError as exc:
        raise TaxonomyError(describe(path, exc)) from exc
    unknown = sorted(set(phrases) - set(taxonomy.subcategories))
    missing = sorted(set(taxonomy.subcategories) - set(phrases))
    if unknown or missing:
        raise TaxonomyError(f"{path}: 子类与分类体系不一致 unknown subcategories {unknown}, missing {missing}")
    return phrases


def generate_seed_corpus(*, per_subcategory: int = PER_SUBCATEGORY, seed: int = SEED) -> list[Example]:
    """The seed training corpus: the same list for the same arguments, in every process."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for code, phrases in load_seed_phrases().items():
        for i in range(per_subcategory):
            issue = _fill(phrases[i % len(phrases)], rng)
            if rng.random() < 0.12:
                issue = f"{issue}，{rng.choice(_CUE_SNIPPETS)}"
            examples.append(Example(text=_noisy(_frame(issue, rng), rng), subcategory=code))
    return examples


@lru_cache(maxsize=1)
def seed_corpus() -> tuple[Example, ...]:
    return tuple(generate_seed_corpus())


def load_eval_set(path: Path = EVAL_SET_FILE, *, taxonomy: Taxonomy | None = None) -> list[Example]:
    taxonomy = taxonomy or default_taxonomy()
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or parts[1] not in ("H", "-") or parts[0] not in taxonomy.subcategories:
            raise TaxonomyError(f"{path}:{number}: 格式应为 expected '<category>.<subcategory> | H or - | text'")
        examples.append(Example(text=parts[2], subcategory=parts[0], high_risk=parts[1] == "H"))
    return examples
