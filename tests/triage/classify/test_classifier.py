from __future__ import annotations

from fengqiao.triage.classify.corpus import load_eval_set
from fengqiao.triage.classify.evaluation import evaluate
from fengqiao.triage.classify.model import TwoLevelModel
from fengqiao.triage.classify.rules import default_rules
from fengqiao.triage.classify.service import classify_with
from fengqiao.triage.taxonomy import TOP_CODES, default_taxonomy


def test_returns_a_valid_code_risk_and_reasons(model: TwoLevelModel) -> None:
    [result] = classify_with(model, ["市民来电反映：其在泽国镇一家水泵厂上班，老板拖欠两个月工资不给。"])
    assert result.category in TOP_CODES
    assert result.subcategory in default_taxonomy().subcategories
    assert result.subcategory.startswith(result.category + ".")
    assert result.category == "labour"
    assert result.risk in ("low", "medium", "high")
    assert 0.0 < result.confidence <= 1.0
    assert any(reason.startswith("关键词：") for reason in result.reasons)
    assert result.department == default_taxonomy().subcategory(result.subcategory).department


def test_a_family_dispute_with_a_threat_to_kill_is_high_risk_and_says_why(model: TwoLevelModel) -> None:
    [result] = classify_with(model, ["夫妻俩闹离婚，男方扬言要杀了女方全家"])
    assert result.category == "marriage_family"
    assert result.risk == "high"
    assert result.base_risk == "medium"
    assert "threat" in result.cues
    assert any("扬言" in reason for reason in result.reasons)
    assert "civil_to_criminal" in result.tags


def test_cue_groups_weapons_self_harm_and_collective_action() -> None:
    rules = default_rules()
    assert {m.rule for m in rules.match("对方拿着斧头站在门口")} >= {"weapon"}
    assert {m.rule for m in rules.match("讨不到钱说要喝农药")} >= {"self_harm"}
    assert {m.rule for m in rules.match("几十名工人聚集在厂门口")} >= {"collective_count", "collective_action"}
    assert rules.raised_risk("low", rules.match("家里有个八十多岁的老人")) == "medium"


def test_negated_and_ordinary_counts_raise_nothing() -> None:
    rules = default_rules()
    assert rules.match("双方没有打人，只是吵了几句") == []
    assert rules.match("每天上班十二个小时，拖欠三个月工资") == []
    assert rules.raised_risk("low", []) == "low"


def test_batch_keeps_order(model: TwoLevelModel) -> None:
    texts = ["楼上卫生间漏水把我家天花板泡坏了", "路灯坏了一个月没人修", "有人在河边徘徊说不想活了"]
    results = classify_with(model, texts)
    assert [r.category for r in results] == ["neighbour", "city_management", "public_order"]
    assert results[2].risk == "high"


def test_held_out_accuracy_and_high_risk_recall(model: TwoLevelModel) -> None:
    """Loose floors; `fengqiao model evaluate` prints the real figures."""
    metrics = evaluate(lambda texts: classify_with(model, texts), load_eval_set())
    assert metrics["examples"] >= 300
    assert metrics["top_accuracy"] >= 0.80
    assert metrics["sub_accuracy"] >= 0.65
    assert metrics["high_risk_recall"] >= 0.90


def test_model_round_trips_through_bytes(model: TwoLevelModel) -> None:
    again = TwoLevelModel.from_bytes(model.to_bytes())
    text = "小区物业费从每平方一块二涨到一块八"
    assert again.score([text])[0] == model.score([text])[0]
