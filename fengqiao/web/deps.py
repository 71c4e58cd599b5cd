"""What routers depend on: a database session per request, the settings, pagination and safe text parameters.

Kept free of domain imports so that every domain's ``api.py`` can import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from fengqiao.config import Settings

# Text parameters end up in SQL; PostgreSQL rejects NUL bytes with an error, so control characters are refused here
# as bad input (422) rather than surfacing as a server error.
NO_CONTROL_CHARS = r"^[^\x00-\x1f\x7f]*$"

# Large enough for any real listing, small enough that the database never sees an out-of-range integer.
MAX_OFFSET = 10_000_000
MAX_ID = 2**31 - 1


_WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the endpoint succeeds, rolled back when it raises. Requests that
    change data get a writing session (on SQLite their transaction takes the write lock up front)."""
    factory = (
        request.app.state.write_session_factory
        if request.method in _WRITING_METHODS
        else request.app.state.session_factory
    )
    session: Session = factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        session.close()


def get_read_session(request: Request) -> Iterator[Session]:
    """For POST requests that only read (batch queries): no write lock taken on SQLite."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def pagination(
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size (1–1000)")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过条数 / rows to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


# scope="function": the transaction commits before the response leaves. With FastAPI's default ("request") the
# commit would run after the client already has its answer — a browser following a login redirect could arrive
# before the session token is committed, and a commit failing then would be reported to nobody.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PageDep = Annotated[Page, Depends(pagination)]
