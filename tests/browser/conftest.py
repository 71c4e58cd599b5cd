"""Browser tests: Debian's Chromium driven by Playwright against the real app, served by uvicorn in a thread over a
database of its own (the demo county at a small scale, with the demo logins). Screenshots go to var/screenshots/
(not committed) for a person to look at.

Chromium comes from Debian (`make test` installs it); Playwright's own browser download is never used. Without
Chromium the tests are skipped locally, and fail under CI, which must run them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.bench.processes import free_port
from fengqiao.config import Settings
from fengqiao.db.engine import make_engine
from fengqiao.demo.logins import DEMO_PASSWORD, enable_demo_logins
from fengqiao.demo.seeding import seed_demo_county
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DUTY_ROLE_LABELS, DutyRole
from fengqiao.events import intake
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Event
from fengqiao.jobs.worker import Worker, WorkerConfig
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.web.app import create_app

CHROMIUM = Path(os.environ.get("FENGQIAO_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BROWSER_SCALE = 0.01
BROWSER_SEED = 20231

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI must run the browser tests, but {CHROMIUM} is missing (make test installs it)")
    pytest.skip(f"{CHROMIUM} missing: run `make test` to install Debian's chromium", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright  # noqa: E402

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}
SCREEN = {"width": 1920, "height": 1080}


@dataclass
class LiveSite:
    base_url: str
    engine: Engine
    logins: dict[DutyRole, str]  # one demo account per kind of post, all in the demo town

    def url(self, path: str) -> str:
        return self.base_url + path

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def unit_of(self, role: DutyRole) -> Unit:
        """The unit where the demo account for ``role`` serves."""
        with self.session() as session:
            return session.execute(
                select(Unit)
                .join(DutyAssignment, DutyAssignment.unit_id == Unit.id)
                .join(Staff, Staff.id == DutyAssignment.staff_id)
                .where(Staff.username == self.logins[role], DutyAssignment.role == role.value)
            ).scalar_one()

    def other_grid(self, grid: Unit) -> Unit:
        """A grid in another town than ``grid``."""
        town_path = "/".join(grid.path.split("/")[:2]) + "/"
        with self.session() as session:
            return session.scalars(
                select(Unit)
                .where(Unit.kind == UnitKind.GRID.value, ~Unit.path.startswith(town_path))
                .order_by(Unit.code)
                .limit(1)
            ).one()

    def register(self, *, grid: Unit, title: str, phone: str = "13905761234") -> Event:
        """An event registered straight through the intake service (not a browser flow under test)."""
        with self.session() as session:
            county = session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY.value)).one()
            new = intake.NewEvent(
                channel=Channel.FRONT_DESK,
                title=title,
                content=f"{title}：双方协商未果，请求调处。",
                is_dispute=True,
                unit_code=grid.code,
                reporter_name="陈海燕",
                reporter_phone=phone,
            )
            event = intake.register(session=session, new=new, registering_unit=county).event
            session.commit()
            return event

    def run_jobs(self) -> None:
        """What `fengqiao worker` does between polls: run every job that is due (auto-dispatch, deadlines)."""
        worker = Worker(engine=self.engine, config=WorkerConfig(batch_size=50))
        worker.run_once()


@pytest.fixture(scope="session")
def live_site(database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    url = database_factory()
    engine = make_engine(url)
    seed_demo_county(engine=engine, scale=BROWSER_SCALE, seed=BROWSER_SEED)
    with Session(engine) as session:
        role_of = {label: role for role, label in DUTY_ROLE_LABELS.items()}
        logins = {role_of[login.role_label]: login.username for login in enable_demo_logins(session=session)}
        session.commit()
    data_dir = tmp_path_factory.mktemp("site")
    settings = Settings(data_dir=data_dir, database_url=url)
    app = create_app(settings=settings, engine=engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="live-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live site did not start")
        time.sleep(0.05)
    try:
        yield LiveSite(base_url=f"http://127.0.0.1:{port}", engine=engine, logins=logins)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # The browser's own words (a file input's "选择文件") follow its UI language, as on a Chinese desktop.
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--lang=zh-CN"])
    yield chromium
    chromium.close()


def _context(browser: Browser, *, phone: bool = False, viewport: dict[str, int] | None = None) -> BrowserContext:
    if phone:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
    else:
        context = browser.new_context(viewport=viewport or DESK, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens pages in contexts of their own (separate cookies: one person each); all closed after the test."""
    contexts: list[BrowserContext] = []

    def open_page(*, phone: bool = False, viewport: dict[str, int] | None = None) -> Page:
        context = _context(browser, phone=phone, viewport=viewport)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def login(page: Page, site: LiveSite, role: DutyRole) -> None:
    page.goto(site.url("/login"))
    page.get_by_label("用户名").fill(site.logins[role])
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 = nothing overflows sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
