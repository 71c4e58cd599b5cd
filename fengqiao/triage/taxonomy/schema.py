"""The risk taxonomy (C1) as data: a YAML file validated with a schema at start-up, resolved into a lookup.

A subcategory inherits the fields it does not set from its category, so the file stays short; the resolved
``Taxonomy`` gives every subcategory all its fields. Errors name the file and the field path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fengqiao.config import get_settings
from fengqiao.core.policyfile import describe
from fengqiao.demo.departments import DEPARTMENTS, department_code

DEFAULT_TAXONOMY_FILE = Path(__file__).parent / "data" / "taxonomy.yaml"

TOP_CODES: tuple[str, ...] = (
    "marriage_family",
    "neighbour",
    "housing_land",
    "labour",
    "consumer",
    "medical",
    "traffic",
    "property_mgmt",
    "land_acquisition",
    "debt_contract",
    "environment",
    "safety_hazard",
    "public_order",
    "city_management",
    "consultation",
    "other",
)

Risk = Literal["low", "medium", "high"]
# Event.subcategory holds the dotted code in a VARCHAR(32).
MAX_DOTTED_CODE = 32
RISK_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(Exception):
    """A taxonomy file that does not fit its schema; the message names the file and the fields."""


class TagSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE.pattern, max_length=32)
    name: str = Field(min_length=1)
    group: Literal["person", "event", "project"]


class SubcategorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE.pattern, max_length=24)
    name: str = Field(min_length=1)
    department: str | None = None
    handle_days: int | None = Field(default=None, ge=1, le=365)
    risk: Risk | None = None
    is_dispute: bool | None = None
    tags: list[str] = []
    sensitive: bool = False


class CategorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE.pattern, max_length=20)
    name: str = Field(min_length=1)
    department: str
    handle_days: int = Field(ge=1, le=365)
    risk: Risk
    is_dispute: bool
    subcategories: list[SubcategorySpec] = Field(min_length=1)

    @field_validator("subcategories")
    @classmethod
    def _unique_codes(cls, subs: list[SubcategorySpec]) -> list[SubcategorySpec]:
        seen: set[str] = set()
        for sub in subs:
            if sub.code in seen:
                raise ValueError(f"重复的子类代码 duplicate subcategory code {sub.code!r}")
            seen.add(sub.code)
        return subs


class TaxonomySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[TagSpec] = Field(min_length=1)
    categories: list[CategorySpec]

    @model_validator(mode="after")
    def _check_references(self) -> TaxonomySpec:
        codes = [category.code for category in self.categories]
        if sorted(codes) != sorted(TOP_CODES):
            missing = sorted(set(TOP_CODES) - set(codes))
            extra = sorted(set(codes) - set(TOP_CODES))
            raise ValueError(
                f"一级分类必须正好是16个 top-level codes must be exactly {TOP_CODES}: missing {missing}, "
                f"unexpected {extra}"
            )
        tag_codes = {tag.code for tag in self.tags}
        departments = set(DEPARTMENTS)
        for i, category in enumerate(self.categories):
            if category.department not in departments:
                raise ValueError(f"categories.{i}.department: 未知部门 unknown department {category.department!r}")
            for j, sub in enumerate(category.subcategories):
                where = f"categories.{i}.subcategories.{j} ({category.code}.{sub.code})"
                if len(category.code) + 1 + len(sub.code) > MAX_DOTTED_CODE:
                    raise ValueError(f"{where}.code: 完整代码超过{MAX_DOTTED_CODE}个字符 dotted code too long")
                if sub.department is not None and sub.department not in departments:
                    raise ValueError(f"{where}.department: 未知部门 unknown department {sub.department!r}")
                unknown = sorted(set(sub.tags) - tag_codes)
                if unknown:
                    raise ValueError(f"{where}.tags: 未知标签 unknown tags {unknown}")
        return self


@dataclass(frozen=True)
class Subcategory:
    """A subcategory with every field resolved. ``code`` is the full dotted code, e.g. ``labour.wage_arrears``."""

    code: str
    category: str
    name: str
    category_name: str
    department: str
    department_code: str
    handle_days: int
    risk: str
    is_dispute: bool
    tags: tuple[str, ...]
    sensitive: bool

    @property
    def short_code(self) -> str:
        """The part after the dot (at most 24 characters), for columns that keep the category apart."""
        return self.code.split(".", 1)[1]


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    subcategories: tuple[Subcategory, ...]


@dataclass(frozen=True)
class Tag:
    code: str
    name: str
    group: str


class Taxonomy:
    """The resolved taxonomy: categories in file order, subcategories by dotted code, tags by code."""

    def __init__(self, *, categories: tuple[Category, ...], tags: tuple[Tag, ...]) -> None:
        self.categories = categories
        self.tags = {tag.code: tag for tag in tags}
        self.subcategories = {sub.code: sub for category in categories for sub in category.subcategories}
        self._categories = {category.code: category for category in categories}

    def category(self, code: str) -> Category:
        return self._categories[code]

    def subcategory(self, code: str) -> Subcategory:
        return self.subcategories[code]

    def __iter__(self) -> Iterator[Subcategory]:
        return iter(self.subcategories.values())

    def __len__(self) -> int:
        return len(self.subcategories)


def _resolve(spec: TaxonomySpec, county_code: str) -> Taxonomy:
    serials = {name: serial for serial, name in enumerate(DEPARTMENTS, start=1)}
    categories: list[Category] = []
    for cat in spec.categories:
        subs: list[Subcategory] = []
        for sub in cat.subcategories:
            department = sub.department or cat.department
            subs.append(
                Subcategory(
                    code=f"{cat.code}.{sub.code}",
                    category=cat.code,
                    name=sub.name,
                    category_name=cat.name,
                    department=department,
                    department_code=department_code(county_code, serials[department]),
                    handle_days=sub.handle_days or cat.handle_days,
                    risk=sub.risk or cat.risk,
                    is_dispute=cat.is_dispute if sub.is_dispute is None else sub.is_dispute,
                    tags=tuple(sub.tags),
                    sensitive=sub.sensitive,
                )
            )
        categories.append(Category(code=cat.code, name=cat.name, subcategories=tuple(subs)))
    tags = tuple(Tag(code=t.code, name=t.name, group=t.group) for t in spec.tags)
    return Taxonomy(categories=tuple(categories), tags=tags)


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: YAML 格式错误 {exc}") from exc
    except OSError as exc:
        raise TaxonomyError(f"{path}: 无法读取 cannot read ({exc.strerror})") from exc


def load_taxonomy(path: Path = DEFAULT_TAXONOMY_FILE, *, county_code: str | None = None) -> Taxonomy:
    data = load_yaml(path)
    try:
        spec = TaxonomySpec.model_validate(data)
    except ValidationError as exc:
        raise TaxonomyError(describe(path, exc)) from exc
    return _resolve(spec, county_code or get_settings().county_code)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    return load_taxonomy()


def max_risk(*risks: str) -> str:
    return max(risks, key=lambda risk: RISK_ORDER[risk])
