"""The dispatch policy as data (``rules.toml``) and the pure function that turns an event's facts into a suggestion.

No database here: ``suggest`` takes what the service layer looked up (where the event lies, which police station
serves it, which department owns its category there) and returns the units, the level and the reasons in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from fengqiao.core.policyfile import load_toml
from fengqiao.events.kinds import (
    CHANNEL_LABELS,
    HANDLING_LEVEL_LABELS,
    RISK_LEVEL_LABELS,
    Channel,
    HandlingLevel,
    RiskLevel,
)

RULES_FILE = Path(__file__).parent / "rules.toml"


class LevelRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low: HandlingLevel
    medium: HandlingLevel
    high: HandlingLevel
    collective: HandlingLevel

    def for_risk(self, risk: RiskLevel) -> HandlingLevel:
        return {RiskLevel.LOW: self.low, RiskLevel.MEDIUM: self.medium, RiskLevel.HIGH: self.high}[risk]


class DualDispatchRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[Channel]
    police_categories: list[str]


class AutoRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[Channel]
    hold_risks: list[RiskLevel] = []


class DispatchPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: LevelRules
    dual_dispatch: DualDispatchRules
    auto: AutoRules


class DispatchPolicyError(Exception):
    """The rules file does not fit its schema; the message names the file and the fields."""


def load_policy(path: Path = RULES_FILE) -> DispatchPolicy:
    return load_toml(path, DispatchPolicy, DispatchPolicyError)


@lru_cache(maxsize=1)
def default_policy() -> DispatchPolicy:
    return load_policy()


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about an event."""

    channel: Channel
    category: str | None
    risk: RiskLevel
    collective: bool
    # Codes of the territorial units the event lies in, county first (as many as are known).
    location: tuple[str, ...]
    location_names: tuple[str, ...]
    police_station: tuple[str, str] | None = None  # (code, name) of the station serving the event's village
    owner_department: tuple[str, str] | None = None  # (code, name) from the responsibility list


@dataclass(frozen=True)
class Suggestion:
    primary: str
    level: HandlingLevel
    joint: str | None
    co_handlers: tuple[str, ...]
    auto: bool
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "primary": self.primary,
            "level": self.level.value,
            "joint": self.joint,
            "co_handlers": list(self.co_handlers),
            "auto": self.auto,
            "reasons": list(self.reasons),
        }


_DEPTH = {HandlingLevel.COUNTY: 0, HandlingLevel.TOWN: 1, HandlingLevel.VILLAGE: 2, HandlingLevel.GRID: 3}
_LEVEL_AT_DEPTH = {depth: level for level, depth in _DEPTH.items()}


def suggest(facts: Facts, policy: DispatchPolicy) -> Suggestion:
    reasons: list[str] = []
    level = policy.levels.for_risk(facts.risk)
    reasons.append(f"风险等级“{RISK_LEVEL_LABELS[facts.risk]}”，按规则由{HANDLING_LEVEL_LABELS[level]}办理")
    if facts.collective and _DEPTH[policy.levels.collective] < _DEPTH[level]:
        level = policy.levels.collective
        reasons.append(f"涉及多人（多人一事），提级由{HANDLING_LEVEL_LABELS[level]}办理")
    # The event may be placed less precisely than the level asks for: take the deepest unit known.
    depth = min(_DEPTH[level], len(facts.location) - 1)
    if depth < _DEPTH[level]:
        reasons.append(f"事发地仅定位到{facts.location_names[depth]}，由其办理")
    level = _LEVEL_AT_DEPTH[depth]
    primary = facts.location[depth]
    joint: str | None = None
    police_matter = facts.category in policy.dual_dispatch.police_categories
    if facts.channel in policy.dual_dispatch.channels and facts.police_station is not None:
        if police_matter:
            primary, level = facts.police_station[0], HandlingLevel.TOWN
            reasons.append(f"{CHANNEL_LABELS[facts.channel]}属治安事项，由{facts.police_station[1]}办理")
        else:
            town_depth = min(_DEPTH[HandlingLevel.TOWN], len(facts.location) - 1)
            primary, level = facts.location[town_depth], _LEVEL_AT_DEPTH[town_depth]
            joint = facts.police_station[0]
            reasons.append(
                f"{CHANNEL_LABELS[facts.channel]}非警务事项，一事双派："
                f"{facts.location_names[town_depth]}综合信息指挥室主办，{facts.police_station[1]}联动"
            )
    co_handlers: tuple[str, ...] = ()
    if facts.owner_department is not None and _DEPTH[level] <= _DEPTH[HandlingLevel.TOWN]:
        co_handlers = (facts.owner_department[0],)
        reasons.append(f"按属地事项清单，{facts.owner_department[1]}协办（部门联解）")
    auto = facts.channel in policy.auto.channels and facts.risk not in policy.auto.hold_risks
    reasons.append("按规则自动流转" if auto else "待流转岗位确认")
    return Suggestion(
        primary=primary, level=level, joint=joint, co_handlers=co_handlers, auto=auto, reasons=tuple(reasons)
    )
