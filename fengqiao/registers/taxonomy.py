"""The key-project taxonomy (8 classes / 25 subclasses with standard codes and preset task forces) and the key
person / key place categories, read from ``taxonomy.toml``. Pure data, cached per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from fengqiao.core.policyfile import load_toml
from fengqiao.events.kinds import RiskLevel

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")


class Subclass(BaseModel):
    code: str = Field(pattern=r"^\d{4}$")
    name: str
    task_force: list[str] = Field(default_factory=list)


class ProjectClass(BaseModel):
    code: str = Field(pattern=r"^\d{2}$")
    name: str
    task_force: list[str]
    subclasses: list[Subclass]


class Category(BaseModel):
    code: str
    name: str
    level: RiskLevel = RiskLevel.LOW
    restricted: bool = False


class Taxonomy(BaseModel):
    classes: list[ProjectClass]
    person_categories: list[Category]
    place_categories: list[Category]

    @model_validator(mode="after")
    def _codes_fit(self) -> Taxonomy:
        seen: set[str] = set()
        for cls in self.classes:
            for sub in cls.subclasses:
                if not sub.code.startswith(cls.code):
                    raise ValueError(f"小类 {sub.code} 不属于大类 {cls.code}")
                if sub.code in seen:
                    raise ValueError(f"小类编码重复：{sub.code}")
                seen.add(sub.code)
        if len({c.code for c in self.classes}) != len(self.classes):
            raise ValueError("大类编码重复")
        for kind in (self.person_categories, self.place_categories):
            if len({c.code for c in kind}) != len(kind):
                raise ValueError("类别编码重复")
        return self

    def subclass(self, code: str) -> tuple[ProjectClass, Subclass] | None:
        for cls in self.classes:
            for sub in cls.subclasses:
                if sub.code == code:
                    return cls, sub
        return None

    def task_force(self, subclass_code: str) -> list[str]:
        found = self.subclass(subclass_code)
        if found is None:
            return []
        cls, sub = found
        return list(sub.task_force or cls.task_force)

    def class_name(self, code: str) -> str:
        return next((c.name for c in self.classes if c.code == code), code)

    def subclass_name(self, code: str) -> str:
        found = self.subclass(code)
        return found[1].name if found else code

    def person_category(self, code: str) -> Category | None:
        return next((c for c in self.person_categories if c.code == code), None)

    def place_category(self, code: str) -> Category | None:
        return next((c for c in self.place_categories if c.code == code), None)


@cache
def taxonomy() -> Taxonomy:
    return load_toml(TAXONOMY_FILE, Taxonomy)
