"""The bulletin's figures on the hand-built October of tests/reports/history.py, counted by hand; and the three files
opened again (python-docx, openpyxl, pypdfium2) to check they say the same."""

from __future__ import annotations

import io
from datetime import date

import docx
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from fengqiao.accounts.masking import SENSITIVE_PLACEHOLDER
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Event
from fengqiao.metrics import service as metrics
from fengqiao.metrics.live import SELF
from fengqiao.reports import compose, excel, pdf, word
from fengqiao.reports.counts import OUTSIDE
from fengqiao.reports.document import Pct
from fengqiao.reports.period import PeriodKind, month, parse
from tests.events.world import World
from tests.reports.history import NOW, build_history


@pytest.fixture
def history(world: World) -> dict[str, Event]:
    return build_history(world)


@pytest.fixture
def figures(world: World, history: dict[str, Event]) -> compose.Figures:
    return compose.gather(session=world.session, unit=world.tree.county, period=month(2026, 10), now=NOW)


def test_counts_of_october_by_hand(world: World, history: dict[str, Event], figures: compose.Figures) -> None:
    c = figures.counts
    t0, t1 = (t.code for t in world.tree.towns)
    # e1 e2 e3 e4 e5 e6 e7 e10 e12: not e8 (merged), e9 (voided), e11 (November), p1 p2 (September).
    assert c.registered == 9
    assert c.disputes == 7  # all but e6 and e7
    assert {k: v for k, v in c.by_channel.items() if v} == {
        Channel.HOTLINE_12345.value: 1,
        Channel.POLICE_110.value: 2,
        Channel.GRID_PATROL.value: 1,
        Channel.COURT.value: 1,
        Channel.FIRST_PETITION.value: 1,
        Channel.FRONT_DESK.value: 2,
        Channel.CITIZEN_QR.value: 1,
    }
    assert c.disputes_by_channel[Channel.POLICE_110.value] == 1  # e2; e7 is not a dispute
    assert c.disputes_by_category == {
        "neighbour": 2,
        "labour": 2,
        "marriage_family": 1,
        "debt_contract": 1,
        "property_mgmt": 1,
    }
    assert sum(c.by_day.values()) == 9
    assert c.by_day[date(2026, 10, 31)] == 1  # e10 at 23:30 Shanghai
    assert c.by_day[date(2026, 10, 12)] == 2

    town0, town1, county = c.children[t0], c.children[t1], c.children[SELF]
    assert (town0.registered, town0.disputes, town0.police_110) == (4, 3, 2)  # e1 e2 e3 e7 (at the town itself)
    assert (town1.registered, town1.disputes, town1.court, town1.first_petition) == (4, 3, 1, 1)
    assert (county.registered, county.disputes) == (1, 1)  # e12

    assert c.newly_overdue == 1
    assert town0.newly_overdue == 1
    assert c.open_overdue == 2  # e3 flagged, e5 past its deadline
    events = {e.id: name for name, e in history.items()}
    assert [events[item.event_id] for item in c.overdue_items] == ["e3", "e5"]  # longest overdue first
    assert [item.title for item in c.overdue_items] == ["陈**反映工资被拖欠", SENSITIVE_PLACEHOLDER]
    assert c.supervised == {"normal": 1, "yellow": 1, "red": 1, "listed": 0}
    assert town0.supervised == 1  # the yellow card to its village
    assert town1.supervised == 1  # the red card to the town
    assert c.children[OUTSIDE].supervised == 1  # the order to a county department
    assert c.warnings == 2  # w1, w2; w3 was issued in September
    assert [w.level for w in c.top_warnings] == ["high", "low"]

    previous = figures.previous
    assert (previous.registered, previous.disputes, previous.warnings) == (2, 1, 1)


def test_rates_are_the_metrics_own(world: World, figures: compose.Figures) -> None:
    """Every rate in the bulletin is what ``fengqiao.metrics`` answers for the same unit and days."""
    county = world.tree.county
    for name in compose.RATE_NAMES:
        (row,) = metrics.compute(
            session=world.session, unit=county, metric=name, start=date(2026, 10, 1), end=date(2026, 10, 31)
        )
        assert (figures.rates[name].numerator, figures.rates[name].denominator) == (row.numerator, row.denominator)
    # By hand: of the 9 counted events 5 are closed (e1 e2 e4 e6 e12); the October callbacks are e1 满意, e2 不满意,
    # e6 基本满意.
    assert (figures.rates["resolution_rate"].numerator, figures.rates["resolution_rate"].denominator) == (5, 9)
    assert (figures.rates["satisfaction_rate"].numerator, figures.rates["satisfaction_rate"].denominator) == (2, 3)
    t0 = world.tree.towns[0].code
    assert (
        figures.child_rates[t0]["resolution_rate"].numerator,
        figures.child_rates[t0]["resolution_rate"].denominator,
    ) == (2, 4)


def test_document_sections_and_tables(figures: compose.Figures) -> None:
    document = compose.build(figures, serial=7, issued_on=date(2026, 11, 2))
    assert document.doc_number == "温岭市社会治理中心〔2026〕7号"
    assert document.title == "关于2026年10月全市矛盾纠纷调处化解工作情况的通报"
    assert [s.heading for s in document.sections] == [
        "一、总体情况",
        "二、受理渠道情况",
        "三、矛盾纠纷类型分布",
        "四、属地分布情况",
        "五、警情、诉讼与初信初访情况",
        "六、超期与督办情况",
        "七、风险预警情况",
        "八、考核晾晒",
    ]
    tables = {t.title: t for t in document.tables}
    channels = tables["各渠道受理情况"]
    assert channels.rows[-1][:3] == ["合计", 9, 7]
    assert ["110纠纷类警情", 2, 1, Pct(2 / 9)] in channels.rows
    towns = tables["各镇(街道)受理与化解情况"]
    assert [r[:3] for r in towns.rows] == [["泽国镇", 4, 3], ["大溪镇", 4, 3], ["市本级", 1, 1], ["合计", 9, 7]]
    sources = tables["警情、诉讼与初信初访"]
    assert sources.rows[-1] == ["合计", 2, 1, 1]
    ranking = tables["镇(街道)考核得分排名"]
    assert [(r[0], r[1], r[-1]) for r in ranking.rows] == [(1, "大溪镇", 75.79), (2, "泽国镇", 68.95)]
    assert len(document.charts) == 5
    assert all(chart.png.startswith(b"\x89PNG") for chart in document.charts)
    overview = document.sections[0].blocks[0]
    assert "共受理各类事项9件" in overview.text  # type: ignore[union-attr]
    assert "环比上升350.0%" in overview.text  # type: ignore[union-attr]


def test_word_excel_and_pdf_say_the_same(figures: compose.Figures) -> None:
    document = compose.build(figures, serial=7, issued_on=date(2026, 11, 2))

    opened = docx.Document(io.BytesIO(word.render(document)))
    paragraphs = [p.text for p in opened.paragraphs]
    assert "温岭市社会治理中心文件" in paragraphs
    assert "温岭市社会治理中心〔2026〕7号" in paragraphs
    assert document.title in paragraphs
    assert "一、总体情况" in paragraphs
    assert "八、考核晾晒" in paragraphs
    cells = [[c.text for c in row.cells] for table in opened.tables for row in table.rows]
    assert ["合计", "9", "7", "100.0%"] in cells
    assert len(opened.inline_shapes) == 5  # the charts

    book = load_workbook(io.BytesIO(excel.render(document)))
    assert book["说明"]["B2"].value == "温岭市社会治理中心〔2026〕7号"
    sheet = book["各渠道受理情况"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[-1][:3] == ("合计", 9, 7)
    police = next(r for r in rows if r[0] == "110纠纷类警情")
    assert police[1:3] == (2, 1)
    assert police[3] == pytest.approx(2 / 9)
    assert sheet.cell(row=3, column=4).number_format == "0.0%"
    ranking = {r[1]: r for r in book["镇(街道)考核得分排名"].iter_rows(min_row=3, values_only=True)}
    assert ranking["泽国镇"][0] == 2
    assert ranking["泽国镇"][-1] == 68.95

    data = pdf.render(document)
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data  # the CJK TrueType font is embedded, not left to the reader
    pages = pdfium.PdfDocument(data)
    try:
        text = "".join(pages[i].get_textpage().get_text_range() for i in range(len(pages)))
    finally:
        pages.close()
    for expected in (
        "温岭市社会治理中心〔2026〕7号",
        "一、总体情况",
        "各渠道受理情况",
        "110纠纷类警情",
        "考核晾晒",
        "印发",
    ):
        assert expected in text.replace("\r", "").replace("\n", ""), expected


def test_weekly_bulletin_of_a_town(world: World) -> None:
    build_history(world)
    town = world.tree.towns[0]
    week = parse(PeriodKind.WEEKLY, "2026-W41")  # 5–11 October: e2 (Oct 5), e3 (Oct 8); e8 merged
    figures = compose.gather(session=world.session, unit=town, period=week, now=NOW)
    assert figures.counts.registered == 2
    villages = [v.code for v in world.tree.villages[:2]]
    assert {k: v.registered for k, v in figures.counts.children.items() if v.registered} == {
        villages[0]: 1,
        villages[1]: 1,
    }
    document = compose.build(figures, serial=1, issued_on=date(2026, 10, 12))
    assert document.doc_number == "泽国镇社会治理中心〔2026〕1号"
    assert "2026年第41周" in document.title
    assert figures.assessment is not None
    assert {u.unit_code for u in figures.assessment.units} == set(villages)
    assert pdf.render(document).startswith(b"%PDF-")
