"""Routes of the indices: definitions, a level's ranking (晾晒), one subject's score with the drill-down to the
numbers behind it, and its history. Thin: ``fengqiao.indices.service`` applies the viewer's jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from fengqiao.accounts.api import ViewerDep
from fengqiao.indices import service
from fengqiao.indices.config import IndexConfig, Node, default_config
from fengqiao.indices.schemas import (
    DetailOut,
    HistoryOut,
    HistoryPointOut,
    IndexDefinitionOut,
    NodeOut,
    RankingOut,
    ScoreOut,
)
from fengqiao.indices.sources import LEVEL_LABELS, source_label
from fengqiao.web.deps import NO_CONTROL_CHARS, SessionDep

router = APIRouter(tags=["治理指数 / indices"])
IndexPath = Annotated[str, Path(max_length=32, pattern=r"^[a-z_]+$", description="指数代码，见 GET /indices")]
LevelPath = Annotated[str, Path(max_length=10, pattern=r"^[a-z]+$", description="county/town/village/grid/worker")]
SubjectPath = Annotated[str, Path(max_length=24, pattern=r"^[0-9A-Za-z]+$", description="单位代码或 w<人员ID>")]
MonthQuery = Annotated[
    str | None, Query(max_length=7, pattern=r"^\d{4}-\d{1,2}$", description="月份，如 2026-10；缺省为本月（实时计算）")
]


def node_out(tree: dict[str, Any]) -> NodeOut:
    raw = tree.get("raw")
    return NodeOut(
        code=tree["code"],
        label=tree["label"],
        weight=tree["weight"],
        score=tree["score"],
        share=tree["share"],
        index_share=tree["index_share"],
        contribution=tree["contribution"],
        published=tree.get("published") or None,
        source=tree.get("source"),
        source_label=source_label(tree["source"]) if tree.get("source") else None,
        direction=tree.get("direction"),
        method=tree.get("method"),
        raw=raw,
        children=[node_out(c) for c in tree.get("children", [])],
    )


def dimensions(row: service.ScoreRow) -> dict[str, float | None]:
    return {c["label"]: c["score"] for c in row.detail.get("children", [])}


def score_out(row: service.ScoreRow) -> ScoreOut:
    return ScoreOut(
        subject=row.subject,
        name=row.name,
        level=row.level,
        unit_code=row.unit_code,
        unit_name=row.unit_name,
        parent_name=row.parent_name,
        staff_id=row.staff_id,
        score=row.score,
        rank=row.rank,
        peers=row.peers,
        dimensions=dimensions(row),
    )


def _definition_tree(code: str, node: Node) -> NodeOut:
    return NodeOut(
        code=code,
        label=node.label,
        weight=node.weight,
        score=None,
        share=0,
        index_share=0,
        contribution=0,
        published=node.published or None,
        source=node.source,
        source_label=source_label(node.source) if node.source else None,
        direction=node.direction,
        method=node.normalise.method if node.normalise else None,
        children=[_definition_tree(c, n) for c, n in (node.nodes or {}).items()],
    )


def definition_out(code: str, index: IndexConfig) -> IndexDefinitionOut:
    root = Node(label=index.label, weight=1, nodes=index.nodes)
    return IndexDefinitionOut(
        code=code,
        label=index.label,
        description=index.description,
        levels=[lv.value for lv in index.levels],
        tree=_definition_tree("", root),
    )


@router.get("/indices", summary="指数定义 / the indices and their indicators")
def definitions(viewer: ViewerDep) -> list[IndexDefinitionOut]:
    return [definition_out(code, index) for code, index in default_config().indices.items()]


@router.get("/indices/{index}/{level}", summary="指数排名（晾晒）/ a level's ranking")
def ranking(
    index: IndexPath,
    level: LevelPath,
    viewer: ViewerDep,
    session: SessionDep,
    month: MonthQuery = None,
    within: Annotated[
        str | None, Query(max_length=24, pattern=NO_CONTROL_CHARS, description="只列此单位之下的对象")
    ] = None,
) -> RankingOut:
    result, scope_unit = service.ranking(
        session=session, viewer=viewer, index_code=index, level=level, month=month, within=within
    )
    return RankingOut(
        index=result.index_code,
        index_label=result.index.label,
        level=result.level.value,
        level_label=LEVEL_LABELS[result.level],
        month=result.period.key,
        month_label=result.period.label,
        live=result.live,
        within=scope_unit.code if scope_unit else None,
        dimensions=[n.label for n in result.index.nodes.values()],
        rows=[score_out(r) for r in result.rows],
    )


@router.get("/indices/{index}/{level}/{subject}", summary="单个对象的指数与明细 / one subject's drill-down")
def detail(
    index: IndexPath,
    level: LevelPath,
    subject: SubjectPath,
    viewer: ViewerDep,
    session: SessionDep,
    month: MonthQuery = None,
) -> DetailOut:
    result, row = service.subject_scores(
        session=session, viewer=viewer, index_code=index, level=level, subject=subject, month=month
    )
    return DetailOut(
        index=result.index_code,
        index_label=result.index.label,
        month=result.period.key,
        month_label=result.period.label,
        live=result.live,
        config_sha256=row.config_sha256,
        computed_at=row.computed_at,
        score=score_out(row),
        tree=node_out(row.detail),
    )


@router.get("/indices/{index}/{level}/{subject}/history", summary="指数走势 / a subject's monthly history")
def history(
    index: IndexPath,
    level: LevelPath,
    subject: SubjectPath,
    viewer: ViewerDep,
    session: SessionDep,
    months: Annotated[int, Query(ge=1, le=36, description="最近几个月（含本月）")] = service.HISTORY_MONTHS,
) -> HistoryOut:
    rows = service.history(
        session=session, viewer=viewer, index_code=index, level=level, subject=subject, months=months
    )
    last = rows[-1]
    return HistoryOut(
        index=index,
        subject=subject,
        name=last.name,
        level=last.level,
        points=[
            HistoryPointOut(
                month=r.period, score=r.score, rank=r.rank, peers=r.peers, final=r.final, dimensions=dimensions(r)
            )
            for r in rows
        ],
    )
