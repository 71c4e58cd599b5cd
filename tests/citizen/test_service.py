"""A citizen report registers an event through triage at the scanned place, lands in that grid's inbox once the
auto-dispatch job runs, and is guarded against repeats and floods; progress needs the code and four digits."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.citizen import guard, places, service
from fengqiao.citizen.models import CitizenReport
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events import queries
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.dispute_code import display
from fengqiao.events.kinds import Channel, EventStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Attachment, Event
from fengqiao.files.storage import LocalFileStorage
from fengqiao.jobs.models import Job
from fengqiao.triage.dispatch.jobs import auto_dispatch
from fengqiao.triage.dispatch.service import AUTO_DISPATCH
from tests.events.world import World

NOISE = "楼上邻居每天深夜装修噪音扰民，多次上门沟通无果，希望网格员帮忙协调。"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _submit(
    session: Session,
    storage: LocalFileStorage,
    place: places.Place,
    *,
    content: str = NOISE,
    phone: str = "13905761234",
    nonce: str = "nonce-1",
    client: str = "client-a",
    photos: list[service.Photo] | None = None,
) -> service.Receipt:
    return service.submit_report(
        session=session,
        storage=storage,
        place=place,
        form=service.ReportForm(content=content, phone=phone, name="王先生", photos=photos or []),
        nonce=nonce,
        client_hash=client,
        now=utcnow(),
    )


def _run_auto_dispatch(session: Session, event_id: int) -> None:
    """What `fengqiao worker` does with the job triage armed (run here inside the test's transaction)."""
    job = session.scalars(
        select(Job).where(Job.kind == AUTO_DISPATCH, Job.dedupe_key == f"event:{event_id}:auto_dispatch")
    ).one()
    auto_dispatch(session, job)
    session.flush()


def test_a_grid_code_report_lands_in_that_grids_inbox(world: World, storage: LocalFileStorage) -> None:
    code = places.code_for(session=world.session, grid=world.grid)
    place = places.resolve(session=world.session, token=code.token)
    receipt = _submit(world.session, storage, place)
    event = receipt.event
    assert receipt.created
    assert (event.channel, event.location_unit_id, event.reporter_phone) == (
        Channel.CITIZEN_QR.value,
        world.grid.id,
        "13905761234",
    )
    assert event.triage is not None
    assert event.triage["suggestion"]["primary"] == world.grid.code
    assert not list(queries.inbox(session=world.session, viewer=world.viewer("grid_worker")))
    _run_auto_dispatch(world.session, event.id)
    inbox = queries.inbox(session=world.session, viewer=world.viewer("grid_worker"))
    assert [(i.event.id, i.reason) for i in inbox] == [(event.id, "待签收")]
    assert not queries.inbox(session=world.session, viewer=world.viewer("other_grid_worker"))


def test_a_building_code_report_is_placed_at_the_building(
    world: World, building: Building, storage: LocalFileStorage
) -> None:
    code = places.code_for(session=world.session, building=building)
    place = places.resolve(session=world.session, token=code.token)
    assert (place.grid.id, place.title, place.address) == (world.grid.id, "锦绣花园3幢", "泽国镇文昌路88号锦绣花园3幢")
    event = _submit(world.session, storage, place).event
    assert (event.building_id, event.location_unit_id) == (building.id, world.grid.id)


def test_tokens_are_random_stable_and_unknown_ones_are_a_chinese_404(world: World, building: Building) -> None:
    first = places.code_for(session=world.session, grid=world.grid)
    assert places.code_for(session=world.session, grid=world.grid).token == first.token
    other = places.code_for(session=world.session, grid=world.other_grid)
    assert other.token != first.token
    assert world.grid.code not in first.token
    assert len(first.token) >= 16
    with pytest.raises(NotFound) as caught:
        places.resolve(session=world.session, token="not-a-real-token")
    assert "二维码无效" in caught.value.message
    old = first.token
    places.rotate(session=world.session, code=first)
    with pytest.raises(NotFound):
        places.resolve(session=world.session, token=old)


def test_the_same_form_or_the_same_text_again_answers_with_the_first_code(
    world: World, storage: LocalFileStorage
) -> None:
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    first = _submit(world.session, storage, place, nonce="n1")
    double_click = _submit(world.session, storage, place, nonce="n1")
    same_text = _submit(world.session, storage, place, nonce="n2", content=NOISE + " ")
    other_sender = _submit(world.session, storage, place, nonce="n3", client="client-b")
    assert (double_click.created, same_text.created) == (False, False)
    assert double_click.event.id == same_text.event.id == first.event.id
    assert other_sender.created
    assert other_sender.event.id != first.event.id
    count = world.session.scalars(select(Event.id).where(Event.channel == Channel.CITIZEN_QR.value)).all()
    assert len(count) == 2


def test_a_place_flood_is_refused_in_chinese(
    world: World, storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "PLACE_LIMIT_PER_HOUR", 3)
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    for i in range(3):
        _submit(world.session, storage, place, nonce=f"f{i}", client=f"sender-{i}", content=f"{NOISE}第{i}次")
    with pytest.raises(guard.Throttled) as caught:
        _submit(world.session, storage, place, nonce="last", client="sender-last")
    assert "该地点近一小时反映较多" in caught.value.message
    other_place = places.resolve(
        session=world.session, token=places.code_for(session=world.session, grid=world.other_grid).token
    )
    assert _submit(world.session, storage, other_place, nonce="elsewhere", client="sender-last").created


def test_one_sender_is_flagged_then_refused_for_the_day(
    world: World, storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "CLIENT_FLAG_FROM", 2)
    monkeypatch.setattr(guard, "CLIENT_LIMIT_PER_DAY", 3)
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    flags = [_submit(world.session, storage, place, nonce=f"s{i}", content=f"{NOISE}第{i}次").flags for i in range(3)]
    assert flags == [(), (), ("frequent_sender",)]
    with pytest.raises(guard.Throttled) as caught:
        _submit(world.session, storage, place, nonce="s9", content=NOISE + "又一次")
    assert "今日提交次数已达上限" in caught.value.message


def test_links_are_kept_but_flagged(world: World, storage: LocalFileStorage) -> None:
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    receipt = _submit(world.session, storage, place, content="低价代办证件 请访问 http://spam.example.com 联系")
    assert receipt.created
    assert receipt.flags == ("contains_link",)
    assert receipt.event.triage is not None
    assert receipt.event.triage["citizen_flags"] == ["内容含网址"]


def test_photos_must_be_images_by_their_bytes(world: World, storage: LocalFileStorage) -> None:
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    with pytest.raises(InvalidInput) as caught:
        _submit(world.session, storage, place, photos=[service.Photo("现场.jpg", b"%PDF-1.4 not a photo")])
    assert caught.value.code == "photo_type_not_allowed"
    with pytest.raises(InvalidInput):
        _submit(world.session, storage, place, photos=[service.Photo(f"{i}.png", PNG) for i in range(7)])
    receipt = _submit(world.session, storage, place, photos=[service.Photo("现场.png", PNG)])
    attachments = world.session.scalars(select(Attachment).where(Attachment.event_id == receipt.event.id)).all()
    assert [(a.filename, a.content_type, a.uploaded_by_id) for a in attachments] == [("现场.png", "image/png", None)]
    assert storage.get(attachments[0].storage_key) == PNG


@pytest.mark.parametrize(
    ("content", "phone", "code"),
    [("短", "", "content_too_short"), ("好" * 1001, "", "content_too_long"), (NOISE, "0576-123", "invalid_mobile")],
)
def test_bad_input_is_refused(world: World, storage: LocalFileStorage, content: str, phone: str, code: str) -> None:
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    with pytest.raises(InvalidInput) as caught:
        _submit(world.session, storage, place, content=content, phone=phone)
    assert caught.value.code == code


def test_progress_needs_the_phones_last_four_or_the_query_code(world: World, storage: LocalFileStorage) -> None:
    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    with_phone = _submit(world.session, storage, place, nonce="p1").event
    shown = display(with_phone.dispute_code)
    assert service.find_for_progress(session=world.session, code=shown, last4="1234").id == with_phone.id
    assert service.find_for_progress(session=world.session, code=shown.lower(), last4="1234").id == with_phone.id
    for code, last4 in [(shown, "4321"), ("WL-0000-0000-0", "1234"), ("garbage", "1234"), (shown, "12")]:
        with pytest.raises(NotFound):
            service.find_for_progress(session=world.session, code=code, last4=last4)

    anonymous = _submit(world.session, storage, place, nonce="p2", phone="", content=NOISE + "再次反映")
    assert anonymous.query_pin is not None
    assert len(anonymous.query_pin) == 4
    found = service.find_for_progress(
        session=world.session, code=display(anonymous.event.dispute_code), last4=anonymous.query_pin
    )
    assert found.id == anonymous.event.id
    assert with_phone_pin_is_none(world.session, with_phone.id)


def with_phone_pin_is_none(session: Session, event_id: int) -> bool:
    return session.scalar(select(CitizenReport.query_pin).where(CitizenReport.event_id == event_id)) is None


def test_a_closed_report_reads_as_done(world: World, storage: LocalFileStorage) -> None:
    from fengqiao.events import present

    place = places.resolve(session=world.session, token=places.code_for(session=world.session, grid=world.grid).token)
    event = _submit(world.session, storage, place).event
    _run_auto_dispatch(world.session, event.id)
    close_event(world, event)
    found = service.find_for_progress(session=world.session, code=display(event.dispute_code), last4="1234")
    progress = present.progress(session=world.session, event=found)
    assert progress.status.label == "已办结"
    assert progress.steps[-1].label == "已办结"


def close_event(world: World, event: Event) -> None:
    """Walk the event through the closed loop as the grid worker and the village dispatcher would."""
    for name, action, note in [
        ("grid_worker", Action.ACCEPT, None),
        ("grid_worker", Action.REPORT_BACK, "已协调双方，噪音问题解决"),
        ("village_head", Action.REVIEW_PASS, None),
        ("village_head", Action.CLOSE, None),
    ]:
        world.session.refresh(event)
        perform(
            session=world.session,
            viewer=world.viewer(name),
            event_id=event.id,
            request=ActionRequest(action=action, note=note),
        )
    world.session.refresh(event)
    assert event.status == EventStatus.CLOSED.value
