"""HTTP routes of people on duty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from fengqiao.accounts.api import ViewerDep
from fengqiao.duty import service
from fengqiao.duty.roles import DutyRole
from fengqiao.duty.schemas import MemberPage
from fengqiao.web.deps import NO_CONTROL_CHARS, PageDep, SessionDep

router = APIRouter(tags=["人员 / duty"])


@router.get("/units/{code}/members", summary="单位在岗人员 / staff on duty in a unit")
def list_members(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    code: Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROL_CHARS, description="单位代码")],
    include_descendants: Annotated[bool, Query(description="包含下级单位的人员")] = False,
    role: Annotated[DutyRole | None, Query(description="只列出该岗位")] = None,
) -> MemberPage:
    return service.list_members(
        session=session,
        code=code,
        include_descendants=include_descendants,
        role=role,
        limit=page.limit,
        offset=page.offset,
        scope=viewer.territory,
    )
