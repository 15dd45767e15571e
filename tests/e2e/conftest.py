"""End-to-end fixtures: the app on a real server on 127.0.0.1, the demo data, headless Chromium.

One server and one browser serve the whole session (the suite stays fast); each
test opens its own browser context (its own cookies). The database is a fresh
SQLite file seeded with the demo content; mail goes to the real aiosmtpd server
of ``tests/conftest.py`` so a journey can read the links in what it received.
Chromium is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it); when it
is missing the tests fail with that reason, they never skip.

With ``TEST_DATABASE_URL`` (the PostgreSQL pass of ``make test``) only the tests marked
``both_databases`` run, and the server's database is a fresh PostgreSQL database on that
server (made for the session, seeded, dropped at the end); the others are deselected
there, since they ran on SQLite in the first pass.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from community.core.extensions import db
from tests.conftest import TEST_CONFIG, fresh_postgres_database

HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# Flags from the machine notes: no GPU, no sandbox as root, and no background
# connections (the closed network refuses them).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
# Browsers of Flemish users ask for Dutch (Accept-Language); the app follows it.
LOCALE = "nl-BE"
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
# A tablet at the door (issue 17, check-in): opened by name, not part of every axe pass.
VIEWPORTS = {**WIDTHS, "tablet": {"width": 768, "height": 1024}}
DEMO_PASSWORD = "bruggen-demo-2026"
MEMBER = "clb.medewerker@example.org"
COORDINATOR = "coordinator.wvl@example.org"
ADMIN = "admin@example.org"
# How long a test waits for a mail the server sends after a request (seconds).
MAIL_WAIT = 10


@dataclass
class Server:
    """The running app: its base URL, the Flask app (for seeding) and the mail collector."""

    url: str
    app: object
    collector: object
    _states: dict = field(default_factory=dict)

    def mails_to(self, address: str) -> list[EmailMessage]:
        """Return the messages received so far for ``address``."""
        return [m for m in self.collector.messages if address in (m["X-Envelope-To"] or "")]

    def wait_for_mail(self, address: str, subject_part: str = "") -> EmailMessage:
        """Return the newest mail to ``address`` whose subject contains ``subject_part``.

        The app sends its outbox right after the response, so the mail may land
        a moment after the page has loaded: poll for up to ``MAIL_WAIT`` seconds. A mail
        that sending after the response left queued (SQLite busy with the browser's next
        request on a loaded machine) goes out with the next run of the outbox, as the
        README's `flask send-mail` cron line would send it: halfway, run it once.
        """
        deadline = time.monotonic() + MAIL_WAIT
        halfway = time.monotonic() + MAIL_WAIT / 2
        while time.monotonic() < deadline:
            found = [m for m in self.mails_to(address) if subject_part in m["Subject"]]
            if found:
                return found[-1]
            if halfway is not None and time.monotonic() > halfway:
                halfway = None
                from community.core.mail.outbox import deliver_outbox

                with self.app.app_context():
                    deliver_outbox()
            time.sleep(0.05)
        subjects = [m["Subject"] for m in self.mails_to(address)]
        raise AssertionError(f"no mail to {address} about {subject_part!r}; got {subjects}")


def links_in(message: EmailMessage) -> list[str]:
    """Return the http(s) links in the plain-text part of ``message``."""
    part = message.get_body(preferencelist=("plain",))
    return re.findall(r"https?://\S+", part.get_content())


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL pass keep only the browser tests marked ``both_databases``."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    here = str(HERE)
    kept, dropped = [], []
    for item in items:
        in_e2e = str(item.path).startswith(here)
        (dropped if in_e2e and not item.get_closest_marker("both_databases") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory):
    """SQLite in a temporary folder; with ``TEST_DATABASE_URL`` a fresh PostgreSQL database
    ``<name>_e2e`` (``_e2e_gw0`` under xdist) on that server, dropped at the end."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'bruggen.sqlite'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with fresh_postgres_database(url, f"_e2e_{worker}") as fresh:
        yield fresh


@pytest.fixture(scope="session")
def server(tmp_path_factory, smtp_server, e2e_database_url):
    """The Bruggen app served by werkzeug on 127.0.0.1 (a free port), on the seeded demo,
    on SQLite (or PostgreSQL in that pass: :func:`e2e_database_url`)."""
    from demo.seed import seed_demo

    collector, smtp_port = smtp_server
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret-key",
            "SQLALCHEMY_DATABASE_URI": e2e_database_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_USE_TLS": False,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            # The suite signs in many times from one address; rate limits have their own tests.
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": TEST_CONFIG["PASSWORD_HASH_METHOD"],  # not scrypt
        }
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    app.config["BRUGGEN_BASE_URL"] = url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(url=url, app=app, collector=collector)
    http.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never Playwright's own browser download)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} ontbreekt: installeer Debian's chromium (apt-get install chromium; "
            ".ci/run doet dat) om de end-to-end-tests te draaien.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script (installed by ``make test`` with npm from tests/e2e/package.json)."""
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"{AXE_SCRIPT} ontbreekt: voer `npm ci` uit in tests/e2e (make test doet dat).",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def new_page(server, browser):
    """Return a callable opening a page in a new context: ``new_page(width="phone", user=None)``.

    ``user`` is the e-mail address of an account with the demo password; the
    context is then signed in (through the login form, once per user per session).
    The default timeout is short so that a missing element fails fast.
    """
    contexts = []

    def _open(width: str = "desktop", user: str | None = None, init_script: str | None = None):
        state = _signed_in_state(server, browser, user) if user else None
        context = browser.new_context(
            base_url=server.url, viewport=VIEWPORTS[width], storage_state=state, locale=LOCALE
        )
        context.set_default_timeout(10_000)
        if init_script:
            context.add_init_script(script=init_script)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def _signed_in_state(server: Server, browser, email: str) -> dict:
    if email not in server._states:
        context = browser.new_context(base_url=server.url, locale=LOCALE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sign_in(page, email)
        server._states[email] = context.storage_state()
        context.close()
    return json.loads(json.dumps(server._states[email]))


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait for the welcome message."""
    page.goto("/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.locator("main form").get_by_role("button", name="Aanmelden").click()
    page.get_by_text("Je bent aangemeld").wait_for()


def screenshot(page, name: str, width: str) -> None:
    """Save a full-page screenshot to tests/e2e/screenshots/<name>-<width>.png (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def add_member(server: Server, email: str, name: str) -> None:
    """Add a verified member with the demo password straight through the models."""
    from community.accounts.models import User

    with server.app.app_context():
        user = User(email=email, display_name=name, is_verified=True, locale="nl")
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()


def set_capacity(server: Server, slug: str, capacity: int) -> None:
    """Give the activity ``slug`` ``capacity`` places (the organiser would do so in the form)."""
    from sqlalchemy import select

    from events.models import Event

    with server.app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.capacity = capacity
        db.session.commit()
