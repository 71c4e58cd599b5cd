"""Risk cue rules as data: regular expressions that raise an event's risk above its subcategory's base risk.

The rules are explicit on purpose: a dispatcher must see *why* a neighbour quarrel became high risk ("扬言威胁:
扬言要砍人"), and the county can add a cue without retraining anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fengqiao.core.policyfile import describe
from fengqiao.triage.taxonomy.schema import RISK_ORDER, TaxonomyError, load_yaml

DEFAULT_RULES_FILE = Path(__file__).parent / "data" / "risk_cues.yaml"

# A cue directly preceded by one of these is negated: "没有打人", "并未威胁".
_NEGATIONS = ("没有", "没", "未", "并未", "不是")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    group: Literal["civil_to_criminal", "collective", "vulnerable", "escalation"]
    raise_to: Literal["low", "medium", "high"]
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        for i, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"第{i}条正则无效 invalid regular expression #{i} {pattern!r}: {exc}") from exc
        return patterns


class RulesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RuleSpec] = Field(min_length=1)


@dataclass(frozen=True)
class CueMatch:
    """One rule that matched: which rule, the text that matched it, and the risk it implies."""

    rule: str
    name: str
    group: str
    raise_to: str
    matched: str

    def reason(self) -> str:
        return f"{self.name}：「{self.matched}」"


@dataclass(frozen=True)
class CueRule:
    code: str
    name: str
    group: str
    raise_to: str
    pattern: re.Pattern[str]

    def find(self, text: str) -> str | None:
        for match in self.pattern.finditer(text):
            before = text[max(0, match.start() - 2) : match.start()]
            if not before.endswith(_NEGATIONS):
                return match.group(0)
        return None


class CueRules:
    def __init__(self, rules: list[CueRule]) -> None:
        self.rules = rules

    def match(self, text: str) -> list[CueMatch]:
        found: list[CueMatch] = []
        for rule in self.rules:
            matched = rule.find(text)
            if matched is not None:
                found.append(CueMatch(rule.code, rule.name, rule.group, rule.raise_to, matched))
        return found

    @staticmethod
    def raised_risk(base: str, matches: list[CueMatch]) -> str:
        return max([base, *(m.raise_to for m in matches)], key=lambda risk: RISK_ORDER[risk])


def load_rules(path: Path = DEFAULT_RULES_FILE) -> CueRules:
    data = load_yaml(path)
    try:
        spec = RulesSpec.model_validate(data)
    except ValidationError as exc:
        raise TaxonomyError(describe(path, exc)) from exc
    return CueRules(
        [
            CueRule(r.code, r.name, r.group, r.raise_to, re.compile("|".join(f"(?:{p})" for p in r.patterns)))
            for r in spec.rules
        ]
    )


@lru_cache(maxsize=1)
def default_rules() -> CueRules:
    return load_rules()
