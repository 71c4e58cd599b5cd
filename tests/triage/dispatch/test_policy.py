"""The dispatch rules as a pure function: level by risk, collective matters, dual dispatch, responsibility lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.events.kinds import Channel, HandlingLevel, RiskLevel
from fengqiao.triage.dispatch.policy import DispatchPolicyError, Facts, default_policy, load_policy, suggest

GRID_CHAIN = ("331081", "331081100", "331081100201", "331081100201001")
NAMES = ("温岭市", "泽国镇", "泽国东村", "泽国东村第1网格")
POLICE = ("331081PS01", "泽国派出所")


def _facts(**overrides: object) -> Facts:
    values: dict[str, object] = {
        "channel": Channel.HOTLINE_12345,
        "category": "neighbour",
        "risk": RiskLevel.LOW,
        "collective": False,
        "location": GRID_CHAIN,
        "location_names": NAMES,
        "police_station": POLICE,
    }
    values.update(overrides)
    return Facts(**values)  # type: ignore[arg-type]


def test_simple_matters_stay_in_the_grid() -> None:
    suggestion = suggest(_facts(), default_policy())
    assert (suggestion.primary, suggestion.level, suggestion.joint) == (GRID_CHAIN[3], HandlingLevel.GRID, None)
    assert not suggestion.auto
    assert "网格" in suggestion.reasons[0]


def test_risk_raises_the_level() -> None:
    assert suggest(_facts(risk=RiskLevel.MEDIUM), default_policy()).primary == GRID_CHAIN[2]
    high = suggest(_facts(risk=RiskLevel.HIGH), default_policy())
    assert (high.primary, high.level) == (GRID_CHAIN[1], HandlingLevel.TOWN)


def test_collective_matters_go_to_the_town() -> None:
    suggestion = suggest(_facts(collective=True), default_policy())
    assert suggestion.level == HandlingLevel.TOWN
    assert any("多人一事" in r for r in suggestion.reasons)


def test_a_110_neighbour_dispute_is_dispatched_to_both_rooms() -> None:
    suggestion = suggest(_facts(channel=Channel.POLICE_110), default_policy())
    assert (suggestion.primary, suggestion.joint) == (GRID_CHAIN[1], POLICE[0])
    assert suggestion.auto
    assert any("一事双派" in r for r in suggestion.reasons)


def test_a_110_public_order_matter_goes_to_the_police_alone() -> None:
    suggestion = suggest(_facts(channel=Channel.POLICE_110, category="public_order"), default_policy())
    assert (suggestion.primary, suggestion.joint) == (POLICE[0], None)


def test_a_place_known_only_to_the_town_is_handled_there() -> None:
    suggestion = suggest(_facts(location=GRID_CHAIN[:2], location_names=NAMES[:2]), default_policy())
    assert (suggestion.primary, suggestion.level) == (GRID_CHAIN[1], HandlingLevel.TOWN)


def test_the_owner_department_co_handles_at_town_level() -> None:
    owner = ("331081D05", "市生态环境分局")
    high = suggest(_facts(risk=RiskLevel.HIGH, owner_department=owner), default_policy())
    assert high.co_handlers == (owner[0],)
    low = suggest(_facts(owner_department=owner), default_policy())
    assert low.co_handlers == ()


def test_a_broken_rules_file_names_file_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "rules.toml"
    broken.write_text(
        '[levels]\nlow = "street"\nmedium = "village"\nhigh = "town"\ncollective = "town"\n'
        "[dual_dispatch]\nchannels = []\npolice_categories = []\n[auto]\nchannels = []\n",
        encoding="utf-8",
    )
    with pytest.raises(DispatchPolicyError) as error:
        load_policy(broken)
    assert str(broken) in str(error.value)
    assert "levels.low" in str(error.value)
