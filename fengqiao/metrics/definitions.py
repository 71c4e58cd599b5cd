"""The metrics' one definition: what an event counts for (``facts_of``, a pure function of the event, its timeline
and its callbacks) and which counters make each metric (``METRICS``). docs/metrics.md says the same in prose; the
rollups, the API, the cockpit and the bulletins all sum these facts, so none of them can disagree.

Time basis: an event counts on its registration day (China local date) with its state *now* — the resolution rate of
March is "of the events registered in March, the share closed so far", and it may still rise. Callbacks count on the
day they were recorded (the satisfaction rate of March is that of the callbacks made in March)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from fengqiao.core.clock import CHINA_TZ
from fengqiao.events.kinds import Channel, EventStatus, HandlingLevel, Satisfaction
from fengqiao.events.lifecycle import Action
from fengqiao.metrics.models import COUNTERS, FLAG_COUNTERS

NONE = "~"  # the value of an attribute the event does not have (not classified; no handling level known)
DIMENSIONS: tuple[str, ...] = ("category", "channel", "level")

_NOT_COUNTED = frozenset({EventStatus.MERGED.value, EventStatus.VOIDED.value})
_SATISFIED = frozenset({Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value})
_BELOW_COUNTY = frozenset({HandlingLevel.GRID.value, HandlingLevel.VILLAGE.value, HandlingLevel.TOWN.value})
_VILLAGE_LEVELS = frozenset({HandlingLevel.GRID.value, HandlingLevel.VILLAGE.value})
# 排查: found by the grid's own screening. 漏排: surfaced first through a channel the citizen turned to instead.
SCREENING_CHANNELS = frozenset({Channel.GRID_PATROL.value})
MISSED_CHANNELS = frozenset(
    {Channel.POLICE_110.value, Channel.HOTLINE_12345.value, Channel.COURT.value, Channel.FIRST_PETITION.value}
)
_REWORK = frozenset({Action.REVIEW_FAIL.value, Action.REOPEN.value})
_FLAG_BIT = {name: 1 << i for i, name in enumerate(FLAG_COUNTERS)}


# --- inputs: anything with these attributes (ORM rows or plain tuples from a bulk read) ----------------------------


class EventLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def county_code(self) -> str: ...
    @property
    def registered_at(self) -> datetime: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def location_path(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def owner_unit_id(self) -> int: ...
    @property
    def is_dispute(self) -> bool: ...


class ActionLike(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def data(self) -> dict[str, Any] | None: ...


class CallbackLike(Protocol):
    @property
    def at(self) -> datetime: ...
    @property
    def satisfaction(self) -> str: ...


@dataclass(frozen=True)
class FactContext:
    """What the facts need beyond the event: the handling level of each unit that may own an event (for events not
    dispatched yet), and who holds a village head's post (村社主职干部)."""

    unit_levels: Mapping[int, str]
    village_heads: frozenset[int]


@dataclass(frozen=True, slots=True)
class Fact:
    """One row of ``metric_facts``."""

    event_id: int
    part: int
    county_code: str
    day: date
    path: str
    category: str
    channel: str
    level: str
    flags: int = 0
    handling_seconds: int = 0
    callbacks: int = 0
    satisfied: int = 0

    def vector(self) -> list[int]:
        """The counters this fact adds, in ``COUNTERS`` order."""
        return [
            *((1 if self.flags & _FLAG_BIT[name] else 0) for name in FLAG_COUNTERS),
            self.handling_seconds,
            self.callbacks,
            self.satisfied,
        ]

    def attribute(self, dimension: str) -> str:
        value: str = getattr(self, dimension)
        return value


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def handling_level(event: EventLike, context: FactContext) -> str:
    """Where the event is handled: the level of its primary task's unit once dispatched (``Event.level``), else the
    level of the unit that owns it (a town's front desk closing a consultation on the spot handled it at town)."""
    return event.level or context.unit_levels.get(event.owner_unit_id) or NONE


def facts_of(
    event: EventLike, actions: Sequence[ActionLike], callbacks: Sequence[CallbackLike], context: FactContext
) -> list[Fact]:
    """What the event counts for now. ``actions`` in timeline order. Every rule of docs/metrics.md is here."""
    level = handling_level(event, context)

    def fact(part: int, day: date, **counters: int) -> Fact:
        return Fact(
            event_id=event.id,
            part=part,
            county_code=event.county_code,
            day=day,
            path=event.location_path,
            category=event.category or NONE,
            channel=event.channel,
            level=level,
            **counters,
        )

    names = {a.action for a in actions}
    counted = event.status not in _NOT_COUNTED
    closed = counted and event.status == EventStatus.CLOSED.value
    reworked = bool(names & _REWORK) or any(
        a.action == Action.CALLBACK.value and (a.data or {}).get("reopened") for a in actions
    )
    # Another report of the same matter merged into this one: the citizen had to come back.
    reported_again = any(a.action == Action.MERGE.value and "merged_from" in (a.data or {}) for a in actions)
    outcomes = [
        ((a.data or {}).get("mediation") or {}).get("outcome") for a in actions if a.action == Action.MEDIATE.value
    ]
    concluded = [o for o in outcomes if o in ("success", "failed")]
    dispute = counted and event.is_dispute
    village_closed = dispute and closed and level in _VILLAGE_LEVELS
    flags = {
        "intake": True,
        "counted": counted,
        "closed": closed,
        "closed_first": closed and not reworked and not reported_again,
        "closed_on_time": closed and Action.OVERDUE.value not in names,
        "closed_local": closed and level in _BELOW_COUNTY,
        "mediated": counted and bool(concluded),
        "mediated_ok": counted and bool(concluded) and concluded[-1] == "success",
        "disputes": dispute,
        "screened": dispute and event.channel in SCREENING_CHANNELS,
        "missed": dispute and event.channel in MISSED_CHANNELS,
        "village_closed": village_closed,
        "village_head_joined": village_closed
        and any(a.actor_id is not None and a.actor_id in context.village_heads for a in actions),
        "returned": counted and Action.RETURN.value in names,
        "reworked": counted and reworked,
    }
    seconds = 0
    if closed and event.closed_at is not None:
        seconds = max(0, int((event.closed_at - event.registered_at).total_seconds()))
    facts = [
        fact(
            0,
            local_day(event.registered_at),
            flags=sum(_FLAG_BIT[name] for name, on in flags.items() if on),
            handling_seconds=seconds,
        )
    ]
    for i, callback in enumerate(callbacks, start=1):
        satisfied = 1 if callback.satisfaction in _SATISFIED else 0
        facts.append(fact(i, local_day(callback.at), callbacks=1, satisfied=satisfied))
    return facts


# --- the metrics -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    code: str
    name: str  # Chinese, as shown
    numerator: str  # a counter
    denominator: str | None  # a counter; None for a plain count
    unit: str  # "rate" (0–1), "hours" or "count"
    definition: str  # Chinese, one sentence: what counts
    scale: float = 1.0  # value = numerator / denominator / scale

    def value(self, numerator: int, denominator: int | None) -> float | None:
        """None when nothing was counted: a rate of 0 % would be a claim the data does not make."""
        if self.denominator is None:
            return float(numerator)
        if not denominator:
            return None
        return numerator / denominator / self.scale


METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric(
            "intake",
            "受理量",
            "intake",
            None,
            "count",
            "期内受理登记的事件数（含此后合并、作废的）。",
        ),
        Metric(
            "resolution_rate",
            "化解率",
            "closed",
            "counted",
            "rate",
            "期内受理的事件中，至今已办结的比例；合并、作废的不计。",
        ),
        Metric(
            "first_resolution_rate",
            "一次化解率",
            "closed_first",
            "counted",
            "rate",
            "期内受理的事件中，一次办结的比例：已办结，且未经审核退回重办、回访不满意重办、重新办理，也无同一事项再次反映并入。",
        ),
        Metric(
            "mediation_success_rate",
            "调解成功率",
            "mediated_ok",
            "mediated",
            "rate",
            "期内受理且有调解结论（成功或失败）的事件中，最近一次调解结论为成功的比例。",
        ),
        Metric(
            "on_time_rate",
            "按期办结率",
            "closed_on_time",
            "closed",
            "rate",
            "期内受理且已办结的事件中，办理全程没有任何环节超期的比例。",
        ),
        Metric(
            "satisfaction_rate",
            "满意率",
            "satisfied",
            "callbacks",
            "rate",
            "期内回访中，满意或基本满意的比例；一件事件回访多次则每次各计一次。",
        ),
        Metric(
            "local_resolution_rate",
            "属地化解率",
            "closed_local",
            "closed",
            "rate",
            "期内受理且已办结的事件中，在县级以下（镇街、村社、网格）办结的比例。",
        ),
        Metric(
            "screening_rate",
            "排查率",
            "screened",
            "disputes",
            "rate",
            "期内受理的矛盾纠纷中，由网格排查发现上报的比例。",
        ),
        Metric(
            "missed_screening_rate",
            "漏排率",
            "missed",
            "disputes",
            "rate",
            "期内受理的矛盾纠纷中，未经排查、首先经110、12345、法院立案或初信初访反映的比例。",
        ),
        Metric(
            "village_head_rate",
            "村社主职干部参与化解率",
            "village_head_joined",
            "village_closed",
            "rate",
            "期内受理、在村社或网格层级办结的矛盾纠纷中，村社主职干部参与办理（在时间线上有其操作）的比例。",
        ),
        Metric(
            "return_rate",
            "退回率",
            "returned",
            "counted",
            "rate",
            "期内受理的事件中，至少被承办单位退回一次的比例。",
        ),
        Metric(
            "rework_rate",
            "返工率",
            "reworked",
            "counted",
            "rate",
            "期内受理的事件中，至少一次审核不通过、回访不满意重办或重新办理的比例。",
        ),
        Metric(
            "average_handling_hours",
            "平均办理时长",
            "handling_seconds",
            "closed",
            "hours",
            "期内受理且已办结的事件，从受理到办结的平均小时数（自然时间）。",
            scale=3600.0,
        ),
    )
}

COUNTER_INDEX: dict[str, int] = {name: i for i, name in enumerate(COUNTERS)}
assert all(m.numerator in COUNTER_INDEX and (m.denominator or "intake") in COUNTER_INDEX for m in METRICS.values())
