"""What an indicator may measure (its ``source``): the catalogue, pure data. ``metric:<code>`` names a rate of
``fengqiao.metrics``; the other codes are quantities ``fengqiao.indices.measures`` reads from the database. Kept apart
from the measures so the configuration can be validated without touching a database."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fengqiao.metrics.definitions import METRICS


class Level(StrEnum):
    """Who is scored: a territorial unit of one level, or one full-time grid worker (专职网格员)."""

    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"
    WORKER = "worker"


LEVEL_LABELS: dict[Level, str] = {
    Level.COUNTY: "县(市)",
    Level.TOWN: "镇(街道)",
    Level.VILLAGE: "村(社区)",
    Level.GRID: "网格",
    Level.WORKER: "专职网格员",
}
TERRITORIAL_LEVELS: tuple[Level, ...] = (Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID)


@dataclass(frozen=True)
class Source:
    code: str
    label: str  # Chinese, as shown
    unit: str  # how the raw value reads: "rate" (0–1), "per_worker", "per_100", "count", "ratio"
    definition: str  # Chinese, one sentence
    worker: bool = False  # measurable for one grid worker, not only for a territory


METRIC_PREFIX = "metric:"

_OWN: tuple[Source, ...] = (
    Source(
        "patrol_reports",
        "人均网格排查上报",
        "per_worker",
        "期内经网格排查渠道上报的事件数，除以辖区专职网格员人数；对个人为本人上报数。",
        worker=True,
    ),
    Source(
        "worker_actions",
        "人均履职操作",
        "per_worker",
        "期内专职网格员在事件时间线上的操作（签收、处置、调解、反馈等）次数，除以辖区专职网格员人数；对个人为本人操作数。",
        worker=True,
    ),
    Source(
        "accept_on_time",
        "按时签收率",
        "rate",
        "期内签收的任务中，在签收时限内签收的比例；对个人为本人签收的任务。",
        worker=True,
    ),
    Source(
        "report_back_on_time",
        "按时反馈率",
        "rate",
        "期内反馈的任务中，在办理时限内反馈的比例；对个人为本人签收的任务。",
        worker=True,
    ),
    Source(
        "task_overdue_rate",
        "任务超期率",
        "rate",
        "办理时限落在期内（截至今日）的任务中，到期未反馈或逾期反馈的比例（退回、撤回的任务不计）；对个人为本人签收的任务。",
        worker=True,
    ),
    Source(
        "task_return_rate",
        "任务退回率",
        "rate",
        "期内签收与退回操作中，退回的比例；对个人为本人的操作。",
        worker=True,
    ),
    Source(
        "key_person_visits",
        "重点人员走访率",
        "rate",
        "在管重点人员中，期内至少走访一次的比例；对个人为本人负责的重点人员。",
        worker=True,
    ),
    Source(
        "warning_ack_on_time",
        "预警按时签收率",
        "rate",
        "期内下发到辖区单位的风险预警中，未上升到上级即已签收的比例。",
    ),
    Source(
        "alert_arrival_on_time",
        "感知告警按时到场率",
        "rate",
        "期内派发到辖区网格的感知告警（三必到）中，在时限内到场的比例。",
    ),
    Source(
        "citizen_share",
        "群众扫码参与占比",
        "rate",
        "期内受理的事件中（合并、作废的不计），群众通过市域共治码自主上报的比例。",
    ),
    Source(
        "supervision_rate",
        "督办率（每百件）",
        "per_100",
        "期内向辖区单位发出的督办次数，每百件期内受理事件（合并、作废的不计）。",
    ),
    Source(
        "staffing_rate",
        "专职网格员配备率",
        "rate",
        "辖区网格中，配有至少一名专职网格员的网格比例（按当前在岗）。",
    ),
    Source(
        "workload_balance",
        "工作量离散系数",
        "ratio",
        "辖区专职网格员期内履职操作数的变异系数（标准差÷平均数），越小越均衡；不足两人或无操作时不计。",
    ),
)

SOURCES: dict[str, Source] = {s.code: s for s in _OWN} | {
    f"{METRIC_PREFIX}{m.code}": Source(f"{METRIC_PREFIX}{m.code}", m.name, "rate", m.definition)
    for m in METRICS.values()
    if m.unit == "rate"
}


def source_label(code: str) -> str:
    source = SOURCES.get(code)
    return source.label if source else code
