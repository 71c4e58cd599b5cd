from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fengqiao.demo.departments import DEPARTMENTS
from fengqiao.triage.classify.corpus import EVAL_SET_FILE, load_eval_set, load_seed_phrases, seed_corpus
from fengqiao.triage.classify.rules import DEFAULT_RULES_FILE, load_rules
from fengqiao.triage.taxonomy import TOP_CODES, TaxonomyError, default_taxonomy, load_taxonomy
from fengqiao.triage.taxonomy.schema import DEFAULT_TAXONOMY_FILE


def _write(tmp_path: Path, data: object, name: str = "taxonomy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _raw() -> Any:
    return yaml.safe_load(DEFAULT_TAXONOMY_FILE.read_text(encoding="utf-8"))


def test_exactly_the_sixteen_top_codes_with_chinese_names() -> None:
    taxonomy = default_taxonomy()
    assert tuple(category.code for category in taxonomy.categories) == TOP_CODES
    assert taxonomy.category("land_acquisition").name == "征地拆迁与安置补偿"
    assert taxonomy.category("labour").name == "劳动争议与欠薪"


def test_subcategories_are_complete_and_reference_county_departments() -> None:
    taxonomy = default_taxonomy()
    assert 200 <= len(taxonomy) <= 240
    assert len(taxonomy.tags) == 28
    for sub in taxonomy:
        assert sub.department in DEPARTMENTS
        assert sub.department_code.startswith("331081D")
        assert sub.risk in ("low", "medium", "high")
        assert sub.handle_days >= 1
        assert set(sub.tags) <= set(taxonomy.tags)
    wage = taxonomy.subcategory("labour.wage_arrears")
    assert (wage.name, wage.department, wage.is_dispute) == ("拖欠工资", "温岭市人力资源和社会保障局", True)
    assert taxonomy.subcategory("neighbour.water_leak").name == "漏水纠纷"
    violence = taxonomy.subcategory("marriage_family.domestic_abuse")
    assert violence.sensitive
    assert violence.risk == "high"
    assert "domestic_violence" in violence.tags


def test_missing_field_error_names_file_and_field(tmp_path: Path) -> None:
    data = _raw()
    del data["categories"][3]["handle_days"]
    path = _write(tmp_path, data)
    with pytest.raises(TaxonomyError, match=r"taxonomy\.yaml: categories\.3\.handle_days: Field required"):
        load_taxonomy(path)


def test_unknown_department_and_tag_are_refused(tmp_path: Path) -> None:
    data = _raw()
    data["categories"][0]["subcategories"][1]["department"] = "不存在的局"
    with pytest.raises(TaxonomyError, match=r"marriage_family\.child_custody\)\.department: 未知部门"):
        load_taxonomy(_write(tmp_path, data))
    data = _raw()
    data["categories"][1]["subcategories"][0]["tags"] = ["no_such_tag"]
    with pytest.raises(TaxonomyError, match=r"tags: 未知标签"):
        load_taxonomy(_write(tmp_path, data))


def test_top_codes_must_be_exactly_the_sixteen(tmp_path: Path) -> None:
    data = _raw()
    data["categories"][-1]["code"] = "misc"
    with pytest.raises(TaxonomyError, match=r"missing \['other'\], unexpected \['misc'\]"):
        load_taxonomy(_write(tmp_path, data))


def test_wrong_risk_value_and_duplicate_code(tmp_path: Path) -> None:
    data = _raw()
    data["categories"][2]["subcategories"][0]["risk"] = "severe"
    with pytest.raises(TaxonomyError, match=r"categories\.2\.subcategories\.0\.risk"):
        load_taxonomy(_write(tmp_path, data))
    data = _raw()
    subs = data["categories"][2]["subcategories"]
    subs.append(dict(subs[0]))
    with pytest.raises(TaxonomyError, match="duplicate subcategory code 'homestead'"):
        load_taxonomy(_write(tmp_path, data))


def test_dotted_codes_must_fit_the_event_column(tmp_path: Path) -> None:
    data = _raw()
    data["categories"][8]["subcategories"][0]["code"] = "compensation_standard"
    with pytest.raises(TaxonomyError, match=r"land_acquisition\.compensation_standard\)\.code: 完整代码超过32个字符"):
        load_taxonomy(_write(tmp_path, data))


def test_broken_yaml_and_bad_rule_regex_are_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("categories: [\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="YAML 格式错误"):
        load_taxonomy(path)
    rules = yaml.safe_load(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    rules["rules"][0]["patterns"].append("(unclosed")
    with pytest.raises(TaxonomyError, match=r"risk_cues\.yaml: rules\.0\.patterns: .*invalid regular expression"):
        load_rules(_write(tmp_path, rules, "risk_cues.yaml"))


def test_seed_phrases_cover_every_subcategory_and_nothing_else(tmp_path: Path) -> None:
    phrases = load_seed_phrases()
    assert set(phrases) == set(default_taxonomy().subcategories)
    phrases["labour.no_such_thing"] = ["x"]
    with pytest.raises(TaxonomyError, match=r"unknown subcategories \['labour\.no_such_thing'\]"):
        load_seed_phrases(_write(tmp_path, phrases, "seed_phrases.yaml"))


def test_seed_corpus_is_deterministic_and_covers_all_subcategories() -> None:
    first = seed_corpus()
    assert {example.subcategory for example in first} == set(default_taxonomy().subcategories)
    from fengqiao.triage.classify.corpus import generate_seed_corpus

    assert generate_seed_corpus()[:50] == list(first[:50])


def test_eval_set_is_large_covers_all_categories_and_is_disjoint_from_training() -> None:
    examples = load_eval_set()
    assert len(examples) >= 300
    assert {example.category for example in examples} == set(TOP_CODES)
    assert sum(example.high_risk for example in examples) >= 50
    seed_texts = {example.text for example in seed_corpus()}
    assert not seed_texts & {example.text for example in examples}
    assert EVAL_SET_FILE.name == "eval_set.txt"
