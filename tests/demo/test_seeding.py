from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building, Room
from fengqiao.demo.digest import database_digests
from fengqiao.demo.seeding import DemoCountyExists, ensure_demo_county, seed_demo_county, unit_count

TINY = 0.001


def test_seed_refuses_a_database_with_units_unless_replacing(isolated_engine: Engine) -> None:
    report = seed_demo_county(engine=isolated_engine, scale=TINY, seed=1)
    assert report.tables["units"].rows == unit_count(isolated_engine)
    first = database_digests(isolated_engine)
    with pytest.raises(DemoCountyExists):
        seed_demo_county(engine=isolated_engine, scale=TINY, seed=2)
    assert database_digests(isolated_engine) == first

    seed_demo_county(engine=isolated_engine, scale=TINY, seed=2, replace=True)
    replaced = database_digests(isolated_engine)
    assert replaced["residents"] != first["residents"]
    seed_demo_county(engine=isolated_engine, scale=TINY, seed=1, replace=True)
    assert database_digests(isolated_engine) == first


def test_ensure_seeds_only_an_empty_database(isolated_engine: Engine) -> None:
    report = ensure_demo_county(engine=isolated_engine, scale=TINY, seed=5)
    assert report is not None
    assert report.rows > 0
    assert ensure_demo_county(engine=isolated_engine, scale=TINY, seed=6) is None


def test_orm_inserts_work_after_a_bulk_load(isolated_engine: Engine) -> None:
    seed_demo_county(engine=isolated_engine, scale=TINY, seed=3)
    with Session(isolated_engine) as session:
        building = session.scalars(select(Building).limit(1)).one()
        before = session.scalar(select(func.max(Room.id)))
        room = Room(county_code="331081", building_id=building.id, floor=9, room_no="901", standard_address="x室")
        session.add(room)
        session.commit()
        assert before is not None
        assert room.id > before


def test_demo_logins_can_sign_in_in_each_kind_of_post(seeded_engine: Engine) -> None:
    from sqlalchemy.orm import Session

    from fengqiao.accounts import service as accounts
    from fengqiao.db.engine import for_writing
    from fengqiao.demo.logins import DEMO_PASSWORD, enable_demo_logins

    with Session(for_writing(seeded_engine)) as session:
        logins = enable_demo_logins(session=session)
        roles = {login.role_label for login in logins}
        assert {"系统管理员", "流转督办岗", "专职网格员", "村社主职干部"} <= roles
        for login in logins:
            staff = accounts.authenticate(session=session, username=login.username, password=DEMO_PASSWORD)
            assert staff.full_name == login.full_name
        session.rollback()
