"""The key-project taxonomy is data: 8 classes, 25 subclasses, unique codes nested in their classes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fengqiao.registers.taxonomy import Taxonomy, taxonomy


def test_eight_classes_and_twenty_five_subclasses_with_unique_codes() -> None:
    tax = taxonomy()
    assert len(tax.classes) == 8
    codes = [s.code for c in tax.classes for s in c.subclasses]
    assert len(codes) == 25
    assert len(set(codes)) == 25
    assert len({c.code for c in tax.classes}) == 8
    for cls in tax.classes:
        assert all(s.code.startswith(cls.code) for s in cls.subclasses)


def test_every_subclass_has_a_preset_task_force() -> None:
    tax = taxonomy()
    for cls in tax.classes:
        for sub in cls.subclasses:
            assert tax.task_force(sub.code), sub.code
    assert tax.task_force("0201") == ["人社部门", "住建部门", "属地镇街", "派出所"]


def test_mental_health_is_a_restricted_person_category() -> None:
    category = taxonomy().person_category("mental_health")
    assert category is not None
    assert category.restricted


def test_a_subclass_outside_its_class_is_refused() -> None:
    with pytest.raises(ValidationError, match="不属于大类"):
        Taxonomy.model_validate(
            {
                "classes": [
                    {"code": "01", "name": "甲", "task_force": [], "subclasses": [{"code": "0201", "name": "乙"}]}
                ],
                "person_categories": [],
                "place_categories": [],
            }
        )
