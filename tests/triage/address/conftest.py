"""One address index of the seeded test county, built once for the module's tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from fengqiao.triage.address.index import AddressIndex, build_index
from fengqiao.triage.address.match import AddressMatcher


@pytest.fixture(scope="session")
def address_index(seeded_engine: Engine) -> AddressIndex:
    return build_index(engine=seeded_engine)


@pytest.fixture(scope="session")
def matcher(address_index: AddressIndex) -> AddressMatcher:
    return AddressMatcher(address_index)
