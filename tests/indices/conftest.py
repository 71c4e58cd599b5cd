from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.events.world import World, make_world


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)
