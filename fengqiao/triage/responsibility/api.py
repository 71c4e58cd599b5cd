"""Routes of responsibility lists: read by every account, edited by the county centre."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from fengqiao.accounts.api import ViewerDep
from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import Forbidden
from fengqiao.triage.responsibility import service
from fengqiao.triage.responsibility.schemas import RuleIn, RuleOut
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.web.deps import SessionDep

router = APIRouter(tags=["属地事项清单 / responsibility lists"])


def _require_editor(viewer: Viewer) -> None:
    if not (viewer.may(Permission.ADMINISTER) or (viewer.is_county_wide and viewer.may(Permission.DISPATCH))):
        raise Forbidden("仅社会治理中心可以维护属地事项清单", code="permission_denied")


@router.get("/responsibilities", response_model=list[RuleOut], summary="属地事项清单 / responsibility rules")
def list_rules(
    viewer: ViewerDep,
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.0-9]+$")] = None,
) -> list[RuleOut]:
    return [RuleOut(**asdict(v)) for v in service.list_rules(session=session, category=category)]


@router.post("/responsibilities", status_code=201, response_model=RuleOut, summary="新增规则 / add a rule")
def add_rule(body: RuleIn, viewer: ViewerDep, session: SessionDep) -> RuleOut:
    _require_editor(viewer)
    view = service.add_rule(
        session=session,
        category=body.category,
        scope_code=body.scope_code,
        department_code=body.department_code,
        note=body.note,
        staff_id=viewer.staff_id,
        known_categories=known_categories(),
    )
    return RuleOut(**asdict(view))


@router.delete("/responsibilities/{rule_id}", status_code=204, summary="删除规则 / remove a rule")
def remove_rule(rule_id: Annotated[int, Path(ge=1, le=2**31 - 1)], viewer: ViewerDep, session: SessionDep) -> Response:
    _require_editor(viewer)
    service.remove_rule(session=session, rule_id=rule_id)
    return Response(status_code=204)


def known_categories() -> frozenset[str]:
    """Category and subcategory codes of the taxonomy."""
    taxonomy = default_taxonomy()
    return frozenset(c.code for c in taxonomy.categories) | frozenset(taxonomy.subcategories)
