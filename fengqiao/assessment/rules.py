"""The assessment rules (rules.toml beside this module) as a validated model."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fengqiao.core.policyfile import load_toml
from fengqiao.events.deadlines import default_policy
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
    # None: the points of the deadlines policy ([supervision.*] penalty_points), which staff see when they issue
    # the order; a level that counts differently (villages) names its own.
    penalties: dict[SupervisionLevel, float] | None = None
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

    @property
    def penalty_points(self) -> dict[SupervisionLevel, float]:
        """The points each kind of supervision order costs, as the scoring applies them (for the rules' display)."""
        points = {card: self.penalty_for(card.value) for card in SupervisionLevel}
        return {card: value for card, value in points.items() if value}

    def penalty_for(self, level: str) -> float:
        try:
            card = SupervisionLevel(level)
        except ValueError:
            return 0.0
        if self.penalties is None:
            limits = default_policy().supervision.get(card)
            return float(limits.penalty_points) if limits is not None else 0.0
        return self.penalties.get(card, 0.0)


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
