"""API schemas of metrics: the cockpit's JSON, and the metrics by definition."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class UnitRef(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str


class RateOut(BaseModel):
    numerator: int = Field(description="分子")
    denominator: int = Field(description="分母")
    rate: float | None = Field(description="比率（0–1）；分母为 0 时为空")


class KpisOut(BaseModel):
    open: int = Field(description="在办事件数")
    overdue: int = Field(description="超期事件数（在办且超期）")
    today: int = Field(description="今日受理数（北京时间 0 点起）")
    high_risk: int = Field(description="在办高风险事件数")
    resolution: RateOut = Field(description="化解率：窗口期内受理且已办结 / 窗口期内受理（不含合并、作废）")
    satisfaction: RateOut = Field(description="满意率：窗口期内回访满意或基本满意 / 窗口期内回访总数")


class CountOut(BaseModel):
    value: str | None
    label: str
    count: int


class HeatOut(BaseModel):
    categories: list[CountOut] = Field(description="类别（按事件数降序），count 为该类合计")
    units: list[UnitRef] = Field(description="下级单位（列），末尾可能有“本级”")
    cells: list[tuple[int, int, int]] = Field(description="[单位序号, 类别序号, 事件数]，只列非零格")


class ChildOut(BaseModel):
    code: str | None = Field(description="下级单位代码；“本级”行为空")
    name: str
    kind: str | None
    open: int
    overdue: int
    high_risk: int
    today: int
    recent: int = Field(description="窗口期内受理（不含合并、作废）")


class PointOut(BaseModel):
    id: int
    lon: float
    lat: float
    risk_level: str
    title: str
    category: str
    status: str
    is_overdue: bool


class RiskEventOut(BaseModel):
    id: int
    title: str
    category: str
    unit_name: str
    status: str
    registered_at: datetime
    is_overdue: bool
    supervision: str | None


class CockpitOut(BaseModel):
    unit: UnitRef
    breadcrumb: list[UnitRef] = Field(description="从县到上级单位")
    version: str = Field(description="数据版本：未变时轮询可带 If-None-Match 得到 304")
    generated_at: datetime
    window_days: int
    kpis: KpisOut
    intake_today: list[CountOut] = Field(description="今日受理按渠道（全部渠道，含 0）")
    risk: list[CountOut] = Field(description="在办事件按风险等级")
    levels: list[CountOut] = Field(description="在办事件按处置层级；value 为空表示尚未派单")
    heat: HeatOut
    children: list[ChildOut] = Field(description="下级单位的计数，加上“本级”行即等于本单位合计")
    points: list[PointOut] = Field(description="在办事件的位置（WGS84），风险高者优先，最多 1000 个")
    top_risks: list[RiskEventOut] = Field(description="重大风险事件：在办高风险事件")


class VersionOut(BaseModel):
    unit: str
    version: str


class MetricDefinitionOut(BaseModel):
    code: str
    name: str = Field(description="指标名称")
    unit: str = Field(description="rate（比率 0–1）、hours（小时）或 count（件数）")
    numerator: str = Field(description="分子所用计数")
    denominator: str | None = Field(description="分母所用计数；件数类指标为空")
    definition: str = Field(description="口径说明")
    time_basis: str = Field(description="时间口径")


class MetricRowOut(BaseModel):
    group: dict[str, str | None] = Field(
        description="分组取值：单位代码（空为本级）、类别/渠道/层级（空为未分类）、期间"
    )
    labels: dict[str, str] = Field(description="分组取值的中文名称")
    numerator: int = Field(description="分子")
    denominator: int | None = Field(description="分母；件数类指标为空")
    value: float | None = Field(description="指标值；分母为 0 时为空")


class MetricResultOut(BaseModel):
    metric: MetricDefinitionOut
    unit: UnitRef
    start: date = Field(description="起始日期（北京时间，含）")
    end: date = Field(description="截止日期（北京时间，含）")
    by: list[str]
    rows: list[MetricRowOut]
