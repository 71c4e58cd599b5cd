"""Routes of early warning: patterns to review (研判线索), similar events (类案), identities and their corrections;
warnings (预警) with acknowledgement; the risk rule sets (风险规则) with validation, dry run and versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.api import ViewerDep, require
from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import NotFound
from fengqiao.events import present, queries
from fengqiao.events.kinds import RiskLevel
from fengqiao.events.models import Event
from fengqiao.linking import service as linking
from fengqiao.linking.models import Identity, PartyLink
from fengqiao.warnings import issued, notices, patterns
from fengqiao.warnings import queries as pattern_queries
from fengqiao.warnings.patterns import PatternKind, PatternStatus
from fengqiao.warnings.present import pattern_detail, pattern_out
from fengqiao.warnings.rules import service as rule_service
from fengqiao.warnings.rules import store as rule_store
from fengqiao.warnings.rules.schema import RuleSetInvalid
from fengqiao.warnings.rules.schema import parse as parse_rules
from fengqiao.warnings.schemas import (
    DryRunIn,
    DryRunOut,
    IdentityLinkOut,
    IdentityMergeIn,
    IdentityOut,
    IdentitySplitIn,
    PatternDecisionIn,
    PatternDetailOut,
    PatternListOut,
    PatternMergeIn,
    RuleProblemOut,
    RuleSaveIn,
    RuleSetDetailOut,
    RuleSetListOut,
    RuleSetOut,
    RuleTextIn,
    SimilarEventOut,
    ValidationOut,
    WarningAckIn,
    WarningCloseIn,
    WarningDetailOut,
    WarningListOut,
)
from fengqiao.web.deps import PageDep, SessionDep

router = APIRouter(tags=["研判预警 / early warning"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/patterns", response_model=PatternListOut, summary="研判线索列表 / patterns")
def list_patterns(
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[PatternKind | None, Query(description="线索类型")] = None,
    status: Annotated[PatternStatus | None, Query(description="研判状态")] = None,
) -> PatternListOut:
    items, total = pattern_queries.list_patterns(
        session=session,
        viewer=viewer,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    masked = pattern_queries.sensitive_members(session=session, pattern_ids=[p.id for p in items])
    return PatternListOut(items=[pattern_out(p, mask_subject=p.id in masked) for p in items], total=total)


@router.get("/patterns/{pattern_id}", response_model=PatternDetailOut, summary="研判线索详情 / pattern")
def get_pattern(pattern_id: Id, viewer: ViewerDep, session: SessionDep) -> PatternDetailOut:
    return pattern_detail(session=session, viewer=viewer, pattern_id=pattern_id)


@router.post("/patterns/{pattern_id}/decision", response_model=PatternDetailOut, summary="确认／排除 / decide")
def decide_pattern(pattern_id: Id, body: PatternDecisionIn, viewer: ViewerDep, session: SessionDep) -> PatternDetailOut:
    require(viewer, Permission.DISPATCH)
    pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=pattern_id)
    patterns.decide(
        session=session,
        pattern_id=pattern_id,
        status=PatternStatus(body.status),
        staff_id=viewer.staff_id,
        version=body.version,
        note=body.note,
    )
    return pattern_detail(session=session, viewer=viewer, pattern_id=pattern_id)


@router.post("/patterns/{pattern_id}/merge", response_model=PatternDetailOut, summary="合并线索 / merge")
def merge_pattern(pattern_id: Id, body: PatternMergeIn, viewer: ViewerDep, session: SessionDep) -> PatternDetailOut:
    require(viewer, Permission.DISPATCH)
    pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=pattern_id)
    pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=body.into_id)
    kept = patterns.merge(
        session=session, keep_id=body.into_id, merge_id=pattern_id, staff_id=viewer.staff_id, version=body.version
    )
    return pattern_detail(session=session, viewer=viewer, pattern_id=kept.id)


@router.get("/events/{event_id}/similar", response_model=list[SimilarEventOut], summary="类案 / similar events")
def similar_events(event_id: Id, viewer: ViewerDep, session: SessionDep) -> list[SimilarEventOut]:
    queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    found = linking.similar_events(session=session, event_id=event_id)
    by_id = {
        e.id: e
        for e in session.scalars(
            select(Event).where(Event.id.in_([s.event_id for s in found]), queries.visible(viewer))
        )
    }
    shown = [s for s in found if s.event_id in by_id]
    summaries = present.summaries(session=session, events=[by_id[s.event_id] for s in shown])
    return [
        SimilarEventOut(event=summary, similarity=s.similarity) for s, summary in zip(shown, summaries, strict=True)
    ]


# --- identities ---------------------------------------------------------------------------------------------------


def _visible_links(*, session: Session, viewer: Viewer, identity_id: int) -> list[PartyLink]:
    return list(
        session.scalars(
            select(PartyLink)
            .join(Event, Event.id == PartyLink.event_id)
            .where(PartyLink.identity_id == identity_id, queries.visible(viewer))
            .order_by(PartyLink.event_time.desc())
        )
    )


def identity_out(*, session: Session, viewer: Viewer, identity_id: int) -> IdentityOut:
    identity = session.get(Identity, identity_id)
    links = _visible_links(session=session, viewer=viewer, identity_id=identity_id) if identity else []
    if identity is None or not links:
        raise NotFound(f"未找到人员／组织画像{identity_id}", code="identity_not_found")
    return IdentityOut(
        id=identity.id,
        kind=identity.kind,
        name=identity.name,
        party_count=identity.party_count,
        links=[
            IdentityLinkOut(
                event_id=link.event_id,
                slot=link.slot,
                role=link.role,
                name=link.name,
                reasons=link.reasons,
                confidence=link.confidence,
                method=link.method,
                event_time=link.event_time,
            )
            for link in links
        ],
    )


@router.get("/identities/{identity_id}", response_model=IdentityOut, summary="人员／组织画像 / identity")
def get_identity(identity_id: Id, viewer: ViewerDep, session: SessionDep) -> IdentityOut:
    return identity_out(session=session, viewer=viewer, identity_id=identity_id)


@router.post("/identities/{identity_id}/split", response_model=IdentityOut, summary="拆分误合并 / split")
def split_identity(identity_id: Id, body: IdentitySplitIn, viewer: ViewerDep, session: SessionDep) -> IdentityOut:
    require(viewer, Permission.DISPATCH)
    refs = [(r.event_id, r.slot) for r in body.links]
    seen = {
        (e, s)
        for e, s in session.execute(
            select(PartyLink.event_id, PartyLink.slot)
            .join(Event, Event.id == PartyLink.event_id)
            .where(or_(*(and_(PartyLink.event_id == e, PartyLink.slot == s) for e, s in refs)), queries.visible(viewer))
        )
    }
    if seen != set(refs):
        raise NotFound("所选记录不存在或不在您的辖区内", code="links_not_found")
    new = linking.split_identity(
        session=session, identity_id=identity_id, links=refs, staff_id=viewer.staff_id, note=body.note
    )
    return identity_out(session=session, viewer=viewer, identity_id=new.id)


@router.post("/identities/{identity_id}/merge", response_model=IdentityOut, summary="合并画像 / merge")
def merge_identity(identity_id: Id, body: IdentityMergeIn, viewer: ViewerDep, session: SessionDep) -> IdentityOut:
    require(viewer, Permission.DISPATCH)
    for wanted in (identity_id, body.other_id):
        identity_out(session=session, viewer=viewer, identity_id=wanted)  # both must be in sight
    kept = linking.merge_identities(
        session=session, keep_id=identity_id, merge_id=body.other_id, staff_id=viewer.staff_id
    )
    return identity_out(session=session, viewer=viewer, identity_id=kept.id)


# --- warnings (预警) ----------------------------------------------------------------------------------------------


@router.get("/warnings", response_model=WarningListOut, summary="预警列表 / warnings")
def list_warnings(
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[issued.WarningStatus | None, Query(description="状态")] = None,
    level: Annotated[RiskLevel | None, Query(description="等级")] = None,
    pending: Annotated[bool, Query(description="仅待签收")] = False,
) -> WarningListOut:
    items, total = issued.list_warnings(
        session=session,
        viewer=viewer,
        status=status.value if status else None,
        level=level.value if level else None,
        pending_only=pending,
        limit=page.limit,
        offset=page.offset,
    )
    return WarningListOut(items=notices.warnings_out(session=session, viewer=viewer, items=items), total=total)


@router.get("/warnings/{warning_id}", response_model=WarningDetailOut, summary="预警详情 / warning")
def get_warning(warning_id: Id, viewer: ViewerDep, session: SessionDep) -> WarningDetailOut:
    return notices.warning_detail(session=session, viewer=viewer, warning_id=warning_id)


@router.post("/warnings/{warning_id}/acknowledge", response_model=WarningDetailOut, summary="签收预警 / acknowledge")
def acknowledge_warning(warning_id: Id, body: WarningAckIn, viewer: ViewerDep, session: SessionDep) -> WarningDetailOut:
    issued.acknowledge(session=session, viewer=viewer, warning_id=warning_id, version=body.version, note=body.note)
    return notices.warning_detail(session=session, viewer=viewer, warning_id=warning_id)


@router.post("/warnings/{warning_id}/close", response_model=WarningDetailOut, summary="办结预警 / close")
def close_warning(warning_id: Id, body: WarningCloseIn, viewer: ViewerDep, session: SessionDep) -> WarningDetailOut:
    issued.close(session=session, viewer=viewer, warning_id=warning_id, version=body.version, note=body.note)
    return notices.warning_detail(session=session, viewer=viewer, warning_id=warning_id)


# --- risk rule sets (风险规则), kept by administrators --------------------------------------------------------------


@router.get("/risk-rules", response_model=RuleSetListOut, summary="风险规则版本 / rule set versions")
def list_rule_sets(viewer: ViewerDep, session: SessionDep) -> RuleSetListOut:
    require(viewer, Permission.ADMINISTER)
    items = rule_store.list_versions(session=session, county_code=viewer.county_code)
    current = rule_store.active(session=session, county_code=viewer.county_code)
    return RuleSetListOut(
        items=notices.rule_sets_out(session=session, items=items),
        active_version=current.version,
        builtin_text=rule_store.default_text() if not items else None,
    )


@router.get("/risk-rules/{rule_set_id}", response_model=RuleSetDetailOut, summary="风险规则版本内容 / rule set")
def get_rule_set(rule_set_id: Id, viewer: ViewerDep, session: SessionDep) -> RuleSetDetailOut:
    require(viewer, Permission.ADMINISTER)
    row = rule_store.get_version(session=session, county_code=viewer.county_code, rule_set_id=rule_set_id)
    [out] = notices.rule_sets_out(session=session, items=[row])
    return RuleSetDetailOut(**out.model_dump(), text=row.text)


@router.post("/risk-rules/validate", response_model=ValidationOut, summary="校验规则 / validate")
def validate_rules(body: RuleTextIn, viewer: ViewerDep) -> ValidationOut:
    require(viewer, Permission.ADMINISTER)
    try:
        spec = parse_rules(body.text)
    except RuleSetInvalid as exc:
        return ValidationOut(valid=False, rules=0, problems=[RuleProblemOut(**p.as_dict()) for p in exc.problems])
    return ValidationOut(valid=True, rules=len(spec.rules), problems=[])


@router.post("/risk-rules/dry-run", response_model=DryRunOut, summary="试运行 / dry run over past events")
def dry_run_rules(body: DryRunIn, viewer: ViewerDep, session: SessionDep) -> DryRunOut:
    require(viewer, Permission.ADMINISTER)
    report = rule_service.dry_run(session=session, county_code=viewer.county_code, text=body.text, days=body.days)
    return notices.dry_run_out(report)


@router.post("/risk-rules", response_model=RuleSetDetailOut, status_code=201, summary="保存新版本 / save a version")
def save_rule_set(body: RuleSaveIn, viewer: ViewerDep, session: SessionDep) -> RuleSetDetailOut:
    require(viewer, Permission.ADMINISTER)
    row = rule_store.save(
        session=session,
        county_code=viewer.county_code,
        text=body.text,
        staff_id=viewer.staff_id,
        note=body.note,
        activate=body.activate,
    )
    [out] = notices.rule_sets_out(session=session, items=[row])
    return RuleSetDetailOut(**out.model_dump(), text=row.text)


@router.post("/risk-rules/{rule_set_id}/activate", response_model=RuleSetOut, summary="启用／回滚 / activate")
def activate_rule_set(rule_set_id: Id, viewer: ViewerDep, session: SessionDep) -> RuleSetOut:
    require(viewer, Permission.ADMINISTER)
    row = rule_store.make_active(
        session=session, county_code=viewer.county_code, rule_set_id=rule_set_id, staff_id=viewer.staff_id
    )
    [out] = notices.rule_sets_out(session=session, items=[row])
    return out
