"""API schemas of bulletins (通报)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fengqiao.reports.period import PeriodKind


class BulletinIn(BaseModel):
    unit: str = Field(max_length=24, description="县(市)或镇(街道)代码")
    kind: PeriodKind = Field(default=PeriodKind.MONTHLY, description="monthly 月报 / weekly 周报")
    period: str = Field(max_length=10, description="月份 2026-10，或周 2026-W42")


class BulletinFileOut(BaseModel):
    format: str = Field(description="docx / xlsx / pdf")
    label: str
    url: str


class BulletinOut(BaseModel):
    id: int
    unit_code: str
    unit_name: str
    kind: str
    kind_label: str
    period: str = Field(description="期别，如 2026-10 或 2026-W42")
    doc_number: str = Field(description="文号")
    title: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    files: list[BulletinFileOut]


class BulletinDetailOut(BulletinOut):
    figures: dict[str, Any] = Field(description="主要数据（受理量、渠道、超期、督办、预警、各项比率）")
