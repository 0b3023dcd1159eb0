"""A real shop on a free port and a real Chromium: the fixtures of the browser tests.

The shop runs in a thread on its own SQLite file with the demo catalogue, the dummy payment provider and
CSRF on, so the browser fills and posts the real forms. Chromium is Debian's (``/usr/bin/chromium``);
Playwright never downloads a browser here. A failing test leaves a screenshot of each of its pages
under ``tests/e2e/artifacts/``.
"""
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from shop.clock import utcnow
from shop.extensions import db
from shop.seed import seed_demo
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class LiveShop:
    url: str
    app: object


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def live_shop(tmp_path_factory):
    """Serve the seeded shop over HTTP on 127.0.0.1 and a free port, for the whole session."""
    folder = tmp_path_factory.mktemp("e2e")
    app = make_app(f"sqlite:///{folder / 'shop.sqlite3'}", WTF_CSRF_ENABLED=True,
                   env={"SHOP_BASE_URL": "", "RATELIMIT_ENABLED": "0", "PAYMENT_PROVIDER": "dummy",
                        "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        db.create_all()
        seed_demo(utcnow())
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-shop", daemon=True)
    thread.start()
    yield LiveShop(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, started once; the tests skip where it is missing or cannot start."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        except PlaywrightError as error:
            pytest.skip(f"Playwright could not start {CHROMIUM}: {error.message.splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is None or report.failed


def _screenshot(request, pages) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    for number, page in enumerate(pages, start=1):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
        except PlaywrightError:
            pass  # a page that crashed has nothing left to show


def _watch(page, shop_url: str) -> None:
    """Record on the page every request to another host (there must be none) and every script error."""
    home = urlsplit(shop_url).netloc
    page.foreign_requests = []
    page.script_errors = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != home:
            page.foreign_requests.append(request.url)

    def on_console(message):
        if message.type == "error":
            page.script_errors.append(message.text)

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))


@pytest.fixture
def open_page(browser, live_shop, request):
    """Open a page in a fresh browser context (its own cookies); options go to ``new_context``."""
    pages = []

    def open_(**options):
        options = {"locale": "ru-RU", "timezone_id": "Asia/Almaty", **options}
        context = browser.new_context(base_url=live_shop.url, **options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _watch(page, live_shop.url)
        pages.append(page)
        return page

    yield open_
    if _failed(request):
        _screenshot(request, pages)
    for page in pages:
        page.context.close()


@pytest.fixture
def page(open_page):
    """A laptop-sized page of a first-time visitor whose browser prefers Russian."""
    return open_page(viewport={"width": 1280, "height": 800})
