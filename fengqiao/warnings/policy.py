"""The pattern thresholds, read from ``patterns.toml`` (data, not code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.core.policyfile import load_toml

PATTERNS_FILE = Path(__file__).with_name("patterns.toml")


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_events: int = Field(ge=2)
    window_days: int = Field(ge=1, le=3650)


class Collective(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_involved: int = Field(ge=2)
    min_complainants: int = Field(ge=2)
    window_days: int = Field(ge=1, le=3650)


class PatternPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    repeat_person: Window
    repeat_police_call: Window
    repeat_place: Window
    collective_matter: Collective
    case_linking: Window


@lru_cache(maxsize=4)
def load_pattern_policy(path: Path = PATTERNS_FILE) -> PatternPolicy:
    return load_toml(path, PatternPolicy)
