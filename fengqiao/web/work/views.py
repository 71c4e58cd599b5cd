"""View helpers of the work pages: deadline lights, the list's filter form, the action forms, unit pickers and the
triage panel. They prepare what templates show; the decisions stay in the events services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.basedata.models import Building
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events.actions import ActionRequest
from fengqiao.events.kinds import (
    CHANNEL_LABELS,
    EVENT_STATUS_LABELS,
    HANDLING_LEVEL_LABELS,
    RISK_LEVEL_LABELS,
    SATISFACTION_LABELS,
    SUPERVISION_LEVEL_LABELS,
    EventStatus,
    HandlingLevel,
    RiskLevel,
    Satisfaction,
    SupervisionLevel,
    TaskStatus,
)
from fengqiao.events.lifecycle import ACTION_LABELS, RULES, Action
from fengqiao.events.models import Event
from fengqiao.events.queries import EventFilter, SortKey
from fengqiao.events.relations import viewer_task
from fengqiao.events.schemas import ACTION_PATHS
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit

PAGE_SIZE = 20

# --- location -----------------------------------------------------------------------------------------------------


def map_point(*, session: Session, event: Event) -> dict[str, Any] | None:
    """Where to put the event on its small map: its own point, else its building's."""
    if event.lon is not None and event.lat is not None:
        return {"lon": event.lon, "lat": event.lat, "label": event.address or "事发位置"}
    if event.building_id is not None:
        row = session.execute(
            select(Building.lon, Building.lat, Building.standard_address).where(Building.id == event.building_id)
        ).first()
        if row is not None:
            return {"lon": row.lon, "lat": row.lat, "label": row.standard_address, "id": event.building_id}
    return None


# --- deadlines ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Light:
    colour: str  # red | yellow | green | none
    label: str
    rank: int  # 0 most urgent


RED = Light("red", "已超期", 0)
YELLOW = Light("yellow", "临期", 1)
GREEN = Light("green", "正常", 2)
NONE = Light("none", "无时限", 3)


def light(event: Event, now: datetime | None = None) -> Light:
    now = now or utcnow()
    if event.step_deadline is None:
        return RED if event.is_overdue else NONE
    if event.is_overdue or event.step_deadline <= now:
        return RED
    if event.warning_at is not None and event.warning_at <= now:
        return YELLOW
    return GREEN


def remaining(deadline: datetime | None, now: datetime | None = None) -> str:
    """ "剩余5小时" / "超期2天": what a grid worker reads at a glance."""
    if deadline is None:
        return ""
    delta = deadline - (now or utcnow())
    late = delta < timedelta(0)
    seconds = abs(int(delta.total_seconds()))
    if seconds >= 86_400:
        amount = f"{seconds // 86_400}天"
    elif seconds >= 3_600:
        amount = f"{seconds // 3_600}小时"
    else:
        amount = f"{max(seconds // 60, 1)}分钟"
    return f"超期{amount}" if late else f"剩余{amount}"


@dataclass(frozen=True)
class Row:
    """A list or inbox row: the presenter's masked summary, its light, and (in the inbox) why it awaits me."""

    summary: Any  # EventSummaryOut
    light: Light
    reason: str = ""


def urgency_order(rows: list[Row]) -> list[Row]:
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r.light.rank, r.summary.step_deadline or far, r.summary.id))


def light_counts(rows: list[Row]) -> dict[str, int]:
    counts = {"red": 0, "yellow": 0, "green": 0, "none": 0}
    for row in rows:
        counts[row.light.colour] += 1
    return counts


# --- the list's filter form ---------------------------------------------------------------------------------------

STATUS_CHOICES: list[tuple[str, str]] = [("open", "未办结（全部）")] + [
    (s.value, label) for s, label in EVENT_STATUS_LABELS.items()
]
CHANNEL_CHOICES = [(c.value, label) for c, label in CHANNEL_LABELS.items()]
RISK_CHOICES = [(r.value, label) for r, label in RISK_LEVEL_LABELS.items()]
OVERDUE_CHOICES = [("yes", "已超期"), ("no", "未超期")]
SORT_CHOICES = [
    (SortKey.REGISTERED_DESC.value, "登记时间（新→旧）"),
    (SortKey.REGISTERED_ASC.value, "登记时间（旧→新）"),
    (SortKey.DEADLINE_ASC.value, "办理时限（急→缓）"),
    (SortKey.RISK_DESC.value, "风险等级（高→低）"),
]
_FORBIDDEN_TEXT = set("%_\\") | {chr(c) for c in range(32)} | {chr(127)}


class ListParams(BaseModel):
    """The list's query string as the form sends it: empty strings mean "any"."""

    status: str = Field(default="", max_length=20)
    channel: str = Field(default="", max_length=32)
    risk: str = Field(default="", max_length=10)
    overdue: str = Field(default="", max_length=5)
    q: str = Field(default="", max_length=100)
    date_from: str = Field(default="", max_length=10)
    date_to: str = Field(default="", max_length=10)
    sort: str = Field(default="", max_length=20)
    page: int = Field(default=1, ge=1, le=100_000)

    def query(self, **changes: Any) -> str:
        """The query string of this filter (with ``changes``), for pagination links."""
        values = {**self.model_dump(), **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)})


def _local_day(value: str, label: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise InvalidInput(f"{label}应为日期（年-月-日）", code="invalid_date") from exc
    return day.replace(tzinfo=CHINA_TZ).astimezone(UTC)


def _choice(value: str, choices: list[tuple[str, str]], label: str) -> str | None:
    if not value:
        return None
    if value not in {v for v, _ in choices}:
        raise InvalidInput(f"{label}的取值无效", code="invalid_filter")
    return value


def event_filter(params: ListParams) -> EventFilter:
    """The queries' filter from the form; a bad value is an ``InvalidInput`` with a Chinese message."""
    status = _choice(params.status, STATUS_CHOICES, "状态")
    text = params.q.strip()
    if set(text) & _FORBIDDEN_TEXT:
        raise InvalidInput("检索词不能包含 % _ \\ 或控制字符", code="invalid_filter")
    registered_to = _local_day(params.date_to, "结束日期")
    overdue = _choice(params.overdue, OVERDUE_CHOICES, "是否超期")
    return EventFilter(
        status=[EventStatus(status)] if status and status != "open" else None,
        open_only=status == "open",
        channel=_choice(params.channel, CHANNEL_CHOICES, "来源渠道"),
        risk_level=_choice(params.risk, RISK_CHOICES, "风险等级"),
        overdue=None if overdue is None else overdue == "yes",
        registered_from=_local_day(params.date_from, "开始日期"),
        registered_to=registered_to + timedelta(days=1) if registered_to else None,  # the end day is included
        text=text or None,
        sort=SortKey(_choice(params.sort, SORT_CHOICES, "排序") or SortKey.REGISTERED_DESC.value),
    )


# --- actions ------------------------------------------------------------------------------------------------------

TARGET_ACTIONS = frozenset({Action.DISPATCH, Action.REASSIGN, Action.ADD_CO_HANDLER})
# Actions that undo or refuse: shown apart, in a quieter colour, so a thumb does not hit them by accident.
CAUTION_ACTIONS = frozenset({Action.RECALL, Action.RETURN, Action.VOID, Action.REVIEW_FAIL, Action.MERGE})
# Actions whose form carries photos of the work done; they are attached to that action.
PHOTO_ACTIONS = frozenset({Action.HANDLE, Action.REPORT_BACK})
MEDIATION_OUTCOMES = [("ongoing", "调解中"), ("success", "调解成功"), ("failed", "调解不成")]
CALLBACK_METHODS = [("phone", "电话回访"), ("sms", "短信回访"), ("visit", "上门回访"), ("online", "网上回访")]


@dataclass(frozen=True)
class ActionForm:
    """One action's small form: which fields it shows."""

    action: str
    label: str
    needs_target: bool
    needs_note: bool
    caution: bool
    satisfaction: bool = False
    supervision: bool = False
    merge: bool = False
    mediation: bool = False
    photos: bool = False


# Task-level actions need a task of the viewer's unit in these states (as ``actions`` checks when they are done).
_OWN_TASK_NEEDED: dict[Action, set[TaskStatus]] = {
    Action.ACCEPT: {TaskStatus.DISPATCHED},
    Action.HANDLE: {TaskStatus.ACCEPTED},
    Action.MEDIATE: {TaskStatus.ACCEPTED},
    Action.REPORT_BACK: {TaskStatus.ACCEPTED},
}


def action_forms(*, session: Session, viewer: Viewer, event: Event, allowed: list[Any]) -> list[ActionForm]:
    """The forms of the actions this viewer may take now (the presenter's ``allowed_actions``)."""
    actions = {Action(labelled.value) for labelled in allowed}
    forms = []
    for action in RULES:
        if action not in actions or action not in ACTION_PATHS:
            continue
        needed = _OWN_TASK_NEEDED.get(action)
        if needed and viewer_task(event, viewer, statuses=needed) is None:
            continue  # e.g. 签收 when the unit's task is accepted already: the service would refuse it
        forms.append(
            ActionForm(
                action=action.value,
                label=ACTION_LABELS[action],
                needs_target=action in TARGET_ACTIONS,
                needs_note=RULES[action].needs_note,
                caution=action in CAUTION_ACTIONS,
                satisfaction=action == Action.CALLBACK,
                supervision=action == Action.SUPERVISE,
                merge=action == Action.MERGE,
                mediation=action == Action.MEDIATE,
                photos=action in PHOTO_ACTIONS,
            )
        )
    return sorted(forms, key=lambda f: f.caution)


class ActionFields(BaseModel):
    """An action form as posted: all text, converted (with Chinese errors) by ``action_request``."""

    version: str = Field(default="", max_length=12)
    note: str = Field(default="", max_length=10_000)
    target_unit_code: str = Field(default="", max_length=24)
    other_unit_code: str = Field(default="", max_length=24)
    satisfaction: str = Field(default="", max_length=24)
    callback_method: str = Field(default="phone", max_length=12)
    supervision_level: str = Field(default="", max_length=12)
    target_event_id: str = Field(default="", max_length=12)
    outcome: str = Field(default="ongoing", max_length=12)


def parse_action(value: str) -> Action:
    try:
        action = Action(value)
    except ValueError:
        action = None
    if action is None or action not in ACTION_PATHS:
        raise NotFound("没有这项操作", code="unknown_action")
    return action


def _int(value: str, message: str) -> int:
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise InvalidInput(message, code="invalid_input") from exc
    if not 1 <= number <= 2**31 - 1:
        raise InvalidInput(message, code="invalid_input")
    return number


def action_request(action: Action, fields: ActionFields) -> ActionRequest:
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in fields.note):
        raise InvalidInput("说明中不能包含控制字符", code="invalid_input")
    unit_code = (fields.other_unit_code.strip() or fields.target_unit_code.strip()).upper() or None
    if unit_code is not None and not unit_code.isalnum():
        raise InvalidInput("单位代码只能包含数字和大写字母", code="invalid_input")
    satisfaction = {s.value: s for s in Satisfaction}.get(fields.satisfaction)
    if fields.satisfaction and satisfaction is None:
        raise InvalidInput("满意度的取值无效", code="invalid_input")
    level = {s.value: s for s in SupervisionLevel}.get(fields.supervision_level)
    if fields.supervision_level and level is None:
        raise InvalidInput("督办级别的取值无效", code="invalid_input")
    if fields.callback_method not in {m for m, _ in CALLBACK_METHODS}:
        raise InvalidInput("回访方式的取值无效", code="invalid_input")
    if fields.outcome not in {o for o, _ in MEDIATION_OUTCOMES}:
        raise InvalidInput("调解结果的取值无效", code="invalid_input")
    return ActionRequest(
        action=action,
        expected_version=_int(fields.version, "页面已过期，请刷新后重试"),
        note=fields.note.strip() or None,
        target_unit_code=unit_code,
        target_event_id=_int(fields.target_event_id, "请填写要合并到的事件编号") if fields.target_event_id else None,
        supervision_level=level,
        satisfaction=satisfaction,
        callback_method=fields.callback_method,
        mediation={"outcome": fields.outcome} if action == Action.MEDIATE else {},
    )


SATISFACTION_CHOICES = [(s.value, label) for s, label in SATISFACTION_LABELS.items()]
SUPERVISION_CHOICES = [(s.value, label) for s, label in SUPERVISION_LEVEL_LABELS.items()]


# --- the unit picker ----------------------------------------------------------------------------------------------

_KIND_GROUPS = {
    UnitKind.TOWN.value: "镇(街道)",
    UnitKind.VILLAGE.value: "村(社区)",
    UnitKind.GRID.value: "网格",
    UnitKind.DEPARTMENT.value: "县级部门",
    UnitKind.JOINT_STATION.value: "联勤工作站",
    UnitKind.POLICE_STATION.value: "派出所",
}


@dataclass
class UnitGroup:
    label: str
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, name)


def dispatch_choices(*, session: Session, event: Event, suggested: str | None) -> list[UnitGroup]:
    """Units the owner may dispatch to, for the picker: the event's own location units below the owner, the owner's
    children, county departments and (for towns) the stations serving its villages. ``actions`` still checks."""
    owner = session.get(Unit, event.owner_unit_id)
    if owner is None:
        return []
    location_codes = [c for c in event.location_path.split("/") if c]
    conditions = [Unit.parent_id == owner.id, Unit.code.in_(location_codes)]
    if owner.kind in (UnitKind.TOWN.value, UnitKind.COUNTY.value):
        conditions.append(Unit.kind == UnitKind.DEPARTMENT.value)
    if owner.kind == UnitKind.TOWN.value:
        served = select(Unit.police_station_id).where(Unit.parent_id == owner.id)
        conditions.append(Unit.id.in_(served))
    units = session.scalars(
        select(Unit).where(Unit.county_code == owner.county_code, Unit.id != owner.id, or_(*conditions))
    ).all()
    picked = [u for u in units if u.path.startswith(owner.path) or u.kind not in _TERRITORIAL]
    groups: list[UnitGroup] = []
    by_code = {u.code: u for u in picked}
    if suggested and suggested in by_code:
        groups.append(UnitGroup("分拨建议", [(suggested, by_code[suggested].name)]))
    at_location = [by_code[c] for c in location_codes if c in by_code]
    if at_location:
        groups.append(UnitGroup("事发地", [(u.code, u.name) for u in reversed(at_location)]))
    for kind, label in _KIND_GROUPS.items():
        members = sorted((u for u in picked if u.kind == kind and u not in at_location), key=lambda u: u.code)
        if members:
            groups.append(UnitGroup(label, [(u.code, u.name) for u in members]))
    return groups


_TERRITORIAL = frozenset({UnitKind.COUNTY.value, UnitKind.TOWN.value, UnitKind.VILLAGE.value, UnitKind.GRID.value})


# --- the triage panel ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageView:
    category: str | None
    confidence: str | None
    risk: str | None
    reasons: list[str]
    primary: str | None
    primary_code: str | None
    level: str | None
    joint: str | None
    co_handlers: list[str]
    suggestion_reasons: list[str]
    auto: bool


def _category_name(category: str | None, subcategory: str | None) -> str | None:
    if not category:
        return None
    from fengqiao.triage.taxonomy.schema import TaxonomyError, default_taxonomy

    try:
        taxonomy = default_taxonomy()
        name = taxonomy.category(category).name
        sub = taxonomy.subcategories.get(f"{category}.{subcategory}") if subcategory else None
    except (KeyError, TaxonomyError):
        return category + (f" / {subcategory}" if subcategory else "")
    return name + (f" / {sub.name}" if sub else "")


def triage_view(*, session: Session, event: Event) -> TriageView | None:
    triage: dict[str, Any] = event.triage or {}
    if not triage:
        return None
    suggestion: dict[str, Any] = triage.get("suggestion") or {}
    codes = [suggestion.get("primary"), suggestion.get("joint"), *(suggestion.get("co_handlers") or [])]
    wanted = [c for c in codes if isinstance(c, str)]
    rows = session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted))).all()
    names: dict[str, str] = {row.code: row.name for row in rows}
    confidence = triage.get("confidence")
    risk = triage.get("risk")
    level = suggestion.get("level")
    return TriageView(
        category=_category_name(triage.get("category"), triage.get("subcategory")),
        confidence=f"{confidence:.0%}" if isinstance(confidence, int | float) else None,
        risk=RISK_LEVEL_LABELS.get(RiskLevel(risk)) if risk in {r.value for r in RiskLevel} else None,
        reasons=[str(r) for r in triage.get("reasons") or []],
        primary=names.get(suggestion.get("primary") or "", suggestion.get("primary")),
        primary_code=suggestion.get("primary"),
        level=HANDLING_LEVEL_LABELS[HandlingLevel(level)] if level in {h.value for h in HandlingLevel} else None,
        joint=names.get(suggestion.get("joint") or "", suggestion.get("joint")),
        co_handlers=[names.get(c, c) for c in suggestion.get("co_handlers") or []],
        suggestion_reasons=[str(r) for r in suggestion.get("reasons") or []],
        auto=bool(suggestion.get("auto")),
    )


def success_message(action: Action) -> str:
    return f"已{ACTION_LABELS[action]}"
