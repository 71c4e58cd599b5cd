"""Logging in and out through the HTML forms, and work pages sending strangers to the login page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fengqiao.accounts import service as accounts
from fengqiao.accounts.api import SESSION_COOKIE
from tests.events.world import World

PASSWORD = "correct-horse-9"


def _with_password(world: World, name: str) -> None:
    accounts.set_password(session=world.session, staff=world.staff[name], password=PASSWORD)


def test_login_form_is_chinese(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert "工作人员登录" in page.text
    assert 'name="username"' in page.text


def test_login_sets_the_cookie_and_goes_where_asked(client: TestClient, world: World) -> None:
    _with_password(world, "grid_worker")
    answer = client.post(
        "/login",
        data={"username": "grid_worker", "password": PASSWORD, "next": "/work/events"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/work/events"
    assert client.cookies.get(SESSION_COOKIE)
    page = client.get("/work/events")
    assert page.status_code == 200
    assert "事件列表" in page.text


def test_login_never_redirects_off_site(client: TestClient, world: World) -> None:
    _with_password(world, "grid_worker")
    answer = client.post(
        "/login",
        data={"username": "grid_worker", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/work"


def test_wrong_password_shows_the_form_again_with_a_chinese_error(client: TestClient, world: World) -> None:
    _with_password(world, "grid_worker")
    answer = client.post("/login", data={"username": "grid_worker", "password": "wrong-password"})
    assert answer.status_code == 401
    assert "用户名或密码错误" in answer.text
    assert 'value="grid_worker"' in answer.text
    assert SESSION_COOKIE not in client.cookies


def test_repeated_failures_lock_the_account(client: TestClient, world: World) -> None:
    _with_password(world, "grid_worker")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        client.post("/login", data={"username": "grid_worker", "password": "wrong-password"})
    answer = client.post("/login", data={"username": "grid_worker", "password": PASSWORD})
    assert answer.status_code == 423
    assert "账号已锁定" in answer.text


def test_work_pages_redirect_to_login_when_logged_out(client: TestClient) -> None:
    for path in ("/work", "/work/events?status=open", "/work/events/1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2Fwork")
    htmx = client.get("/work", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")


def test_logout_revokes_the_session(client: TestClient, world: World) -> None:
    _with_password(world, "grid_worker")
    client.post("/login", data={"username": "grid_worker", "password": PASSWORD})
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    client.post("/logout")
    client.cookies.set(SESSION_COOKIE, token)  # even a kept copy of the cookie no longer works
    assert client.get("/work", follow_redirects=False).status_code == 303
