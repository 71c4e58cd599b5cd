"""API schemas of responsibility lists."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: str = Field(min_length=1, max_length=64, pattern=r"^[a-z_]+(\.[a-z_0-9]+)?$", description="类别代码")
    scope_code: str = Field(min_length=6, max_length=24, pattern=r"^[0-9A-Z]+$", description="适用范围单位代码")
    department_code: str = Field(min_length=1, max_length=24, pattern=r"^[0-9A-Z]+$", description="责任部门代码")
    note: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class RuleOut(BaseModel):
    id: int
    category: str
    scope_code: str
    scope_name: str
    department_code: str
    department_name: str
    note: str | None
