"""Fixtures of the citizen tests: the events world, with a building in the first grid."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.files.storage import LocalFileStorage
from tests import factories
from tests.events.world import World, make_world
from tests.web.helpers import made


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def building(world: World) -> Building:
    return made(
        Building,
        factories.BuildingFactory(
            grid_id=world.grid.id,
            road="文昌路",
            house_number=88,
            estate="锦绣花园",
            building_no=3,
            name="锦绣花园3幢",
            standard_address="泽国镇文昌路88号锦绣花园3幢",
            lon=121.31,
            lat=28.31,
        ),
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "files")
