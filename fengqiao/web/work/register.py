"""Front-desk registration (一窗受理, B1) as a staff page: the form, address suggestions from the standard addresses
and the address matcher, and hints of recent similar events while the form is filled in. The event is registered by
the same triage pipeline the API's ``POST /events`` uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.api import require
from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.basedata import service as basedata
from fengqiao.basedata.identifiers import validate_phone, validate_resident_id
from fengqiao.basedata.models import Building, Room
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput, NotFound
from fengqiao.events import duplicates, intake, present, queries
from fengqiao.events.dispute_code import display
from fengqiao.events.kinds import INTAKE_TYPE_LABELS, PARTY_ROLE_LABELS, Channel, IntakeType, PartyRole
from fengqiao.events.schemas import TEXT
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage import pipeline
from fengqiao.triage.address.match import MatchLevel
from fengqiao.triage.classify.service import classify
from fengqiao.triage.placing import matcher_for
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)

MAX_PARTIES = 20
MIN_ADDRESS = 2
SUGGESTIONS = 8
# A matcher answer below this is more guess than match: offered only when nothing else is.
MATCH_SHOWN = 0.5
INTAKE_CHOICES = [(t.value, INTAKE_TYPE_LABELS[t]) for t in IntakeType]
ROLE_CHOICES = [(r.value, PARTY_ROLE_LABELS[r]) for r in PartyRole]
_TEXT_OK = re.compile(TEXT)


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in default_taxonomy().categories]


class RegisterFields(BaseModel):
    """The form as typed: every value a string, checked by ``_check`` so that each error lands next to its field.
    The bounds here only stop abuse; ordinary mistakes never reach FastAPI's validation."""

    model_config = ConfigDict(extra="ignore")

    intake_type: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=1000)
    content: str = Field(default="", max_length=20_000)
    category: str = Field(default="", max_length=40)
    is_dispute: str = Field(default="", max_length=8)
    is_sensitive: str = Field(default="", max_length=8)
    address: str = Field(default="", max_length=1000)
    building_id: str = Field(default="", max_length=12)
    room_id: str = Field(default="", max_length=12)
    lon: str = Field(default="", max_length=40)
    lat: str = Field(default="", max_length=40)
    occurred_at: str = Field(default="", max_length=40)
    involved_count: str = Field(default="", max_length=12)
    party_role: list[str] = Field(default_factory=list, max_length=MAX_PARTIES)
    party_name: list[str] = Field(default_factory=list, max_length=MAX_PARTIES)
    party_id_number: list[str] = Field(default_factory=list, max_length=MAX_PARTIES)
    party_phone: list[str] = Field(default_factory=list, max_length=MAX_PARTIES)


FieldsForm = Annotated[RegisterFields, Form()]


@dataclass
class PartyDraft:
    index: int
    role: str = PartyRole.REPORTER.value
    name: str = ""
    id_number: str = ""
    phone: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.name or self.id_number or self.phone)


@dataclass
class Checked:
    """What ``_check`` made of the form: the event to register (when nothing is wrong) and the errors by field."""

    errors: dict[str, str] = field(default_factory=dict)
    new: intake.NewEvent | None = None
    room_id: int | None = None


def _drafts(fields: RegisterFields) -> list[PartyDraft]:
    count = max(len(fields.party_name), len(fields.party_id_number), len(fields.party_phone), 1)

    def at(values: list[str], i: int) -> str:
        return values[i].strip() if i < len(values) else ""

    drafts = [
        PartyDraft(
            index=i,
            role=at(fields.party_role, i) or PartyRole.REPORTER.value,
            name=at(fields.party_name, i),
            id_number=at(fields.party_id_number, i),
            phone=at(fields.party_phone, i),
        )
        for i in range(min(count, MAX_PARTIES))
    ]
    # Blank added parties are dropped; the first (the one who came to the desk) always stays.
    kept = [d for d in drafts if d.index == 0 or not d.is_blank]
    for i, draft in enumerate(kept):
        draft.index = i
    return kept


def _int(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        number = float(value) if value.strip() else None
    except ValueError:
        return None
    return number if number is None or number == number else None  # NaN is no coordinate


def _text(errors: dict[str, str], key: str, value: str, label: str, max_length: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors[key] = f"请填写{label}"
    elif len(value) > max_length:
        errors[key] = f"{label}不能超过{max_length}个字"
    elif not _TEXT_OK.match(value):
        errors[key] = f"{label}含有无法识别的字符"
    return value


def _check(*, session: Session, viewer: Viewer, fields: RegisterFields, parties: list[PartyDraft]) -> Checked:
    errors: dict[str, str] = {}
    try:
        intake_type = IntakeType(fields.intake_type)
    except ValueError:
        errors["intake_type"] = "请选择受理类型"
    title = _text(errors, "title", fields.title, "事项标题", 200, required=True)
    content = _text(errors, "content", fields.content, "事项内容", 10_000, required=True)
    category = fields.category.strip() or None
    if category is not None and category not in dict(_categories()):
        errors["category"] = "请从列表中选择事项分类"
    address = _text(errors, "address", fields.address, "事发地址", 200, required=False) or None
    new_parties: list[intake.NewParty] = []
    for p in parties:
        key = f"party_{p.index}_"
        try:
            role = PartyRole(p.role)
        except ValueError:
            errors[key + "role"] = "请选择当事人身份"
            role = PartyRole.REPORTER
        name = _text(errors, key + "name", p.name, "姓名", 32 if p.index == 0 else 64, required=True)
        id_number: str | None = None
        phone: str | None = None
        if p.id_number:
            try:
                id_number = validate_resident_id(p.id_number)
            except InvalidInput as exc:
                errors[key + "id_number"] = exc.message
        if p.phone:
            try:
                phone = validate_phone(p.phone)
            except InvalidInput as exc:
                errors[key + "phone"] = exc.message
        elif p.index == 0:
            errors[key + "phone"] = "请填写联系电话，便于回访"
        new_parties.append(intake.NewParty(role=role, name=name, id_number=id_number, phone=phone))
    building_id = _int(fields.building_id)
    room_id = _int(fields.room_id)
    if building_id is not None:
        try:
            basedata.get_building(session=session, building_id=building_id, scope=viewer.territory)
        except NotFound:
            errors["address"] = "所选地址不在您的辖区内或已不存在，请重新选择"
            building_id = room_id = None
    if room_id is not None and (
        building_id is None or session.scalar(select(Room.building_id).where(Room.id == room_id)) != building_id
    ):
        room_id = None
    lon, lat = _float(fields.lon), _float(fields.lat)
    if (fields.lon.strip() or fields.lat.strip()) and (
        lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors["point"] = "地图位置不正确：请在地图上重新点选，或清空经纬度"
        lon = lat = None
    occurred_at: datetime | None = None
    if fields.occurred_at.strip():
        try:
            occurred_at = datetime.fromisoformat(fields.occurred_at.strip()).replace(tzinfo=CHINA_TZ)
        except ValueError:
            errors["occurred_at"] = "事发时间格式不正确"
        else:
            if occurred_at > utcnow() + timedelta(minutes=10):
                errors["occurred_at"] = "事发时间不能晚于现在"
    involved_count = _int(fields.involved_count)
    if fields.involved_count.strip() and (involved_count is None or not 1 <= involved_count <= 100_000):
        errors["involved_count"] = "涉及人数应为1至100000之间的整数"
    if errors:
        return Checked(errors=errors)
    reporter = new_parties[0]
    return Checked(
        new=intake.NewEvent(
            channel=Channel.FRONT_DESK,
            intake_type=intake_type,
            title=title,
            content=content,
            category=category,
            is_dispute=bool(fields.is_dispute),
            is_sensitive=bool(fields.is_sensitive),
            building_id=building_id,
            room_id=room_id,
            address=address,
            lon=lon if building_id is None else None,
            lat=lat if building_id is None else None,
            occurred_at=occurred_at,
            reporter_name=reporter.name,
            reporter_phone=reporter.phone,
            involved_count=involved_count,
            parties=new_parties,
        ),
        room_id=room_id,
    )


def _form_context(
    *,
    viewer: Viewer,
    fields: RegisterFields | None = None,
    parties: list[PartyDraft] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    picked: str | None = None,
) -> dict[str, Any]:
    unit = viewer.primary_unit()
    return {
        "me": work_me(viewer),
        "nav": "register",
        "f": fields or RegisterFields(intake_type=IntakeType.MEDIATION.value),
        "parties": parties or [PartyDraft(index=0)],
        "errors": errors or {},
        "error": error,
        "picked": picked,
        "choices": {"intake": INTAKE_CHOICES, "role": ROLE_CHOICES, "category": _categories()},
        "unit_code": unit.unit_code,
    }


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, viewer: PageViewerDep) -> HTMLResponse:
    require(viewer, Permission.REGISTER)
    return render(request, "work/register.html", _form_context(viewer=viewer))


@router.post("/register", response_class=HTMLResponse)
def register_submit(request: Request, viewer: PageViewerDep, session: SessionDep, fields: FieldsForm) -> Response:
    require(viewer, Permission.REGISTER)
    parties = _drafts(fields)
    checked = _check(session=session, viewer=viewer, fields=fields, parties=parties)
    error: str | None = None
    if checked.new is not None:
        unit = session.get(Unit, viewer.primary_unit().unit_id)
        assert unit is not None
        try:
            # A savepoint: a refusal leaves nothing behind, and the form is shown again with what was typed.
            with session.begin_nested():
                event = pipeline.register(
                    session=session, new=checked.new, registering_unit=unit, actor_id=viewer.staff_id
                ).event
        except FengqiaoError as exc:
            error = exc.message
        else:
            return RedirectResponse(f"/work/events/{event.id}", status_code=303)
    context = _form_context(
        viewer=viewer,
        fields=fields,
        parties=parties,
        errors=checked.errors,
        error=error or "登记未成功，请按提示修改后重新提交",
        picked=_picked_label(session=session, fields=fields),
    )
    return render(request, "work/register.html", context, status_code=422)


def _picked_label(*, session: Session, fields: RegisterFields) -> str | None:
    building_id = _int(fields.building_id)
    if building_id is None:
        return None
    row = session.execute(
        select(Unit.name).join(Building, Building.grid_id == Unit.id).where(Building.id == building_id)
    ).one_or_none()
    return f"已选定标准地址，所属{row.name}" if row else None


@router.get("/register/party", response_class=HTMLResponse)
def party_block(
    request: Request, viewer: PageViewerDep, index: Annotated[int, Query(ge=1, lt=MAX_PARTIES)] = 1
) -> HTMLResponse:
    """One more party's fields (添加当事人)."""
    require(viewer, Permission.REGISTER)
    context = {
        "p": PartyDraft(index=index, role=PartyRole.RESPONDENT.value),
        "errors": {},
        "choices": {"role": ROLE_CHOICES},
        "removable": True,
    }
    return render(request, "work/_register_party.html", context)


@dataclass(frozen=True)
class Suggestion:
    building_id: int
    room_id: int | None
    address: str
    note: str


def suggest_addresses(*, session: Session, viewer: Viewer, text: str) -> list[Suggestion]:
    """Standard addresses for what is typed: the address matcher's answer to free text first (it reads 泽国文昌路
    88号3幢 as the standard address), then standard addresses starting with the text. Only the viewer's territory."""
    text = text.strip()
    if len(text) < MIN_ADDRESS:
        return []
    found: list[Suggestion] = []
    seen: set[tuple[int, int | None]] = set()
    match = matcher_for(session).match(text)
    if match.level in (MatchLevel.ROOM, MatchLevel.BUILDING) and match.score >= MATCH_SHOWN:
        assert match.building_id is not None
        try:
            building = basedata.get_building(session=session, building_id=match.building_id, scope=viewer.territory)
        except NotFound:
            building = None
        if building is not None:
            room = session.get(Room, match.room_id) if match.room_id is not None else None
            address = room.standard_address if room is not None else building.standard_address
            found.append(Suggestion(building.id, room.id if room else None, address, f"智能匹配 {match.score:.0%}"))
            seen.add((building.id, room.id if room else None))
    try:
        prefixed = basedata.search_addresses(
            session=session, prefix=text, limit=SUGGESTIONS, scope=viewer.territory
        ).items
    except InvalidInput:
        prefixed = []
    for item in prefixed:
        room_id = item.id if item.kind == "room" else None
        if (item.building_id, room_id) in seen:
            continue
        seen.add((item.building_id, room_id))
        found.append(Suggestion(item.building_id, room_id, item.standard_address, "户室" if room_id else "楼栋"))
    return found[:SUGGESTIONS]


@router.get("/register/address", response_class=HTMLResponse)
def address_suggestions(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    address: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    require(viewer, Permission.REGISTER)
    items = suggest_addresses(session=session, viewer=viewer, text=address)
    return render(
        request, "work/_register_suggestions.html", {"items": items, "typed": address.strip(), "min": MIN_ADDRESS}
    )


@router.get("/register/address/pick", response_class=HTMLResponse)
def pick_address(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    building_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    room_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """A suggestion chosen: the address block comes back with the standard address and the building (and room)."""
    require(viewer, Permission.REGISTER)
    building = basedata.get_building(session=session, building_id=building_id, scope=viewer.territory)
    room = session.get(Room, room_id) if room_id is not None else None
    if room is not None and room.building_id != building.id:
        room = None
    fields = RegisterFields(
        address=room.standard_address if room else building.standard_address,
        building_id=str(building.id),
        room_id=str(room.id) if room else "",
    )
    response = render(
        request,
        "work/_register_address.html",
        {"f": fields, "errors": {}, "picked": _picked_label(session=session, fields=fields)},
    )
    response.headers["HX-Trigger"] = "address-picked"
    return response


@router.post("/register/hints", response_class=HTMLResponse)
def duplicate_hints(request: Request, viewer: PageViewerDep, session: SessionDep, fields: FieldsForm) -> HTMLResponse:
    """近期相似事项 while the form is filled in, and the category triage would suggest for the text so far."""
    require(viewer, Permission.REGISTER)
    text = "。".join(t for t in (fields.title.strip(), fields.content.strip()) if t)
    hints = duplicates.find_duplicates(
        session=session,
        viewer=viewer,
        id_numbers=[v.upper() for v in fields.party_id_number],
        phones=fields.party_phone,
        building_id=_int(fields.building_id),
        text=text or None,
        village_path=None if _int(fields.building_id) else duplicates.village_path_for(viewer),
    )
    summaries = present.summaries(session=session, events=[h.event for h in hints])
    suggestion = None
    if len(duplicates.normalise_text(text)) >= duplicates.MIN_TEXT:
        result = classify(text, session=session)
        suggestion = {"code": result.category, "name": result.category_name, "confidence": result.confidence}
    context = {
        "rows": list(zip(hints, summaries, strict=True)),
        "asked": bool(text or any(fields.party_phone) or any(fields.party_id_number) or fields.building_id),
        "suggestion": suggestion,
    }
    return render(request, "work/_register_hints.html", context)


@router.get("/register/{event_id}/receipt", response_class=HTMLResponse)
def receipt(
    event_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, viewer: PageViewerDep, session: SessionDep
) -> HTMLResponse:
    """受理回执 for the citizen: the dispute code with its QR (the API's SVG, read with the same session cookie)."""
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    summary = present.summaries(session=session, events=[event])[0]
    registered = session.get(Unit, event.registered_unit_id)
    context = {
        "me": _form_context(viewer=viewer)["me"],
        "nav": "register",
        "s": summary,
        "code": display(event.dispute_code),
        "intake_type": INTAKE_TYPE_LABELS[IntakeType(event.intake_type)] if event.intake_type else "—",
        "unit_name": registered.name if registered else "",
    }
    return render(request, "work/register_receipt.html", context)
