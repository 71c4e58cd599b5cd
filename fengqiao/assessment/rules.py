"""The assessment rules (rules.toml beside this module) as a validated model."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fengqiao.core.policyfile import load_toml
from fengqiao.events.kinds import SupervisionLevel
from fengqiao.metrics.definitions import METRICS

RULES_PATH = Path(__file__).with_name("rules.toml")
_RATES = [code for code, m in METRICS.items() if m.unit == "rate"]


class AssessedLevel(StrEnum):
    TOWN = "town"
    VILLAGE = "village"


class MetricRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    points: float = Field(gt=0, le=100)
    target: float = Field(gt=0, le=1)


class LevelRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    metrics: dict[str, MetricRule]
    penalties: dict[SupervisionLevel, float] = {}
    max_penalty: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _known_rates(self) -> LevelRules:
        for name in self.metrics:
            metric = METRICS.get(name)
            if metric is None or metric.unit != "rate":
                raise ValueError(f"{name}: not a rate of fengqiao.metrics ({', '.join(_RATES)})")
        return self

    @property
    def full_score(self) -> float:
        return sum(m.points for m in self.metrics.values())

    def penalty_for(self, level: str) -> float:
        try:
            return self.penalties.get(SupervisionLevel(level), 0.0)
        except ValueError:
            return 0.0


class AssessmentRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: dict[AssessedLevel, LevelRules]

    @model_validator(mode="after")
    def _every_level(self) -> AssessmentRules:
        missing = set(AssessedLevel) - set(self.levels)
        if missing:
            raise ValueError(f"missing levels: {', '.join(sorted(missing))}")
        return self

    def level(self, level: AssessedLevel) -> LevelRules:
        return self.levels[level]


class AssessmentRulesError(Exception):
    pass


def load_rules(path: Path) -> AssessmentRules:
    return load_toml(path, AssessmentRules, AssessmentRulesError)


@lru_cache(maxsize=1)
def default_rules() -> AssessmentRules:
    return load_rules(RULES_PATH)
