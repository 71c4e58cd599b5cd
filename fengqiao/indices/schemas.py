"""API schemas of the indices: a ranking (晾晒), one subject's score with the drill-down tree, a subject's history,
and the definitions (the configuration as read)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RawOut(BaseModel):
    value: float | None = Field(description="原始值（比率为 0–1；人均、每百件等见指标说明）；无可计事项时为空")
    numerator: float | None = Field(description="分子")
    denominator: float | None = Field(description="分母")
    note: str = Field(default="", description="补充说明（如网格员人数、各人操作数）")


class NodeOut(BaseModel):
    code: str = Field(description="节点代码（根为空）")
    label: str
    weight: float = Field(description="配置的权重（相对同级）")
    score: float | None = Field(description="标准化得分 0–100；无可计事项时为空（不参与加权）")
    share: float = Field(description="在上级中的实际权重占比（无得分的同级剔除后重新归一）")
    index_share: float = Field(description="在整个指数中的权重占比")
    contribution: float = Field(description="对指数得分的贡献分 = index_share × score")
    published: str | None = Field(default=None, description="对应的公开指数指标（说明用）")
    source: str | None = Field(default=None, description="指标的数据来源；分组节点为空")
    source_label: str | None = None
    direction: str | None = Field(default=None, description="higher 越高越好 / lower 越低越好")
    method: str | None = Field(default=None, description="标准化方法：linear / minmax / threshold")
    raw: RawOut | None = None
    children: list[NodeOut] = Field(default_factory=list)


class ScoreOut(BaseModel):
    subject: str = Field(description="单位代码，或 w<人员ID>（网格员）")
    name: str
    level: str
    unit_code: str
    unit_name: str
    parent_name: str
    staff_id: int | None
    score: float | None = Field(description="指数得分 0–100")
    rank: int | None = Field(description="在全县同层级中的名次（同分同名次）")
    peers: int = Field(description="全县同层级对象数")
    dimensions: dict[str, float | None] = Field(description="各维度得分")


class RankingOut(BaseModel):
    index: str
    index_label: str
    level: str
    level_label: str
    month: str
    month_label: str
    live: bool = Field(description="true：本次实时计算（本月或未存档的月份）；false：读取存档")
    within: str | None = Field(description="只列此单位之下的对象")
    dimensions: list[str] = Field(description="维度名称，与 rows[].dimensions 对应")
    rows: list[ScoreOut]


class DetailOut(BaseModel):
    index: str
    index_label: str
    month: str
    month_label: str
    live: bool
    config_sha256: str = Field(description="计算所用配置文件的 SHA-256")
    computed_at: datetime
    score: ScoreOut
    tree: NodeOut


class HistoryPointOut(BaseModel):
    month: str
    score: float | None
    rank: int | None
    peers: int
    final: bool = Field(description="计算时该月是否已结束")
    dimensions: dict[str, float | None]


class HistoryOut(BaseModel):
    index: str
    subject: str
    name: str
    level: str
    points: list[HistoryPointOut]


class IndexDefinitionOut(BaseModel):
    code: str
    label: str
    description: str
    levels: list[str]
    tree: NodeOut
