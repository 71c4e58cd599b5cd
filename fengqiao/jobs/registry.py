"""Job handlers, by kind.

A handler is ``(session, job) -> None``. The worker calls it inside the transaction that then marks the job done, so
the handler's writes and "done" commit together or not at all: if the process dies before the commit, the job's lease
expires and another run takes it again. A handler therefore must not commit, and **must be idempotent**: a timer can
fire twice (a retry after a crash, or a reschedule racing a run) and must still act once. The pattern, after Grafana
OnCall's escalation steps — lock the business row, check it is still in the state the timer was set for, then act or
drop the stale timer::

    @job_handler("events.step_deadline")
    def step_deadline(session: Session, job: Job) -> None:
        event = session.scalars(
            select(Event).where(Event.id == job.payload["event_id"]).with_for_update()
        ).one_or_none()
        if event is None or event.step_id != job.payload["step_id"] or event.status in CLOSED:
            return  # the event moved on since the timer was set: nothing to do
        escalate(session=session, event=event, reason="step_overdue")

Raise to have the job retried with backoff (up to its ``max_attempts``, then ``failed`` with the error kept).

Handlers live in their domain's package; the worker imports :data:`HANDLER_MODULES` so they are registered before it
claims anything. A domain that adds handlers adds its module to that list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeAlias

from sqlalchemy.orm import Session

from fengqiao.jobs.models import Job

Handler: TypeAlias = Callable[[Session, Job], None]

HANDLER_MODULES: tuple[str, ...] = (
    "fengqiao.jobs.auditor",
    "fengqiao.alerts.jobs",
    "fengqiao.events.timers",
    "fengqiao.triage.dispatch.jobs",
    "fengqiao.warnings.jobs",
    "fengqiao.metrics.jobs",
    "fengqiao.indices.jobs",
    "fengqiao.reports.jobs",
)

_handlers: dict[str, Handler] = {}
# Run by each worker as it starts, in a transaction: domains arm their periodic jobs here (idempotent by dedupe key).
_startup: dict[str, Callable[[Session], None]] = {}


class UnknownJobKind(LookupError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"未登记的任务类型：{kind}")
        self.kind = kind


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``kind``; one handler per kind."""

    def register(handler: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and _qualified_name(existing) != _qualified_name(handler):
            raise ValueError(f"任务类型 {kind} 已由 {_qualified_name(existing)} 处理")
        _handlers[kind] = handler
        return handler

    return register


def on_worker_start(hook: Callable[[Session], None]) -> Callable[[Session], None]:
    """Register the decorated function to run when a worker starts (keyed by name: re-imports replace it)."""
    _startup[_qualified_name(hook)] = hook
    return hook


def startup_hooks() -> list[Callable[[Session], None]]:
    return list(_startup.values())


def get_handler(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownJobKind(kind) from None


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def unregister(kind: str) -> None:
    """For tests that register throw-away handlers."""
    _handlers.pop(kind, None)


def load_handler_modules(modules: tuple[str, ...] = HANDLER_MODULES) -> None:
    for module in modules:
        importlib.import_module(module)


def _qualified_name(handler: Callable[..., None]) -> str:
    # Re-importing a module (e.g. under a test runner) re-registers the same function as a new object.
    return f"{handler.__module__}.{handler.__qualname__}"
