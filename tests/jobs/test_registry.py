from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import (
    UnknownJobKind,
    get_handler,
    job_handler,
    load_handler_modules,
    registered_kinds,
    unregister,
)


def test_the_worker_loads_every_handler_module() -> None:
    load_handler_modules()
    assert "jobs.audit" in registered_kinds()


def test_a_kind_has_one_handler() -> None:
    @job_handler("test.registry.once")
    def first(session: Session, job: Job) -> None:
        pass

    try:
        assert get_handler("test.registry.once") is first
        with pytest.raises(ValueError, match="已由"):

            @job_handler("test.registry.once")
            def second(session: Session, job: Job) -> None:
                pass
    finally:
        unregister("test.registry.once")


def test_an_unknown_kind_is_named_in_the_error() -> None:
    with pytest.raises(UnknownJobKind, match=r"未登记的任务类型：test\.registry\.none"):
        get_handler("test.registry.none")
