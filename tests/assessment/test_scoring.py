"""Assessment scores by hand: the pure scoring of one unit, the rules file, ranks; then the towns and villages of the
hand-built October of tests/reports/history.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fengqiao.assessment.rules import AssessedLevel, AssessmentRulesError, LevelRules, default_rules, load_rules
from fengqiao.assessment.service import UnitScore, assess, rank_units, score_unit
from fengqiao.core.errors import InvalidInput
from fengqiao.events.deadlines import default_policy
from fengqiao.events.kinds import SupervisionLevel
from fengqiao.metrics.live import Rate
from tests.events.world import World
from tests.reports.history import build_history

START, END = date(2026, 10, 1), date(2026, 10, 31)


def _rules() -> LevelRules:
    return LevelRules.model_validate(
        {
            "label": "镇(街道)",
            "metrics": {
                "resolution_rate": {"points": 60, "target": 0.8},
                "satisfaction_rate": {"points": 40, "target": 1.0},
            },
            "penalties": {"yellow": 5, "red": 10},
            "max_penalty": 12,
        }
    )


def test_points_by_hand() -> None:
    score = score_unit(
        rules=_rules(),
        unit_rates={"resolution_rate": Rate(6, 10), "satisfaction_rate": Rate(9, 10)},
        supervisions={"yellow": 1},
        unit_code="T",
        unit_name="甲镇",
    )
    # 60 × 0.6/0.8 = 45; 40 × 0.9 = 36; 81 − 5.
    assert [m.points for m in score.metrics] == [45.0, 36.0]
    assert score.earned == 81.0
    assert score.penalty == 5
    assert score.score == 76.0
    assert [(p.level, p.count, p.points) for p in score.penalties] == [("yellow", 1, 5), ("red", 0, 0)]


def test_above_target_earns_full_points_and_nothing_to_measure_earns_full_points() -> None:
    score = score_unit(
        rules=_rules(),
        unit_rates={"resolution_rate": Rate(9, 10), "satisfaction_rate": Rate(0, 0)},
        supervisions={},
        unit_code="T",
        unit_name="甲镇",
    )
    assert [m.points for m in score.metrics] == [60.0, 40.0]
    assert score.metrics[1].value is None
    assert score.score == 100.0


def test_penalties_are_capped_and_the_score_never_below_zero() -> None:
    score = score_unit(
        rules=_rules(),
        unit_rates={"resolution_rate": Rate(0, 10), "satisfaction_rate": Rate(0, 10)},
        supervisions={"yellow": 1, "red": 2},  # 25 points, capped at 12
        unit_code="T",
        unit_name="甲镇",
    )
    assert score.penalty == 12
    assert score.penalty_capped
    assert score.score == 0.0


def test_equal_scores_share_a_rank() -> None:
    units = [
        UnitScore(
            unit_code=code, unit_name=code, parent_name="", metrics=[], penalties=[], penalty=0, earned=s, score=s
        )
        for code, s in (("C", 80.0), ("A", 90.0), ("B", 80.0), ("D", 70.0))
    ]
    rank_units(units)
    assert [(u.unit_code, u.rank) for u in units] == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]


def test_rules_file() -> None:
    rules = default_rules()
    for level in AssessedLevel:
        assert rules.level(level).full_score == 100
    # Town penalties are the points staff see when issuing the order (events deadlines policy).
    deadlines = default_policy().supervision
    town = rules.level(AssessedLevel.TOWN)
    for card in (SupervisionLevel.YELLOW, SupervisionLevel.RED):
        assert town.penalty_for(card.value) == deadlines[card].penalty_points


def test_unknown_metric_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[levels.town]\nlabel = "镇"\n[levels.town.metrics.happiness]\npoints = 10\ntarget = 0.9\n'
        '[levels.village]\nlabel = "村"\n[levels.village.metrics.resolution_rate]\npoints = 10\ntarget = 0.9\n',
        encoding="utf-8",
    )
    with pytest.raises(AssessmentRulesError, match="happiness"):
        load_rules(path)


def test_towns_of_october_by_hand(world: World) -> None:
    build_history(world)
    result = assess(session=world.session, parent=world.tree.county, level=AssessedLevel.TOWN, start=START, end=END)
    by_name = {u.unit_name: u for u in result.units}
    zeguo, daxi = by_name["泽国镇"], by_name["大溪镇"]
    # 泽国镇: e1 e2 closed of e1 e2 e3 e7 → 2/4; callbacks 满意 + 不满意 → 1/2; e1 e2 closed on time, at town level.
    assert [(m.name, m.rate.numerator, m.rate.denominator) for m in zeguo.metrics] == [
        ("resolution_rate", 2, 4),
        ("satisfaction_rate", 1, 2),
        ("on_time_rate", 2, 2),
        ("local_resolution_rate", 2, 2),
    ]
    # 30 × 0.5/0.95 = 15.79; 25 × 0.5/0.95 = 13.16; 25; 20 → 73.95, less one yellow card (5).
    assert [m.points for m in zeguo.metrics] == [15.79, 13.16, 25.0, 20.0]
    assert zeguo.penalty == 5
    assert zeguo.score == 68.95
    # 大溪镇: e4 e6 closed of e4 e5 e6 e10 → 2/4 (15.79); e6 基本满意 → 1/1 (25); 25; 20; one red card (10).
    assert daxi.score == 75.79
    assert [(p.level, p.count) for p in daxi.penalties if p.count] == [("red", 1)]
    assert [(u.rank, u.unit_name) for u in result.units] == [(1, "大溪镇"), (2, "泽国镇")]


def test_villages_of_a_town_by_hand(world: World) -> None:
    build_history(world)
    town = world.tree.towns[0]
    result = assess(session=world.session, parent=town, level=AssessedLevel.VILLAGE, start=START, end=END)
    by_code = {u.unit_code: u for u in result.units}
    v0, v1 = by_code[world.tree.villages[0].code], by_code[world.tree.villages[1].code]
    assert v0.penalty == 0
    assert v1.penalty == 3  # the yellow card of e3, at the village rate
    # v1: e3 open → resolution and first resolution 0/1 → 0 points; no callbacks and nothing closed → the
    # satisfaction and on-time rates have nothing to measure: full points.
    assert [(m.name, m.points) for m in v1.metrics] == [
        ("resolution_rate", 0.0),
        ("satisfaction_rate", 25.0),
        ("on_time_rate", 25.0),
        ("first_resolution_rate", 0.0),
    ]
    assert v1.score == 47.0
    # The county's red card went to 大溪镇 itself: no village of it is marked down for it.
    daxi = assess(session=world.session, parent=world.tree.towns[1], level=AssessedLevel.VILLAGE, start=START, end=END)
    assert all(u.penalty == 0 for u in daxi.units)


def test_a_village_has_no_towns_to_assess(world: World) -> None:
    with pytest.raises(InvalidInput):
        assess(session=world.session, parent=world.tree.villages[0], level=AssessedLevel.TOWN, start=START, end=END)
