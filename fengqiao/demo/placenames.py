"""Place names built from the parts Wenling's real names are made of: 塘下村, 横山头村, 王家岙村, 锦屏社区,
文昌路, 万昌中路, 锦绣花园. Each function returns names unique among ``taken`` and adds them to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np


def _words(text: str) -> list[str]:
    return text.split()


# Villages: position or quality + landform (东浦, 前洋, 新塘), often with a tail (横山头, 岭下), or a clan's
# name (王家岙, 郭岙).
_VILLAGE_HEADS = "东西南北上下前后里外中新老大小横高长白青沙石金竹桐梅茶松柳杨桥塘河岭溪山洋屿湖马龙凤虎鹤三五七九双方"
_VILLAGE_LANDFORMS = "浦洋塘岙屿山岩坑湾岭桥河溪埭门港墩田垟园林庄坦岸闸坝井湖泾"
_VILLAGE_TAILS = "头下里口岸底前后"
_CLANS = "王陈林张李叶江郑赵黄徐金蔡潘郭梁阮颜应毛卢戴罗池许周吴杨朱蒋何沈胡章方谢丁洪鲍项汪柯"

# Communities and estates: two auspicious or local characters.
_COMMUNITY_FIRST = "锦东西南北万九新横明文龙凤丽春学翠桂银金华兴康和泰瑞嘉安福宁永中太三江青紫阳星"
_COMMUNITY_SECOND = "屏门昌龙城湖星辉珠泉景园晖府苑庭都阳岭桥河山江湾林丰安平华坛峰塘"

_ROAD_STEMS = _words(
    "人民 中华 万昌 东辉 锦屏 九龙 横湖 太平 三星 新华 建设 工业 创业 兴业 振兴 文昌 明珠 百丈 方城 繁昌 "
    "体育 北山 南屏 东海 前洋 后洋 虎山 凤凰 迎宾 世纪 银泉 金穗 银湖 商城 双峰 望海 观海 东湖 学府 育英 "
    "文化 健康 和平 解放 友谊 团结 光明 胜利 交通 环城 中心 青年 科技 汇智 智造 机电 兴港 富民 利民 "
    "石夫人 楼山 青屿 长安 永安 泰安 锦园 春晖 龙泉 康宁 新城 滨河 沿河 江南 江北 湖滨 园林 府前 通济"
)
_ROAD_DIRECTIONS = "东西南北中"

_ESTATE_STEMS = _words(
    "锦绣 阳光 金色 中央 名都 东湖 万昌 世纪 锦园 春江 绿城 翠苑 丽景 碧水 金都 银都 紫金 帝景 书香 滨江 "
    "御景 凯旋 星河 龙湖 月湖 新城 香樟 桂花 海韵 君悦 怡和 锦江 泰和 康城 华府 东方 天和 九龙 横湖 银泉 "
    "明珠 凤凰 玉兰 金桂 江南 嘉禾 瑞丰 长安 和园 锦华 南屏 北山 太平 东辉 国际 时代 城市 盛世 学府"
)
_ESTATE_SUFFIXES = _words("花园 小区 家园 新村 公寓 名苑 华庭 雅苑 嘉园 公馆 府 苑 城")
_ESTATE_SUFFIX_WEIGHTS = np.array([14, 16, 12, 8, 5, 6, 6, 6, 5, 3, 4, 4, 3], dtype=float)


def _pick(rng: np.random.Generator, chars: str) -> str:
    return chars[int(rng.integers(len(chars)))]


def _draw_unique(make: Callable[[], str], count: int, taken: set[str], *, seeds: Iterable[str] = ()) -> list[str]:
    names: list[str] = []
    for name in seeds:
        if len(names) == count:
            break
        if name not in taken:
            taken.add(name)
            names.append(name)
    attempts = 0
    while len(names) < count:
        name = make()
        attempts += 1
        if attempts > 200 * (count + 10):
            raise RuntimeError("name space exhausted")
        if name in taken or len(set(name)) < len(name):
            continue
        taken.add(name)
        names.append(name)
    return names


def _village_stem(rng: np.random.Generator) -> str:
    form = rng.random()
    if form < 0.42:
        return _pick(rng, _VILLAGE_HEADS) + _pick(rng, _VILLAGE_LANDFORMS)
    if form < 0.72:
        return _pick(rng, _VILLAGE_HEADS) + _pick(rng, _VILLAGE_LANDFORMS) + _pick(rng, _VILLAGE_TAILS)
    if form < 0.80:
        return _pick(rng, _VILLAGE_LANDFORMS) + _pick(rng, _VILLAGE_TAILS)
    if form < 0.92:
        return _pick(rng, _CLANS) + "家" + _pick(rng, _VILLAGE_LANDFORMS)
    return _pick(rng, _CLANS) + _pick(rng, _VILLAGE_LANDFORMS)


def village_stems(rng: np.random.Generator, count: int, *, taken: set[str], seeds: Iterable[str] = ()) -> list[str]:
    """Stems of village names (塘下, 横山头); the village is called stem + 村."""
    return _draw_unique(lambda: _village_stem(rng), count, taken, seeds=seeds)


def community_stems(rng: np.random.Generator, count: int, *, taken: set[str], seeds: Iterable[str] = ()) -> list[str]:
    """Stems of community names (锦屏, 东门); the community is called stem + 社区."""
    return _draw_unique(lambda: _pick(rng, _COMMUNITY_FIRST) + _pick(rng, _COMMUNITY_SECOND), count, taken, seeds=seeds)


def road_names(rng: np.random.Generator, count: int, *, local_stems: Iterable[str], taken: set[str]) -> list[str]:
    """Roads of one town: 文昌路, 万昌中路, 泽国大道, 新华街. ``local_stems`` adds the town's own names."""
    stems = [*_ROAD_STEMS, *local_stems]

    def make() -> str:
        stem = stems[int(rng.integers(len(stems)))]
        direction = _pick(rng, _ROAD_DIRECTIONS) if rng.random() < 0.22 else ""
        kind = rng.random()
        suffix = "路" if kind < 0.72 else "街" if kind < 0.88 else "大道"
        return stem + (direction + "路" if direction else suffix)

    return _draw_unique(make, count, taken)


def estate_names(rng: np.random.Generator, count: int, *, taken: set[str]) -> list[str]:
    """Housing estates of one town: 锦绣花园, 东湖小区, 万昌家园."""
    probabilities = _ESTATE_SUFFIX_WEIGHTS / _ESTATE_SUFFIX_WEIGHTS.sum()

    def make() -> str:
        stem = _ESTATE_STEMS[int(rng.integers(len(_ESTATE_STEMS)))]
        suffix = _ESTATE_SUFFIXES[int(rng.choice(len(_ESTATE_SUFFIXES), p=probabilities))]
        return stem + suffix

    names = _draw_unique(make, min(count, len(_ESTATE_STEMS) * len(_ESTATE_SUFFIXES) // 2), taken)
    # A big town outgrows the name space; real towns then number their phases (锦绣花园二期).
    phase = 2
    while len(names) < count:
        names.extend(f"{name}{_phase_label(phase)}" for name in names[: count - len(names)])
        phase += 1
    return names


def _phase_label(phase: int) -> str:
    digits = "零一二三四五六七八九十"
    return f"{digits[phase] if phase <= 10 else phase}期"


def grid_name(village_name: str, serial: int) -> str:
    return f"{village_name}第{serial}网格"
