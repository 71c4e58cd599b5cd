"""API schemas of accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")
    password: str = Field(min_length=1, max_length=256)


class AssignmentOut(BaseModel):
    unit_code: str
    unit_name: str
    unit_kind: str
    role: str
    role_label: str


class MeOut(BaseModel):
    id: int
    username: str
    full_name: str
    assignments: list[AssignmentOut]
    permissions: list[str]


class LoginOut(BaseModel):
    token: str = Field(description="Bearer 令牌；浏览器同时获得会话 Cookie")
    expires_at: datetime
    user: MeOut
