"""API schemas of the assessment: the ranking of a month with each unit's breakdown."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from fengqiao.metrics.schemas import RateOut


class MetricScoreOut(BaseModel):
    metric: str = Field(description="指标代码（见 GET /metrics）")
    label: str
    rate: RateOut
    target: float = Field(description="目标值（0–1）")
    points_max: float = Field(description="满分")
    points: float = Field(description="得分 = 满分 × min(比率/目标, 1)；无可计数据时得满分")


class PenaltyOut(BaseModel):
    level: str = Field(description="督办等级")
    label: str
    count: int = Field(description="期内督办次数")
    points_each: float
    points: float


class UnitScoreOut(BaseModel):
    rank: int
    unit_code: str
    unit_name: str
    parent_name: str
    score: float = Field(description="总分 = 指标得分 − 扣分（扣分封顶，不低于 0）")
    earned: float = Field(description="指标得分合计")
    penalty: float = Field(description="扣分（封顶后）")
    penalty_capped: bool
    metrics: list[MetricScoreOut]
    penalties: list[PenaltyOut]


class AssessmentOut(BaseModel):
    level: str = Field(description="town 镇(街道) / village 村(社区)")
    level_label: str
    parent_code: str
    parent_name: str
    start: date = Field(description="起始日（北京时间，含）")
    end: date = Field(description="截止日（北京时间，含）")
    max_penalty: float | None
    units: list[UnitScoreOut]
