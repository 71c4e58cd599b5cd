"""Issuing bulletins: numbers (〔year〕N号) per unit and year, the same period issued again keeps its number, the files
are stored and served back, and who may issue and see what."""

from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.core.errors import NotFound
from fengqiao.files.storage import LocalFileStorage
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import service
from fengqiao.reports.period import Period, PeriodKind, month, parse
from fengqiao.reports.service import FileFormat
from tests.events.world import World
from tests.reports.history import NOW, build_history


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "files")


def test_numbers_count_per_unit_and_year(world: World, storage: LocalFileStorage) -> None:
    build_history(world)
    county, town = world.tree.county, world.tree.towns[0]

    def issue(unit: Unit, period: Period) -> service.Issued:
        return service.issue(session=world.session, unit=unit, period=period, storage=storage, now=NOW)

    october = issue(county, month(2026, 10))
    week = issue(county, parse(PeriodKind.WEEKLY, "2026-W44"))
    town_october = issue(town, month(2026, 10))
    again = issue(county, month(2026, 10))
    next_year = issue(county, month(2027, 1))

    assert october.bulletin.doc_number == "温岭市社会治理中心〔2026〕1号"
    assert week.bulletin.doc_number == "温岭市社会治理中心〔2026〕2号"
    assert town_october.bulletin.doc_number == "泽国镇社会治理中心〔2026〕1号"
    assert again.bulletin.id == october.bulletin.id  # issued again: the same row and number, new files
    assert again.bulletin.serial == 1
    assert next_year.bulletin.doc_number == "温岭市社会治理中心〔2027〕1号"

    stored = october.bulletin
    assert stored.figures["registered"] == 9
    assert stored.figures["police_110"] == 2
    assert stored.figures["rates"]["resolution_rate"]["numerator"] == 5
    name, content_type, data = service.file_of(stored, FileFormat.PDF, storage)
    assert name == "温岭市社会治理中心〔2026〕1号.pdf"
    assert content_type == "application/pdf"
    assert data.startswith(b"%PDF-")
    for fmt in (FileFormat.DOCX, FileFormat.XLSX):
        assert service.file_of(stored, fmt, storage)[2].startswith(b"PK")


def test_who_sees_and_who_issues(world: World, storage: LocalFileStorage) -> None:
    county, town0, town1 = world.tree.county, world.tree.towns[0], world.tree.towns[1]
    centre, dispatcher, village_head = (
        world.viewer("county"),
        world.viewer("town_dispatcher"),
        world.viewer("village_head"),
    )
    assert service.may_issue(centre, county)
    assert service.may_issue(centre, town1)
    assert service.may_issue(dispatcher, town0)
    assert not service.may_issue(dispatcher, county)
    assert not service.may_issue(dispatcher, town1)
    assert not service.may_issue(village_head, town0)

    own = service.issue(session=world.session, unit=town0, period=month(2026, 10), storage=storage, now=NOW)
    other = service.issue(session=world.session, unit=town1, period=month(2026, 10), storage=storage, now=NOW)
    whole = service.issue(session=world.session, unit=county, period=month(2026, 10), storage=storage, now=NOW)
    seen = {b.id for b, _ in service.visible_bulletins(session=world.session, viewer=dispatcher)}
    assert seen == {own.bulletin.id, whole.bulletin.id}  # not the other town's
    assert len(service.visible_bulletins(session=world.session, viewer=centre)) == 3
    with pytest.raises(NotFound):
        service.get_bulletin(session=world.session, viewer=dispatcher, bulletin_id=other.bulletin.id)
    with pytest.raises(NotFound):
        service.reporting_unit(session=world.session, code=world.tree.villages[0].code)  # villages issue none
