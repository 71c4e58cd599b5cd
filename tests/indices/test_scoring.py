"""The pure scoring by hand: each normalisation, weights renormalised over what was measured, contributions, ranks."""

from __future__ import annotations

import pytest

from fengqiao.indices.config import Linear, MinMax, Threshold, parse_config
from fengqiao.indices.scoring import Raw, normalise, rank, score_level, score_subject
from fengqiao.indices.sources import Level

CONFIG = """
[indices.demo]
label = "测试指数"
levels = ["town", "village"]

[indices.demo.nodes.a]
label = "甲维度"
weight = 3

[indices.demo.nodes.a.nodes.rate]
label = "化解率"
weight = 2
source = "metric:resolution_rate"
direction = "higher"
normalise = { method = "linear", floor = 0.5, target = 1.0 }

[indices.demo.nodes.a.nodes.returns]
label = "退回率"
weight = 1
source = "metric:return_rate"
direction = "lower"
normalise = { method = "linear", floor = 0.2, target = 0.0 }

[indices.demo.nodes.b]
label = "乙维度"
weight = 1

[indices.demo.nodes.b.nodes.citizens]
label = "扫码占比"
weight = 1
source = "citizen_share"
direction = "higher"
normalise = { method = "minmax" }

[indices.demo.nodes.b.nodes.staff]
label = "配备率"
weight = 1
source = "staffing_rate"
direction = "higher"
normalise = { method = "threshold", steps = [[1.0, 100], [0.5, 60]], otherwise = 10 }
levels = ["village"]
"""


def _index():  # type: ignore[no-untyped-def]
    return parse_config(CONFIG).index("demo")


def test_linear_both_directions_clamped() -> None:
    higher = Linear(method="linear", floor=0.5, target=1.0)
    assert normalise(higher, "higher", 0.75) == 50.0
    assert normalise(higher, "higher", 0.2) == 0.0
    assert normalise(higher, "higher", 1.2) == 100.0
    lower = Linear(method="linear", floor=0.2, target=0.0)
    assert normalise(lower, "lower", 0.05) == pytest.approx(75.0)
    assert normalise(lower, "lower", 0.5) == 0.0
    assert normalise(higher, "higher", None) is None


def test_minmax_and_threshold() -> None:
    rule = MinMax(method="minmax")
    assert normalise(rule, "higher", 0.3, [0.1, 0.3, 0.5]) == pytest.approx(50.0)
    assert normalise(rule, "lower", 0.1, [0.1, 0.3, 0.5]) == 100.0
    assert normalise(rule, "higher", 0.3, [0.3]) == 100.0  # nobody to compare with
    steps = Threshold(method="threshold", steps=[(1.0, 100), (0.5, 60)], otherwise=10)
    assert [normalise(steps, "higher", v) for v in (1.0, 0.7, 0.5, 0.49)] == [100, 60, 60, 10]
    low = Threshold(method="threshold", steps=[(0.0, 100), (0.1, 50)])
    assert [normalise(low, "lower", v) for v in (0.0, 0.1, 0.2)] == [100, 50, 0]


def test_a_subject_by_hand() -> None:
    tree = score_subject(
        _index(),
        Level.VILLAGE,
        {
            "metric:resolution_rate": Raw.ratio(3, 4),  # 0.75 → 50
            "metric:return_rate": Raw.ratio(1, 20),  # 0.05 → 75
            "citizen_share": Raw(0.2),  # minmax over 0.1 … 0.3 → 50
            "staffing_rate": Raw.ratio(1, 2),  # 0.5 → 60
        },
        {"citizen_share": [0.1, 0.2, 0.3]},
    )
    a, b = tree.children
    # 甲 = (2 × 50 + 1 × 75) / 3 = 58.33; 乙 = (50 + 60) / 2 = 55; index = (3 × 58.33 + 55) / 4 = 57.5.
    assert a.score == pytest.approx(175 / 3)
    assert b.score == pytest.approx(55.0)
    assert tree.score == pytest.approx(57.5)
    rate, returns = a.children
    assert (rate.share, rate.index_share) == (pytest.approx(2 / 3), pytest.approx(0.5))
    assert rate.contribution == pytest.approx(25.0)  # 0.5 × 50
    assert returns.contribution == pytest.approx(0.25 * 75)
    # The contributions of the indicators add up to the index.
    leaves = [leaf for dim in tree.children for leaf in dim.children]
    assert sum(leaf.contribution for leaf in leaves) == pytest.approx(tree.score)
    assert rate.raw is not None
    assert (rate.raw.numerator, rate.raw.denominator) == (3, 4)


def test_nothing_measured_drops_out_and_siblings_fill_its_share() -> None:
    tree = score_subject(
        _index(),
        Level.TOWN,  # 配备率 applies to villages only
        {"metric:resolution_rate": Raw.ratio(0, 0), "metric:return_rate": Raw.ratio(0, 10), "citizen_share": Raw(0.1)},
        {"citizen_share": [0.1]},
    )
    a, b = tree.children
    rate, returns = a.children
    assert rate.score is None
    assert rate.share == 0
    assert rate.contribution == 0
    assert returns.share == 1.0
    assert returns.score == 100.0
    staff = b.children[1]
    assert staff.score is None
    assert staff.raw is None
    # 甲 = 100, 乙 = 100 (the only one measured): index 100.
    assert tree.score == 100.0


def test_nothing_at_all_gives_no_score() -> None:
    tree = score_subject(_index(), Level.TOWN, {})
    assert tree.score is None
    assert all(child.score is None for child in tree.children)


def test_level_uses_peers_for_minmax() -> None:
    scores = score_level(
        _index(),
        Level.TOWN,
        {
            "T1": {"metric:resolution_rate": Raw(1.0), "citizen_share": Raw(0.0)},
            "T2": {"metric:resolution_rate": Raw(1.0), "citizen_share": Raw(0.1)},
        },
    )
    # 甲 100 for both; 乙: T1 is the worst (0), T2 the best (100).
    assert scores["T1"].score == pytest.approx(75.0)
    assert scores["T2"].score == pytest.approx(100.0)


def test_ranks_share_places() -> None:
    assert rank({"C": 80.0, "A": 90.0, "B": 80.0, "D": 70.0, "E": None}) == {
        "A": 1,
        "B": 2,
        "C": 2,
        "D": 4,
        "E": None,
    }


def test_as_dict_is_the_drill_down() -> None:
    tree = score_subject(_index(), Level.VILLAGE, {"metric:resolution_rate": Raw.ratio(3, 4)})
    out = tree.as_dict()
    leaf = out["children"][0]["children"][0]
    assert leaf["raw"] == {"value": 0.75, "numerator": 3, "denominator": 4, "note": ""}
    assert (leaf["score"], leaf["weight"], leaf["source"], leaf["direction"], leaf["method"]) == (
        50.0,
        2.0,
        "metric:resolution_rate",
        "higher",
        "linear",
    )
