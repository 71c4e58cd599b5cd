"""The sensor alert policy as data (``policy.toml``) read into a schema, plus its small pure look-ups."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fengqiao.alerts.kinds import AlertKind
from fengqiao.core.policyfile import load_toml

DEFAULT_POLICY_FILE = Path(__file__).parent / "policy.toml"


class Promote(StrEnum):
    AT_ONCE = "at_once"
    AFTER_DELAY = "after_delay"
    LIST = "list"


class GroupBy(StrEnum):
    DEVICE = "device"
    PLACE = "place"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelOverride(_Strict):
    promote: Promote | None = None
    delay_seconds: int | None = Field(default=None, ge=0, le=3600)
    risk: str | None = Field(default=None, pattern="^(high|medium|low)$")


class KindPolicy(_Strict):
    label: str
    group_by: GroupBy = GroupBy.DEVICE
    window_seconds: int = Field(ge=1, le=86400)
    promote: Promote
    delay_seconds: int = Field(default=0, ge=0, le=3600)
    flap_threshold: int = Field(default=0, ge=0, le=1000)
    heartbeat_seconds: int = Field(ge=60, le=7 * 86400)
    category: str
    subcategory: str | None = None
    risk: str = Field(pattern="^(high|medium|low)$")
    ack_minutes: float = Field(gt=0, le=240)
    arrive_minutes: float = Field(gt=0, le=24 * 60)
    levels: dict[str, LevelOverride] = {}
    # A promoted group keeps absorbing repeats until its result is recorded, but not beyond this.
    promoted_hold_seconds: int = Field(default=86400, ge=60)

    @model_validator(mode="after")
    def _window_covers_delay(self) -> KindPolicy:
        if self.promote == Promote.AFTER_DELAY and self.delay_seconds >= self.window_seconds:
            raise ValueError("window_seconds must exceed delay_seconds, or a cancel could never be seen")
        return self

    def promote_for(self, level: str | None) -> Promote:
        override = self.levels.get(level or "")
        return override.promote if override is not None and override.promote is not None else self.promote

    def delay_for(self, level: str | None) -> int:
        override = self.levels.get(level or "")
        return (
            override.delay_seconds
            if override is not None and override.delay_seconds is not None
            else self.delay_seconds
        )

    def risk_for(self, level: str | None) -> str:
        override = self.levels.get(level or "")
        return override.risk if override is not None and override.risk is not None else self.risk


class IntakePolicy(_Strict):
    max_future_seconds: int = Field(ge=0, le=86400)
    max_batch: int = Field(ge=1, le=10000)
    seen_write_seconds: int = Field(ge=0, le=3600)


class SweepPolicy(_Strict):
    interval_seconds: int = Field(ge=1, le=3600)
    batch: int = Field(ge=1, le=10000)
    bucket_seconds: int = Field(ge=1, le=300)


class HeartbeatPolicy(_Strict):
    check_interval_seconds: int = Field(ge=10, le=86400)
    grace_factor: float = Field(ge=1.0, le=10.0)


class EscalationPolicy(_Strict):
    ack_extension_minutes: float = Field(gt=0, le=240)


class MaintenancePolicy(_Strict):
    false_alarm_rate: float = Field(gt=0, le=1)
    min_results: int = Field(ge=1)
    window_days: int = Field(ge=1, le=3660)


class AlertPolicy(_Strict):
    intake: IntakePolicy
    sweep: SweepPolicy
    heartbeat: HeartbeatPolicy
    escalation: EscalationPolicy
    maintenance: MaintenancePolicy
    kinds: dict[AlertKind, KindPolicy]

    @model_validator(mode="after")
    def _every_kind(self) -> AlertPolicy:
        missing = set(AlertKind) - set(self.kinds)
        if missing:
            raise ValueError(f"kinds without a policy: {', '.join(sorted(missing))}")
        return self

    def kind(self, kind: str) -> KindPolicy:
        return self.kinds[AlertKind(kind)]


class AlertPolicyError(Exception):
    """The alert policy file does not fit its schema; the message names the file and the fields."""


def load_policy(path: Path = DEFAULT_POLICY_FILE) -> AlertPolicy:
    return load_toml(path, AlertPolicy, AlertPolicyError)


@lru_cache(maxsize=1)
def default_policy() -> AlertPolicy:
    return load_policy()
