"""Indices of the hand-built October (tests/indices/history.py, tests/reports/history.py) by hand, with small
configurations written here — the shipped weights may change, these answers may not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.indices import service
from fengqiao.indices.config import default_config, parse_config
from fengqiao.indices.models import IndexScore
from fengqiao.indices.sources import Level
from fengqiao.reports import period as periods
from tests.events.world import World
from tests.indices.history import build_grid_work
from tests.reports.history import NOW, build_history

OCTOBER = periods.month(2026, 10)

HEALTH = """
[indices.health]
label = "健康"
levels = ["worker", "grid", "village", "town"]

[indices.health.nodes.activity]
label = "履职活跃"
weight = 40
[indices.health.nodes.activity.nodes.patrol]
label = "排查上报"
weight = 1
source = "patrol_reports"
direction = "higher"
normalise = { method = "linear", floor = 0, target = 8 }
[indices.health.nodes.activity.nodes.actions]
label = "履职操作"
weight = 1
source = "worker_actions"
direction = "higher"
normalise = { method = "linear", floor = 0, target = 20 }

[indices.health.nodes.quality]
label = "履职质量"
weight = 60
[indices.health.nodes.quality.nodes.accept]
label = "按时签收"
weight = 1
source = "accept_on_time"
direction = "higher"
normalise = { method = "linear", floor = 0.6, target = 1.0 }
[indices.health.nodes.quality.nodes.back]
label = "按时反馈"
weight = 1
source = "report_back_on_time"
direction = "higher"
normalise = { method = "linear", floor = 0.6, target = 1.0 }
[indices.health.nodes.quality.nodes.overdue]
label = "超期"
weight = 1
source = "task_overdue_rate"
direction = "lower"
normalise = { method = "threshold", steps = [[0.0, 100], [0.3, 50]], otherwise = 0 }
[indices.health.nodes.quality.nodes.returns]
label = "退回"
weight = 1
source = "task_return_rate"
direction = "lower"
normalise = { method = "linear", floor = 0.5, target = 0.0 }
[indices.health.nodes.quality.nodes.visits]
label = "走访"
weight = 1
source = "key_person_visits"
direction = "higher"
normalise = { method = "linear", floor = 0.0, target = 1.0 }
[indices.health.nodes.quality.nodes.staffing]
label = "配备"
weight = 1
source = "staffing_rate"
direction = "higher"
normalise = { method = "linear", floor = 0.0, target = 1.0 }
levels = ["grid", "village", "town"]
"""

GOVERNANCE = """
[indices.gov]
label = "治理"
levels = ["county", "town", "village"]

[indices.gov.nodes.manage]
label = "社会管理"
weight = 3
[indices.gov.nodes.manage.nodes.resolution]
label = "化解率"
weight = 1
source = "metric:resolution_rate"
direction = "higher"
normalise = { method = "linear", floor = 0.0, target = 1.0 }

[indices.gov.nodes.co]
label = "政社共治"
weight = 1
[indices.gov.nodes.co.nodes.satisfaction]
label = "满意率"
weight = 1
source = "metric:satisfaction_rate"
direction = "higher"
normalise = { method = "minmax" }
[indices.gov.nodes.co.nodes.supervision]
label = "督办率"
weight = 1
source = "supervision_rate"
direction = "lower"
normalise = { method = "linear", floor = 50, target = 0 }

[indices.gov.nodes.self]
label = "社会自治"
weight = 1
[indices.gov.nodes.self.nodes.citizens]
label = "扫码占比"
weight = 1
source = "citizen_share"
direction = "higher"
normalise = { method = "linear", floor = 0.0, target = 0.5 }
[indices.gov.nodes.self.nodes.warnings]
label = "预警签收"
weight = 1
source = "warning_ack_on_time"
direction = "higher"
normalise = { method = "linear", floor = 0.0, target = 1.0 }
"""


def _compute(world: World, text: str, code: str, level: Level) -> service.LevelScores:
    return service.compute(
        session=world.session,
        county_code=world.tree.county.code,
        index_code=code,
        level=level,
        period=OCTOBER,
        now=NOW,
        config=parse_config(text),
    )


def _leaves(row: service.ScoreRow) -> dict[str, dict]:  # type: ignore[type-arg]
    out = {}
    for dim in row.detail["children"]:
        for leaf in dim["children"]:
            out[leaf["code"]] = leaf
    return out


def test_grid_worker_by_hand(world: World) -> None:
    build_grid_work(world)
    result = _compute(world, HEALTH, "health", Level.WORKER)
    by_key = {r.subject: r for r in result.rows}
    me = by_key[f"w{world.staff['grid_worker'].id}"]
    leaves = _leaves(me)
    raw = {code: (leaf["raw"]["numerator"], leaf["raw"]["denominator"]) for code, leaf in leaves.items()}
    assert raw == {
        "patrol": (2, 1),
        "actions": (5, 1),
        "accept": (2, 3),  # T1, T3 on time; T2 late
        "back": (1, 1),
        "overdue": (1, 2),  # T2 of T1, T2 (T3 is due in November)
        "returns": (1, 4),
        "visits": (1, 2),
        "staffing": (None, None),  # not measured for a person
    }
    assert leaves["staffing"]["score"] is None
    # 活跃 = (2/8 × 100 + 5/20 × 100) / 2 = 25;
    # 质量 = (16.67 [(2/3 − 0.6) / 0.4] + 100 + 0 [0.5 > 0.3] + 50 [(0.5 − 0.25) / 0.5] + 50) / 5 = 43.33;
    # index = 0.4 × 25 + 0.6 × 43.33 = 36.
    assert [d["score"] for d in me.detail["children"]] == [25.0, 43.33]
    assert me.score == 36.0
    assert me.rank == 1
    # The other full-time workers did nothing: 0 for activity, nothing to judge their quality by; a shared rank.
    others = [r for r in result.rows if r is not me]
    assert {r.name for r in others} == {"other_grid_worker姓名", "other_town_grid_worker姓名"}
    assert [(r.score, r.rank) for r in others] == [(0.0, 2), (0.0, 2)]
    assert me.peers == 3
    assert me.unit_code == world.grid.code
    assert me.parent_name == world.village.name


def test_grid_and_village_teams_by_hand(world: World) -> None:
    build_grid_work(world)
    grid = {r.subject: r for r in _compute(world, HEALTH, "health", Level.GRID).rows}[world.grid.code]
    # As the worker, plus 配备 1/1: 质量 = (16.67 + 100 + 0 + 50 + 50 + 100) / 6 = 52.78; 10 + 0.6 × 52.78 = 41.67.
    assert _leaves(grid)["staffing"]["raw"]["numerator"] == 1
    assert grid.score == 41.67
    village = {r.subject: r for r in _compute(world, HEALTH, "health", Level.VILLAGE).rows}[world.village.code]
    # Two grids, one staffed: 配备 0.5 → 质量 (16.67 + 100 + 0 + 50 + 50 + 50) / 6 = 44.44; 10 + 26.67 = 36.67.
    assert (_leaves(village)["staffing"]["raw"]["numerator"], _leaves(village)["staffing"]["raw"]["denominator"]) == (
        1,
        2,
    )
    assert village.score == 36.67
    assert _leaves(village)["patrol"]["raw"]["note"] == "专职网格员 1 人"


def test_towns_and_county_by_hand(world: World) -> None:
    build_history(world)
    towns = {r.name: r for r in _compute(world, GOVERNANCE, "gov", Level.TOWN).rows}
    zeguo, daxi = towns["泽国镇"], towns["大溪镇"]
    z, d = _leaves(zeguo), _leaves(daxi)
    # 泽国镇: closed e1 e2 of e1 e2 e3 e7 → 2/4; callbacks 1/2; one supervision (yellow, to its village) per 4
    # events → 25 per hundred; no QR reports 0/4; warning w2 never acknowledged 0/1.
    assert (z["resolution"]["raw"]["numerator"], z["resolution"]["raw"]["denominator"]) == (2, 4)
    assert z["supervision"]["raw"]["value"] == 25.0
    assert (z["warnings"]["raw"]["numerator"], z["warnings"]["raw"]["denominator"]) == (0, 1)
    # 大溪镇: 2/4 closed, callbacks 1/1, the red card per 4 events, e10 by QR code 1/4, w1 not acknowledged.
    assert (d["citizens"]["raw"]["numerator"], d["citizens"]["raw"]["denominator"]) == (1, 4)
    # 满意率 min-max over the two towns: 泽国 0, 大溪 100. 督办 25 per hundred → 50.
    # 泽国 = (3 × 50 + (0 + 50) / 2 + (0 + 0) / 2) / 5 = 35; 大溪 = (150 + 75 + (50 + 0) / 2) / 5 = 50.
    assert (zeguo.score, daxi.score) == (35.0, 50.0)
    assert [(r.name, r.rank) for r in _compute(world, GOVERNANCE, "gov", Level.TOWN).rows] == [
        ("大溪镇", 1),
        ("泽国镇", 2),
    ]
    county = _compute(world, GOVERNANCE, "gov", Level.COUNTY).rows[0]
    c = _leaves(county)
    # The county: closed e1 e2 e4 e6 e12 of e1–e7 e10 e12 → 5/9; callbacks 2/3 (alone: min-max 100); three
    # supervisions per 9 events → 33.3 per hundred → 33.3; QR 1/9 → 22.2; warnings 0/2 → 0.
    assert (c["resolution"]["raw"]["numerator"], c["resolution"]["raw"]["denominator"]) == (5, 9)
    assert c["satisfaction"]["score"] == 100.0
    expected = (3 * 500 / 9 + (100 + 100 / 3) / 2 + (200 / 9 + 0) / 2) / 5
    assert county.score == round(expected, 2)


def test_store_and_read_back_the_history(world: World) -> None:
    build_grid_work(world)
    county = world.tree.county.code
    done = service.compute_month(session=world.session, county_code=county, period=OCTOBER, now=NOW)
    config = default_config()
    assert set(done) == {(code, lv.value) for code, index in config.indices.items() for lv in index.levels}
    assert done[("governance", "town")] == 2
    assert done[("grid_worker_health", "worker")] == 3
    stored = service.level_scores(
        session=world.session, county_code=county, index_code="grid_team", level="grid", period=OCTOBER, now=NOW
    )
    assert not stored.live
    assert len(stored.rows) == 8
    assert all(r.final and r.config_sha256 == config.sha256 for r in stored.rows)
    # Again: replaced, not added.
    service.compute_month(session=world.session, county_code=county, period=OCTOBER, now=NOW)
    n = world.session.scalars(select(IndexScore).where(IndexScore.index_code == "grid_team")).all()
    assert len(n) == 8 + 4 + 2  # grids, villages, towns
    # The current month is computed on demand, never read from a stored row.
    live = service.level_scores(
        session=world.session,
        county_code=county,
        index_code="grid_team",
        level="grid",
        period=periods.month(2026, 11),
        now=NOW,
    )
    assert live.live
    assert not live.rows[0].final


def test_bad_requests(world: World) -> None:
    with pytest.raises(NotFound):
        service.get_index("happiness")
    with pytest.raises(InvalidInput, match="没有层级"):
        service.check_level(default_config().index("governance"), "worker")
    with pytest.raises(InvalidInput, match="尚未开始"):
        service.parse_month("2026-12", now=NOW)
    assert service.parse_month(None, now=NOW).key == "2026-11"
