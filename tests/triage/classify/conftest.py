"""The seed model, trained (or loaded from the data-dir cache) once per test session."""

from __future__ import annotations

import pytest

from fengqiao.triage.classify.model import TwoLevelModel
from fengqiao.triage.classify.service import seed_model


@pytest.fixture(scope="session")
def model() -> TwoLevelModel:
    return seed_model()
