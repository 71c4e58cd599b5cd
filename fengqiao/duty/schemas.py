"""API schemas of people on duty."""

from __future__ import annotations

from pydantic import BaseModel, Field

from fengqiao.duty.roles import DUTY_ROLE_LABELS, DutyRole
from fengqiao.jurisdiction.schemas import UnitRef


def role_title(role: str) -> str:
    try:
        return DUTY_ROLE_LABELS[DutyRole(role)]
    except ValueError:
        return role


class Member(BaseModel):
    """One duty assignment of one person: a person with two roles appears twice."""

    staff_id: int
    full_name: str = Field(description="姓名")
    phone: str | None = Field(default=None, description="工作电话")
    role: str = Field(description="岗位代码", examples=["grid_leader"])
    role_title: str = Field(description="岗位名称", examples=["网格长"])
    unit: UnitRef = Field(description="任职单位")


class MemberPage(BaseModel):
    unit: UnitRef
    include_descendants: bool
    total: int
    limit: int
    offset: int
    items: list[Member]
