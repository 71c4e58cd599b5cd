"""Routes of bulletins (通报): list what the viewer may read, issue one (the same rules as the screen), read one's
headline figures, download its Word, Excel or PDF file. Thin: ``fengqiao.reports.service`` decides."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from fengqiao.accounts.api import ViewerDep
from fengqiao.config import Settings
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import service
from fengqiao.reports.models import Bulletin
from fengqiao.reports.period import PERIOD_KIND_LABELS, PeriodKind
from fengqiao.reports.schemas import BulletinDetailOut, BulletinFileOut, BulletinIn, BulletinOut
from fengqiao.reports.service import FORMAT_LABELS, FileFormat
from fengqiao.web.deps import SessionDep, SettingsDep

router = APIRouter(tags=["通报 / bulletins"])
BulletinId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _fields(bulletin: Bulletin, unit: Unit) -> dict[str, object]:
    return {
        "id": bulletin.id,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "kind": bulletin.kind,
        "kind_label": PERIOD_KIND_LABELS[PeriodKind(bulletin.kind)],
        "period": bulletin.period_key,
        "doc_number": bulletin.doc_number,
        "title": bulletin.title,
        "period_start": bulletin.period_start,
        "period_end": bulletin.period_end,
        "generated_at": bulletin.generated_at,
        "files": [
            BulletinFileOut(format=fmt.value, label=label, url=f"/api/v1/bulletins/{bulletin.id}/files/{fmt.value}")
            for fmt, label in FORMAT_LABELS.items()
        ],
    }


@router.get("/bulletins", summary="通报列表 / bulletins the viewer may read")
def list_bulletins(
    viewer: ViewerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="最多条数")] = 100,
) -> list[BulletinOut]:
    rows = service.visible_bulletins(session=session, viewer=viewer, limit=limit)
    return [BulletinOut.model_validate(_fields(b, u)) for b, u in rows]


@router.post("/bulletins", status_code=201, summary="生成通报 / issue a bulletin (again: same number, new files)")
def issue_bulletin(
    body: BulletinIn, viewer: ViewerDep, session: SessionDep, settings: SettingsDep
) -> BulletinDetailOut:
    issued = service.issue_for(
        session=session,
        viewer=viewer,
        unit_code=body.unit,
        kind=body.kind,
        period_text=body.period,
        storage=service.file_storage(settings),
    )
    bulletin = issued.bulletin
    unit = session.get(Unit, bulletin.unit_id)
    assert unit is not None
    return BulletinDetailOut.model_validate({**_fields(bulletin, unit), "figures": bulletin.figures})


@router.get("/bulletins/{bulletin_id}", summary="通报主要数据 / one bulletin's headline figures")
def get_bulletin(bulletin_id: BulletinId, viewer: ViewerDep, session: SessionDep) -> BulletinDetailOut:
    bulletin, unit = service.get_bulletin(session=session, viewer=viewer, bulletin_id=bulletin_id)
    return BulletinDetailOut.model_validate({**_fields(bulletin, unit), "figures": bulletin.figures})


@router.get(
    "/bulletins/{bulletin_id}/files/{fmt}",
    summary="下载通报文件 / download the Word, Excel or PDF file",
    response_class=Response,
)
def bulletin_file(
    bulletin_id: BulletinId, fmt: FileFormat, viewer: ViewerDep, session: SessionDep, settings: SettingsDep
) -> Response:
    bulletin, _ = service.get_bulletin(session=session, viewer=viewer, bulletin_id=bulletin_id)
    return file_response(bulletin, fmt, settings)


def file_response(bulletin: Bulletin, fmt: FileFormat, settings: Settings) -> Response:
    """The file as a download named by its 文号 (also served by the bulletin screen)."""
    name, content_type, data = service.file_of(bulletin, fmt, service.file_storage(settings))
    disposition = f"attachment; filename=bulletin-{bulletin.id}.{fmt.value}; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=content_type, headers={"Content-Disposition": disposition})
