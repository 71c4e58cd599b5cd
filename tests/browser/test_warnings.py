"""Warnings (预警) in a real browser: a warning issued to the town reaches the town dispatcher's inbox on a phone, is
opened with its evidence events and acknowledged with a note; a second one, left unacknowledged past its deadline,
is escalated by the worker's job and awaits the county centre."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from fengqiao.core.clock import utcnow
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.models import Unit
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskWarning
from tests.browser.conftest import SCREEN, LiveSite, horizontal_overflow, login, screenshot


def _town_of(site: LiveSite, unit: Unit) -> Unit:
    with site.session() as session:
        return session.scalars(select(Unit).where(Unit.path == "/".join(unit.path.split("/")[:2]) + "/")).one()


def _issue(
    site: LiveSite, *, unit: Unit, rule: str, title: str, reason: str, event_ids: list[int], hours_ago: float = 0
) -> RiskWarning:
    """A warning issued through the service, as a risk rule issues one (``hours_ago``: issued that long ago)."""
    with site.session() as session:
        warning = issued.issue(
            session=session,
            county_code=unit.county_code,
            source="rule",
            kind=rule,
            level="high",
            title=title,
            reason=reason,
            evidence={"rule": rule, "event_ids": event_ids, "reasons": reason.split("：", 1)[1].split("；")},
            unit=session.get_one(Unit, unit.id),
            dedupe_key=f"browser:{title}",
            event_id=event_ids[0],
            now=utcnow() - timedelta(hours=hours_ago),
        )
        assert warning is not None
        session.commit()
        return warning


def test_the_town_acknowledges_a_warning_and_an_unacknowledged_one_climbs_to_the_county(
    live_site: LiveSite, new_page: Callable[..., Page]
) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    town = _town_of(live_site, grid)
    assert live_site.unit_of(DutyRole.COMMAND_DISPATCHER).id == town.id
    county = live_site.unit_of(DutyRole.COUNTY_STAFF)
    assert town.parent_id == county.id
    first_event = live_site.register(grid=grid, title="夫妻离婚纠纷一方扬言报复")
    prior_event = live_site.register(grid=grid, title="夫妻争吵报警求助")
    warning = _issue(
        live_site,
        unit=town,
        rule="civil_to_criminal_family",
        title="民转刑风险预警",
        reason="家庭纠纷扬言威胁且曾报警（民转刑）：类别为婚姻家庭；风险线索：扬言威胁；当事人此前180天内有1起相关事件",
        event_ids=[first_event.id, prior_event.id],
    )
    late_event = live_site.register(grid=grid, title="村民因征地补偿相约到镇政府聚集")
    late = _issue(
        live_site,
        unit=town,
        rule="collective_gathering",
        title="聚集上访预警",
        reason="聚集上访苗头：风险线索：聚集上访",
        event_ids=[late_event.id],
        hours_ago=2,
    )

    # The town dispatcher, on a phone: the inbox's 待签收预警, then the warning with its evidence.
    phone = new_page(phone=True)
    login(phone, live_site, DutyRole.COMMAND_DISPATCHER)
    card = phone.get_by_test_id("inbox-warning").filter(has_text="民转刑风险预警")
    expect(card).to_be_visible()
    expect(phone.get_by_test_id("inbox-warning").filter(has_text="聚集上访预警")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "warnings-inbox-375")
    card.get_by_role("link").first.click()
    phone.wait_for_url(f"**/work/warnings/{warning.id}")
    expect(phone.get_by_test_id("warning-title")).to_have_text("民转刑风险预警")
    expect(phone.get_by_test_id("warning-status")).to_have_text("待签收")
    evidence = phone.get_by_test_id("warning-event")
    expect(evidence).to_have_count(2)
    expect(evidence.filter(has_text="夫妻离婚纠纷一方扬言报复")).to_be_visible()
    expect(evidence.filter(has_text="夫妻争吵报警求助")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "warning-detail-375")

    # Acknowledged with a note: 已签收, the note in the facts, and the close form offered instead.
    phone.get_by_label("签收说明（选填）").fill("已联系村调委会和派出所，今晚上门稳控。")
    phone.get_by_test_id("warning-ack-submit").click()
    expect(phone.get_by_test_id("warning-status")).to_have_text("已签收")
    note = "已联系村调委会和派出所，今晚上门稳控。"
    expect(phone.get_by_test_id("warning-ack-note")).to_have_text(note)
    expect(phone.get_by_test_id("warning-history")).to_contain_text(note)
    expect(phone.get_by_test_id("warning-ack-form")).to_have_count(0)
    expect(phone.get_by_test_id("warning-close-form")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "warning-acknowledged-375")
    phone.goto(live_site.url("/work"))
    expect(phone.get_by_test_id("inbox-warning").filter(has_text="民转刑风险预警")).to_have_count(0)

    # The same list on a wide screen: the acknowledged one under 全部, the late one still pending.
    desk = new_page(viewport=SCREEN)
    login(desk, live_site, DutyRole.COMMAND_DISPATCHER)
    desk.goto(live_site.url("/work/warnings?view=all"))
    row = desk.get_by_test_id("warning-row").filter(has_text="民转刑风险预警")
    expect(row.get_by_test_id("warning-status")).to_have_text("已签收")
    expect(desk.get_by_test_id("warning-row").filter(has_text="聚集上访预警")).to_be_visible()
    assert horizontal_overflow(desk) == 0
    screenshot(desk, "warnings-town-1920")

    # The worker's acknowledgement timer: the late warning climbs from the town to the county.
    live_site.run_jobs()
    with live_site.session() as session:
        climbed = session.get_one(RiskWarning, late.id)
        assert (climbed.status, climbed.unit_id, climbed.escalations) == ("escalated", county.id, 1)
        assert session.get_one(RiskWarning, warning.id).status == "acknowledged"

    centre = new_page(viewport=SCREEN)
    login(centre, live_site, DutyRole.COUNTY_STAFF)
    escalated = centre.get_by_test_id("inbox-warning").filter(has_text="聚集上访预警")
    expect(escalated).to_be_visible()
    expect(escalated).to_contain_text("已升级待签收")
    expect(centre.get_by_test_id("inbox-warning").filter(has_text="民转刑风险预警")).to_have_count(0)
    screenshot(centre, "warnings-county-inbox-1920")
    escalated.get_by_role("link").first.click()
    centre.wait_for_url(f"**/work/warnings/{late.id}")
    expect(centre.get_by_test_id("warning-unit")).to_have_text(county.name)
    expect(centre.get_by_text(f"由{town.name}升级 1 次")).to_be_visible()
    expect(centre.get_by_test_id("warning-event")).to_have_count(1)
    expect(centre.get_by_test_id("warning-ack-form")).to_be_visible()
    assert horizontal_overflow(centre) == 0
    screenshot(centre, "warning-escalated-1920")
