"""Deadline policy (D2) as data: loaded from TOML, validated with a schema, resolved per category and level.

The policy in force is copied into the event when a step starts (``Event.deadline_policy``), so editing the file
never moves a running deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.core.policyfile import load_toml
from fengqiao.events.kinds import HandlingLevel, SupervisionLevel

DEFAULT_POLICY_FILE = Path(__file__).parent / "policies" / "deadlines.toml"


class StepLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept_hours: float | None = Field(default=None, gt=0, le=240)
    handle_days: int | None = Field(default=None, ge=1, le=365)
    review_days: int | None = Field(default=None, ge=1, le=60)
    rework_days: int | None = Field(default=None, ge=1, le=60)
    warning_ratio: float | None = Field(default=None, gt=0, lt=1)


class ResolvedLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accept_hours: float = Field(gt=0, le=240)
    handle_days: int = Field(ge=1, le=365)
    review_days: int = Field(ge=1, le=60)
    rework_days: int = Field(ge=1, le=60)
    warning_ratio: float = Field(gt=0, lt=1)


class SupervisionLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=366)
    penalty_points: int = Field(default=0, ge=0)
    reminder_days: int | None = Field(default=None, ge=1)


class CallbackPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_days: int = Field(ge=0, le=30)
    max_reopens: int = Field(ge=0, le=10)


class DeadlinePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: ResolvedLimits
    levels: dict[HandlingLevel, StepLimits] = {}
    categories: dict[str, StepLimits] = {}
    category_levels: dict[str, dict[HandlingLevel, StepLimits]] = {}
    supervision: dict[SupervisionLevel, SupervisionLimits]
    callback: CallbackPolicy

    def limits_for(self, *, category: str | None, level: HandlingLevel | None) -> ResolvedLimits:
        merged: dict[str, Any] = self.default.model_dump()
        layers = [
            self.levels.get(level) if level else None,
            self.categories.get(category) if category else None,
            self.category_levels.get(category, {}).get(level) if category and level else None,
        ]
        for layer in layers:
            if layer is not None:
                merged.update(layer.model_dump(exclude_none=True))
        return ResolvedLimits(**merged)


class PolicyError(Exception):
    """A policy file that does not fit its schema; the message names the file and the fields."""


def load_policy(path: Path = DEFAULT_POLICY_FILE) -> DeadlinePolicy:
    return load_toml(path, DeadlinePolicy, PolicyError)


@lru_cache(maxsize=1)
def default_policy() -> DeadlinePolicy:
    return load_policy()


class Calendar(Protocol):
    def add_working_days(self, start: datetime, days: int) -> datetime: ...

    def add_working_hours(self, start: datetime, hours: float) -> datetime: ...


@dataclass(frozen=True)
class StepDeadline:
    deadline: datetime
    warning_at: datetime


def step_deadline(
    *, calendar: Calendar, start: datetime, hours: float | None = None, days: int | None = None, warning_ratio: float
) -> StepDeadline:
    """The deadline of a step begun at ``start`` and the moment its yellow light comes on."""
    if hours is not None:
        deadline = calendar.add_working_hours(start, hours)
    elif days is not None:
        deadline = calendar.add_working_days(start, days)
    else:
        raise ValueError("a step needs hours or days")
    warning_at = start + (deadline - start) * warning_ratio
    return StepDeadline(deadline=deadline, warning_at=warning_at)
