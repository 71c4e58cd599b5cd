"""People's names: surnames weighted as in Wenling (local people) or nationwide (floating people), given names
from character pools that follow the fashion of the person's birth decades. Vectorised over numpy arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Taizhou's own mix: 陈, 林, 王 lead; 叶, 江, 阮, 颜, 应, 池 are far commoner here than nationwide.
_LOCAL_SURNAMES = (
    "陈11 林7 王6 张5 李4 叶4 江3.5 郑3 赵3 黄3 徐2.5 金2.5 蔡2.5 潘2 郭2 梁2 阮1.8 杨1.5 周1.5 吴1.5 颜1.5 "
    "应1.5 毛1.5 卢1.5 戴1.5 罗1.2 池1.2 许1.2 刘1 彭1 朱1 冯1 蒋1 何1 沈1 胡1 章1 莫0.8 任0.8 方0.8 谢0.8 "
    "孙0.8 钟0.7 苏0.7 夏0.6 邱0.6 丁0.6 董0.6 程0.5 洪0.5 鲍0.5 姜0.5 牟0.5 项0.5 汪0.5 柯0.4 狄0.3 泮0.3"
)
_NATIONAL_SURNAMES = (
    "王7.1 李7 张6.7 刘5.4 陈4.5 杨3.1 黄2.2 赵2.1 吴2 周1.9 徐1.5 孙1.4 马1.3 朱1.3 胡1.3 郭1.2 何1.2 高1.1 "
    "林1.1 罗1.1 郑1 梁0.9 谢0.8 宋0.8 唐0.8 许0.7 韩0.7 冯0.7 邓0.7 曹0.7 彭0.6 曾0.6 肖0.6 田0.6 董0.5 "
    "袁0.5 潘0.5 于0.5 蒋0.5 蔡0.5 余0.5 杜0.5 叶0.4 程0.4 苏0.4 魏0.4 吕0.4 丁0.4 任0.4 沈0.4 姚0.4 卢0.4 "
    "姜0.3 崔0.3 钟0.3 谭0.3 陆0.3 汪0.3 范0.3 金0.3 石0.3 廖0.3 贾0.3 夏0.3 韦0.3 龙0.3 熊0.3 雷0.2 蒙0.1"
)

# (born before, male characters, female characters); the last row covers everyone younger.
_GIVEN_NAME_ERAS: tuple[tuple[int, str, str], ...] = (
    (
        1965,
        "根土法福荣德明华国良友才宝祥生林金水春仁义礼昌兴财富贵全顺发海山志忠正文武信云松建新民",
        "兰英秀梅菊花珍凤娥妹香仙翠琴云月素玉彩芳娟桂莲美春娇荷杏丽宝",
    ),
    (
        1990,
        "建国明华军伟强平海林斌杰勇峰涛波辉鹏超俊志文刚敏磊亮毅飞兵卫东江荣永亚晓云剑锋坚宏达胜利彬",
        "丽芳燕红梅玲霞萍英兰琴云珍娟静敏婷雪倩洁琳莉颖佳慧艳晓亚微薇群素妮琼青",
    ),
    (
        9999,
        "宇轩子晨博浩俊杰涛昊睿铭泽豪航一骏哲辰然煜凯翔鑫磊瑞诚嘉逸阳鹏帆琦宸皓楠祺梓锦",
        "涵萱悦妍诗雨梦彤可思紫菲露怡欣婷佳琪雯璐蕾瑶晴馨婧沁依语芷梓颖滢蓉茜若安玥汐",
    ),
)
_SINGLE_CHARACTER_SHARE = 0.18


def _weighted(table: str) -> tuple[NDArray[np.str_], NDArray[np.float64]]:
    names = np.array([entry[0] for entry in table.split()])
    weights = np.array([float(entry[1:]) for entry in table.split()])
    return names, weights / weights.sum()


_LOCAL = _weighted(_LOCAL_SURNAMES)
_NATIONAL = _weighted(_NATIONAL_SURNAMES)


def draw_surnames(rng: np.random.Generator, size: int, *, local: bool) -> NDArray[np.str_]:
    names, weights = _LOCAL if local else _NATIONAL
    return names[rng.choice(len(names), size=size, p=weights)]


def draw_given_names(
    rng: np.random.Generator, *, female: NDArray[np.bool_], birth_year: NDArray[np.int64]
) -> NDArray[np.str_]:
    size = len(female)
    given = np.empty(size, dtype="<U2")
    era = np.searchsorted(np.array([limit for limit, _, _ in _GIVEN_NAME_ERAS]), birth_year, side="right")
    era = np.minimum(era, len(_GIVEN_NAME_ERAS) - 1)
    for index, (_, male_chars, female_chars) in enumerate(_GIVEN_NAME_ERAS):
        for is_female, pool in ((False, male_chars), (True, female_chars)):
            where = np.flatnonzero((era == index) & (female == is_female))
            if where.size == 0:
                continue
            chars = np.array(list(pool))
            first = chars[rng.integers(0, len(chars), where.size)]
            second = chars[rng.integers(0, len(chars), where.size)]
            second[rng.random(where.size) < _SINGLE_CHARACTER_SHARE] = ""
            given[where] = np.char.add(first, second)
    return given


def person_names(
    rng: np.random.Generator,
    *,
    female: NDArray[np.bool_],
    birth_year: NDArray[np.int64],
    local: bool,
    surnames: NDArray[np.str_] | None = None,
) -> list[str]:
    """Full names; pass ``surnames`` to keep a family's surname (children take their father's)."""
    family = draw_surnames(rng, len(female), local=local) if surnames is None else surnames
    return [str(name) for name in np.char.add(family, draw_given_names(rng, female=female, birth_year=birth_year))]
