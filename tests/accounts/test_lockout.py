"""Lockout must hold with the application's own transactions: a failed login is kept although the request fails."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.db import migrate
from fengqiao.web.app import create_app
from tests import factories
from tests.web.helpers import make_settings


def test_five_failed_api_logins_lock_the_account(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        factories.bind(session)
        staff = factories.StaffFactory(username="wang")
        accounts.set_password(session=session, staff=staff, password="right-password")
        session.commit()
        factories.bind(None)
    with TestClient(create_app(settings=make_settings(), engine=isolated_engine)) as client:
        for _ in range(5):
            assert client.post("/api/v1/auth/login", json={"username": "wang", "password": "wrong"}).status_code == 401
        locked = client.post("/api/v1/auth/login", json={"username": "wang", "password": "right-password"})
        assert locked.status_code == 423
        assert locked.json()["error"]["code"] == "account_locked"
