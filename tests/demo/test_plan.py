from __future__ import annotations

import pytest

from fengqiao.basedata.kinds import BuildingKind
from fengqiao.demo.plan import apportion, plan_county
from fengqiao.demo.towns import TOWNS
from fengqiao.jurisdiction.kinds import UnitVariant


def test_full_scale_plan_matches_wenlings_magnitudes() -> None:
    plan = plan_county(scale=1.0)
    assert plan.total("villages") == pytest.approx(900, rel=0.03)
    assert plan.total("grids") == pytest.approx(2_200, rel=0.03)
    assert plan.total("joint_stations") == 52
    assert plan.total("police_stations") == 18
    assert plan.total("building_count") == 295_600
    assert plan.expected_rooms == pytest.approx(2_230_000, rel=0.01)
    assert plan.total("residents") == pytest.approx(1_400_000, rel=0.005)
    assert 0.2 < plan.total("floating") / plan.total("residents") < 0.35
    assert plan.total("enterprises") == 30_000
    assert plan.buildings(BuildingKind.VILLAGE_HOUSE) > plan.buildings(BuildingKind.ESTATE)


def test_full_scale_village_counts_follow_real_towns() -> None:
    villages = {town.spec.short_name: town.villages for town in plan_county(scale=1.0).towns}
    assert villages["大溪"] == 109
    assert villages["箬横"] == 91
    assert villages["泽国"] == 62
    assert villages["松门"] == 69
    assert villages["城南"] == 49
    assert villages["坞根"] == 14


def test_subdistricts_are_mostly_communities_and_get_more_grids_per_unit() -> None:
    for town in plan_county(scale=1.0).towns:
        if town.spec.variant is UnitVariant.SUBDISTRICT:
            assert town.communities > town.rural_villages
        else:
            assert town.communities < town.rural_villages


@pytest.mark.parametrize("scale", [0.001, 0.01, 0.05, 0.3])
def test_small_scales_shrink_the_tree_by_sqrt_with_floors(scale: float) -> None:
    plan = plan_county(scale=scale)
    full = plan_county(scale=1.0)
    for town, big in zip(plan.towns, full.towns, strict=True):
        assert town.villages >= 3
        assert town.grids >= town.villages
        assert town.villages == max(3, round(big.villages * scale**0.5))
        assert 1 <= town.joint_stations <= min(big.joint_stations, town.villages)
        assert town.buildings[BuildingKind.PUBLIC] >= town.villages
    assert plan.total("residents") == pytest.approx(1_400_000 * scale, rel=0.01)


def test_scale_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        plan_county(scale=0)
    with pytest.raises(ValueError, match="scale"):
        plan_county(scale=5)


def test_apportion_keeps_the_total_and_the_minimum() -> None:
    parts = apportion(52, [t.villages for t in TOWNS], minimum=1)
    assert sum(parts) == 52
    assert min(parts) >= 1
    assert apportion(10, [1, 1, 1]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
