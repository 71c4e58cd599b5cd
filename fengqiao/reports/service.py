"""Issue a bulletin: gather its figures, write the Word, Excel and PDF files, store them, and record the bulletin
under its number (温岭市社会治理中心〔2026〕N号, N counting the unit's bulletins of the year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.config import Settings
from fengqiao.core.clock import to_local, utcnow
from fengqiao.core.errors import Forbidden, NotFound
from fengqiao.files.storage import FileStorage, LocalFileStorage
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import compose, excel, pdf, word
from fengqiao.reports import period as periods
from fengqiao.reports.document import Document
from fengqiao.reports.models import Bulletin
from fengqiao.reports.period import Period, PeriodKind

_REPORTING_KINDS = (UnitKind.COUNTY.value, UnitKind.TOWN.value)


class FileFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"


CONTENT_TYPES: dict[FileFormat, str] = {
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PDF: "application/pdf",
}
FORMAT_LABELS: dict[FileFormat, str] = {FileFormat.DOCX: "Word", FileFormat.XLSX: "Excel", FileFormat.PDF: "PDF"}


@dataclass
class Issued:
    bulletin: Bulletin
    document: Document
    figures: compose.Figures
    files: dict[FileFormat, bytes]


def reporting_unit(*, session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code, Unit.kind.in_(_REPORTING_KINDS))).one_or_none()
    if unit is None:
        raise NotFound(f"未找到县(市)或镇(街道)“{code}”", code="unit_not_found")
    return unit


def county_unit(*, session: Session, county_code: str) -> Unit:
    unit = session.scalars(
        select(Unit).where(Unit.county_code == county_code, Unit.kind == UnitKind.COUNTY.value)
    ).one_or_none()
    if unit is None:
        raise NotFound(f"未找到县(市)“{county_code}”", code="unit_not_found")
    return unit


def may_view(viewer: Viewer, unit: Unit) -> bool:
    """The county centre sees every bulletin of its county; a town's staff see their town's (and the county's, which
    is addressed to them)."""
    if unit.county_code != viewer.county_code:
        return False
    return viewer.is_county_wide or unit.kind == UnitKind.COUNTY.value or viewer.covers_path(unit.path)


def _serial(*, session: Session, unit: Unit, year: int) -> int:
    last = session.scalar(select(func.max(Bulletin.serial)).where(Bulletin.unit_id == unit.id, Bulletin.year == year))
    return (last or 0) + 1


def issue(
    *,
    session: Session,
    unit: Unit,
    period: Period,
    storage: FileStorage,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Issued:
    """Write the bulletin of ``unit`` for ``period`` and record it. The same period again keeps its number."""
    now = now or utcnow()
    existing = session.scalars(
        select(Bulletin)
        .where(Bulletin.unit_id == unit.id, Bulletin.kind == period.kind.value, Bulletin.period_key == period.key)
        .with_for_update()
    ).one_or_none()
    serial = existing.serial if existing else _serial(session=session, unit=unit, year=period.year)
    figures = compose.gather(session=session, unit=unit, period=period, now=now)
    document = compose.build(figures, serial=serial, issued_on=to_local(now).date())
    files = {
        FileFormat.DOCX: word.render(document),
        FileFormat.XLSX: excel.render(document),
        FileFormat.PDF: pdf.render(document),
    }
    keys = {fmt: storage.put(data, filename=f"bulletin.{fmt.value}").key for fmt, data in files.items()}
    bulletin = existing or Bulletin(
        county_code=unit.county_code,
        unit_id=unit.id,
        kind=period.kind.value,
        period_key=period.key,
        year=period.year,
        serial=serial,
    )
    bulletin.doc_number = document.doc_number
    bulletin.title = document.title
    bulletin.period_start = period.start
    bulletin.period_end = period.end
    bulletin.figures = figures.summary()
    bulletin.docx_key = keys[FileFormat.DOCX]
    bulletin.xlsx_key = keys[FileFormat.XLSX]
    bulletin.pdf_key = keys[FileFormat.PDF]
    bulletin.generated_by_id = staff_id
    bulletin.generated_at = now
    session.add(bulletin)
    session.flush()
    return Issued(bulletin=bulletin, document=document, figures=figures, files=files)


def visible_bulletins(*, session: Session, viewer: Viewer, limit: int = 100) -> list[tuple[Bulletin, Unit]]:
    rows = session.execute(
        select(Bulletin, Unit)
        .join(Unit, Unit.id == Bulletin.unit_id)
        .where(Bulletin.county_code == viewer.county_code)
        .order_by(Bulletin.period_start.desc(), Bulletin.id.desc())
        .limit(limit * 4)
    ).all()
    return [(b, u) for b, u in rows if may_view(viewer, u)][:limit]


def get_bulletin(*, session: Session, viewer: Viewer, bulletin_id: int) -> tuple[Bulletin, Unit]:
    row = session.execute(
        select(Bulletin, Unit).join(Unit, Unit.id == Bulletin.unit_id).where(Bulletin.id == bulletin_id)
    ).one_or_none()
    if row is None or not may_view(viewer, row[1]):
        raise NotFound("通报不存在或不在您的辖区内", code="bulletin_not_found")
    return row[0], row[1]


def file_of(bulletin: Bulletin, fmt: FileFormat, storage: FileStorage) -> tuple[str, str, bytes]:
    """(download name, content type, bytes) of one of the bulletin's files."""
    key = {FileFormat.DOCX: bulletin.docx_key, FileFormat.XLSX: bulletin.xlsx_key, FileFormat.PDF: bulletin.pdf_key}
    name = f"{bulletin.doc_number}.{fmt.value}"
    return name, CONTENT_TYPES[fmt], storage.get(key[fmt])


def may_issue(viewer: Viewer, unit: Unit) -> bool:
    """Who issues: the county centre for the county and any town; a town's command room for its own town."""
    if not (viewer.may(Permission.DISPATCH) or viewer.may(Permission.ADMINISTER)):
        return False
    if viewer.is_county_wide:
        return unit.county_code == viewer.county_code
    return unit.kind == UnitKind.TOWN.value and viewer.covers_path(unit.path)


def require_issue(viewer: Viewer, unit: Unit) -> None:
    if not may_issue(viewer, unit):
        raise Forbidden("您的岗位不能生成该单位的通报", code="permission_denied")


def issue_for(
    *,
    session: Session,
    viewer: Viewer,
    unit_code: str,
    kind: PeriodKind,
    period_text: str,
    storage: FileStorage,
    now: datetime | None = None,
) -> Issued:
    """A bulletin issued by a member of staff: the unit must be theirs to report on and the period well formed. In a
    savepoint, so a failure leaves the caller's transaction as it was."""
    target = reporting_unit(session=session, code=unit_code)
    if target.county_code != viewer.county_code:
        raise Forbidden("您的岗位不能生成该单位的通报", code="permission_denied")
    require_issue(viewer, target)
    period = periods.parse(kind, period_text)
    with session.begin_nested():
        return issue(session=session, unit=target, period=period, storage=storage, staff_id=viewer.staff_id, now=now)


def file_storage(settings: Settings) -> LocalFileStorage:
    """Where the bulletins' files are kept (the same store as uploaded photos)."""
    return LocalFileStorage(settings.data_dir / "files")
