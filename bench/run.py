"""``make bench`` (issue 8): seed large data, serve it with gunicorn, load it with wrk, report.

Steps, in one run:

1. A fresh database per scale (SQLite files in a temporary folder, or new
   databases on the PostgreSQL server of ``DATABASE_URL``, dropped at the end),
   migrated with ``flask db upgrade`` and filled by :mod:`bench.seed`.
2. Growth, in-process: every page rendered with the Flask test client at each
   scale (page cache off, so the page is really built), the median of up to
   ``BENCH_RENDERS`` renders, and its SQL queries counted with a
   ``before_cursor_execute`` listener.
3. Load, at scale 1: the app under gunicorn (2 workers, production settings)
   and the floor (:mod:`bench.floor`, same settings, same response sizes), each
   URL driven by wrk from a separate process, app and floor in turn; then the
   peak memory (VmHWM) of each worker.
4. The tables are printed and written to ``bench/results.md``.

Knobs (environment): ``BENCH_SECONDS`` (wrk duration per URL, default 5),
``BENCH_SCALES`` (default "1,4,16"), ``DATABASE_URL`` (a PostgreSQL server;
default SQLite), ``REDIS_URL`` (passed to the app; unset by default),
``BENCH_CONNECTIONS`` (wrk connections, default 4), ``BENCH_RENDERS`` (renders
per page and scale in the growth table, default 5), ``BENCH_GROWTH_BUDGET``
(seconds of rendering per page and scale before fewer renders are taken,
default 15), ``BENCH_RESULTS`` (output file, default bench/results.md),
``BENCH_KEEP=1`` (keep the databases, uploads and gunicorn logs, for a look).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent

WRK_THREADS = 2
WORKERS = 2
# Reserved activities of the member's registrations: [0] gives the form's CSRF token,
# [1] and [2] are registered in-process (growth), [3] by the size probe, the rest by wrk.
RESERVED_SLUGS = 4


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The knobs of one run, read from the environment (see the module docstring)."""

    seconds: int
    scales: tuple[float, ...]
    database_url: str | None
    redis_url: str | None
    connections: int
    renders: int
    growth_budget: float
    results: Path
    keep: bool

    @classmethod
    def from_env(cls, env=os.environ) -> Settings:
        scales = tuple(
            sorted({float(part) for part in env.get("BENCH_SCALES", "1,4,16").split(",") if part})
        )
        if not scales or any(scale <= 0 for scale in scales):
            raise SystemExit("BENCH_SCALES: give positive numbers, e.g. 1,4,16")
        return cls(
            seconds=max(1, round(float(env.get("BENCH_SECONDS") or 5))),
            scales=scales,
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            connections=max(1, int(env.get("BENCH_CONNECTIONS") or 4)),
            renders=max(1, int(env.get("BENCH_RENDERS") or 5)),
            growth_budget=float(env.get("BENCH_GROWTH_BUDGET") or 15),
            results=Path(env.get("BENCH_RESULTS") or BENCH / "results.md"),
            keep=env.get("BENCH_KEEP", "") not in ("", "0"),
        )


def label(scale: float) -> str:
    return f"{scale:g}x"


def say(message: str = "") -> None:
    print(message, flush=True)


# --- databases -----------------------------------------------------------------------------


class Databases:
    """Fresh databases, one per scale: SQLite files, or databases on a PostgreSQL server."""

    def __init__(self, server_url: str | None, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []
        self.server = None
        if server_url:
            from sqlalchemy.engine import make_url

            from app import database_url

            self.server = make_url(database_url(server_url))
            if not self.server.drivername.startswith("postgresql"):
                raise SystemExit("DATABASE_URL: only PostgreSQL (or nothing, for SQLite)")

    @property
    def kind(self) -> str:
        return "PostgreSQL" if self.server else "SQLite"

    def _admin(self):
        import psycopg

        url = self.server.set(drivername="postgresql", database="postgres")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def create(self, scale: float) -> str:
        """Return the URL of a new, empty database for ``scale``."""
        if self.server is None:
            path = self.folder / f"bench-{label(scale)}.sqlite"
            path.unlink(missing_ok=True)
            return f"sqlite:///{path}"
        name = f"bruggen_bench_{int(time.time())}_{os.getpid()}_{label(scale).replace('.', '_')}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.server is None:
            return
        with self._admin() as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def version(self, url: str) -> str:
        if self.server is None:
            return f"SQLite {sqlite3.sqlite_version} (a file, WAL off: the app's default)"
        import psycopg
        from sqlalchemy.engine import make_url

        conn_url = make_url(url).set(drivername="postgresql")
        with psycopg.connect(conn_url.render_as_string(hide_password=False)) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        host = f"{self.server.host}:{self.server.port or 5432}"
        return f"PostgreSQL {version} on {host}"


def migrate(url: str, secret: str) -> None:
    """Run ``flask db upgrade`` on the database at ``url``."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "BRUGGEN_ENV": "development"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        say(done.stdout + done.stderr)
        raise SystemExit("flask db upgrade failed")


# --- requests --------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


class HttpSender:
    """Sends requests to a server on 127.0.0.1 over HTTP/1.1 (a new connection each time)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"

    def __call__(self, method, path, headers, form=None) -> Reply:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = dict(headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()


class ClientSender:
    """Sends requests through the Flask test client of ``app`` (in this process)."""

    origin = "http://localhost"

    def __init__(self, app) -> None:
        self.client = app.test_client(use_cookies=False)

    def __call__(self, method, path, headers, form=None) -> Reply:
        # The app's default mail backend prints mails on stdout: keep them out of the report.
        with contextlib.redirect_stdout(io.StringIO()):
            response = self.client.open(path, method=method, headers=headers, data=form)
        return Reply(response.status_code, list(response.headers.items()), response.get_data())


class Visitor:
    """A browser-like visitor: keeps its cookies (unless anonymous, like wrk) and sends Origin."""

    def __init__(self, send, keep_cookies: bool = True) -> None:
        self.send = send
        self.keep_cookies = keep_cookies
        self.jar: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.jar.items())

    def request(self, method: str, path: str, form=None, headers=None) -> Reply:
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = self.cookie
        if method == "POST":
            headers.setdefault("Origin", self.send.origin)
            headers.setdefault("Referer", self.send.origin + path)
        reply = self.send(method, path, headers, form)
        if self.keep_cookies:
            for value in reply.set_cookies():
                name, _, rest = value.partition("=")
                content = rest.split(";", 1)[0]
                expired = (
                    "expires=thu, 01 jan 1970" in value.lower() or "max-age=0" in value.lower()
                )
                if content and not expired:
                    self.jar[name.strip()] = content
                else:
                    self.jar.pop(name.strip(), None)
        return reply


def csrf_token_in(html: bytes) -> str | None:
    """Return the value of the first ``csrf_token`` field in ``html``, or None."""
    text = html.decode("utf-8", "replace")
    for tag in re.findall(r"<input[^>]*>", text):
        if 'name="csrf_token"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            if match:
                return match.group(1)
    return None


def sign_in(visitor: Visitor, email: str, password: str, form_page: str) -> str:
    """Log ``visitor`` in with a real POST to /aanmelden; return the CSRF token of a form.

    ``form_page`` is a page with a form (an activity the member may register for);
    its token and the cookie it sets are what later POSTs carry.
    """
    page = visitor.request("GET", "/aanmelden")
    token = csrf_token_in(page.body)
    if page.status != 200 or token is None:
        raise SystemExit(f"login page: status {page.status}, no CSRF token")
    form = {"email": email, "password": password, "csrf_token": token}
    reply = visitor.request("POST", "/aanmelden", form=form)
    if reply.status != 302:
        raise SystemExit(f"login refused: status {reply.status}")
    token = None
    for _ in range(3):  # until the session stops changing (the CSRF secret is set once)
        before = dict(visitor.jar)
        page = visitor.request("GET", form_page)
        token = csrf_token_in(page.body) or token
        if visitor.jar == before:
            break
    if page.status != 200 or token is None:
        raise SystemExit(f"{form_page}: status {page.status}, no registration form for the member")
    return token


class QueryCounter:
    """Counts the SQL statements an engine runs (``before_cursor_execute``)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.n += 1


# --- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One measured request: ``who`` is "anonymous", "member" or "coordinator" (signed in)."""

    name: str
    who: str
    method: str
    path: str
    conditional: bool = False  # GET with If-None-Match: the ETag of a first GET

    @property
    def key(self) -> str:
        return f"{self.name} ({self.who})"


# The regional map's catalogue with a region, a kind and an age (issue 15: "queries stay
# constant as the catalogue grows").
CATALOGUE = "/aanbod?regio=west-vlaanderen&soort=naft&leeftijd=14"


def pages_for(facts) -> list[Page]:
    """The benchmark's requests for the data set described by ``facts`` (a SeedFacts)."""
    activity = f"/activiteiten/{facts.activity_slug}"
    thread = f"/forum/{facts.forum_slug}/{facts.big_thread_id}"
    filtered = f"/agenda/{facts.region_slug}/thema-{facts.theme_number}.ics"
    return [
        Page("home", "anonymous", "GET", "/"),
        Page("home", "member", "GET", "/"),
        Page("agenda", "anonymous", "GET", "/agenda"),
        Page("agenda", "member", "GET", "/agenda"),
        Page("activity page", "anonymous", "GET", activity),
        Page("activity page", "member", "GET", activity),
        Page("feed /agenda.ics", "anonymous", "GET", "/agenda.ics"),
        Page(f"feed {filtered}", "anonymous", "GET", filtered),
        Page("feed 304 (If-None-Match)", "anonymous", "GET", "/agenda.ics", conditional=True),
        Page("forum index", "anonymous", "GET", "/forum"),
        Page("forum index", "member", "GET", "/forum"),
        Page("thread, page 1", "member", "GET", thread),
        Page("thread, last page", "member", "GET", f"{thread}?pagina={facts.big_thread_pages}"),
        Page("materials /materiaal", "anonymous", "GET", "/materiaal"),
        Page("materials /materiaal", "member", "GET", "/materiaal"),
        Page("file download", "anonymous", "GET", f"/materiaal/{facts.download_slug}/download"),
        Page("offer catalogue /aanbod", "anonymous", "GET", CATALOGUE),
        Page("offer catalogue /aanbod", "member", "GET", CATALOGUE),
        Page("registration POST", "member", "POST", "/activiteiten/{slug}/inschrijven"),
        # Every figure in a fixed number of queries, whatever the data's size (issue 18).
        Page(
            "statistics, last school year",
            "coordinator",
            "GET",
            f"/statistieken/{facts.region_slug}",
        ),
    ]


def sign_in_coordinator(visitor: Visitor, facts) -> None:
    """Sign ``visitor`` in as the coordinator of ``facts.region_slug``."""
    sign_in(visitor, facts.coordinator_email, facts.member_password, probe_page(facts))


def visitor_for(page: Page, anonymous: Visitor, member: Visitor, coordinator: Visitor) -> Visitor:
    return {"member": member, "coordinator": coordinator}.get(page.who, anonymous)


def register_path(slug: str) -> str:
    return f"/activiteiten/{slug}/inschrijven"


# --- in-process measurements -------------------------------------------------------------------


@dataclass
class Render:
    """In-process result of one page at one scale."""

    median_ms: float
    samples: int
    queries: int
    size: int
    status: int
    cache: str
    expected: int = 200

    @property
    def ok(self) -> bool:
        return self.status == self.expected


def make_app(url: str, uploads: Path, secret: str, settings: Settings, **config):
    """Return a Bruggen app on ``url`` with production settings (as gunicorn gets them)."""
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(uploads),
            "SECRET_KEY": secret,
            "BRUGGEN_ENV": "production",
            "REDIS_URL": settings.redis_url,
            **config,
        }
    )
    logging.getLogger().setLevel(logging.ERROR)  # create_app sets INFO
    return app


def time_page(
    visitor: Visitor, page: Page, path: str, counter: QueryCounter, settings, headers=None
) -> tuple[Render, Reply]:
    """Render ``page`` in-process up to ``settings.renders`` times; median wall time.

    The first render is a warm-up (left out) when it takes under half a second;
    renders stop early once ``settings.growth_budget`` seconds are spent. A
    conditional request answered 200 (the feed changed since its ETag was taken:
    an activity left the feed's window) is repeated once with the new ETag.
    """
    samples: list[float] = []
    spent, warm, retried = 0.0, False, False
    queries, reply = 0, None
    headers = dict(headers or {})
    while len(samples) < settings.renders and (spent < settings.growth_budget or not samples):
        counter.n = 0
        start = time.perf_counter()
        reply = visitor.request(page.method, path, headers=headers)
        took = time.perf_counter() - start
        spent += took
        if page.conditional and reply.status == 200 and not retried and reply.header("ETag"):
            headers["If-None-Match"] = reply.header("ETag")
            retried = True
            continue
        if not warm and took < 0.5:
            warm = True
            continue
        warm = True
        samples.append(took)
        queries = counter.n
    render = Render(
        median_ms=statistics.median(samples) * 1000,
        samples=len(samples),
        queries=queries,
        size=len(reply.body),
        status=reply.status,
        cache=reply.header("X-Page-Cache") or "-",
    )
    return render, reply


def expected_status(page: Page) -> int:
    return 302 if page.method == "POST" else 304 if page.conditional else 200


def growth(scale: float, db_url: str, uploads: Path, facts, secret: str, settings) -> dict:
    """Render every page in-process at ``scale`` with the page cache off; return {key: Render}."""
    from community.core.extensions import db

    app = make_app(db_url, uploads, secret, settings, PAGE_CACHE_ENABLED=False)
    with app.app_context():
        counter = QueryCounter(db.engine)
    anonymous = Visitor(ClientSender(app), keep_cookies=False)
    member = Visitor(ClientSender(app))
    token = sign_in(member, facts.member_email, facts.member_password, probe_page(facts))
    coordinator = Visitor(ClientSender(app))
    sign_in_coordinator(coordinator, facts)
    results: dict[str, Render] = {}
    etag = None
    for page in pages_for(facts):
        visitor = visitor_for(page, anonymous, member, coordinator)
        if page.method == "POST":
            render = results[page.key] = register_in_process(member, facts, token, counter)
            flag = "" if render.ok else "  UNEXPECTED STATUS"
            say(
                f"  {label(scale):>4} {page.key:<48} {render.median_ms:9.1f} ms  "
                f"(1x) {render.queries:4d} SQL {render.size:>9} B  status {render.status}{flag}"
            )
            continue
        headers = {"If-None-Match": etag} if page.conditional and etag else None
        render, reply = time_page(visitor, page, page.path, counter, settings, headers)
        if page.path == "/agenda.ics" and not page.conditional:
            etag = reply.header("ETag")
        render.expected = expected_status(page)
        results[page.key] = render
        flag = "" if render.ok else "  UNEXPECTED STATUS"
        say(
            f"  {label(scale):>4} {page.key:<48} {render.median_ms:9.1f} ms  "
            f"({render.samples}x) {render.queries:4d} SQL {render.size:>9} B  "
            f"status {render.status}{flag}"
        )
    with app.app_context():
        db.engine.dispose()
    return results


def probe_page(facts) -> str:
    return f"/activiteiten/{facts.register_slugs[0]}"


def register_in_process(member: Visitor, facts, token: str, counter: QueryCounter) -> Render:
    """Register the member for two reserved activities; time and count the second."""
    took, reply = 0.0, None
    for slug in facts.register_slugs[1:3]:
        counter.n = 0
        start = time.perf_counter()
        reply = member.request(
            "POST", register_path(slug), form={"csrf_token": token, "submit": "Inschrijven"}
        )
        took = time.perf_counter() - start
    return Render(took * 1000, 1, counter.n, len(reply.body), reply.status, "-", expected=302)


# --- servers and wrk ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A gunicorn master started by this run (2 sync workers on 127.0.0.1)."""

    def __init__(self, target: str, env: dict, log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str = "/", seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn stopped; see {self.log}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                HttpSender(self.port)("GET", path, {})
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {seconds} s; see {self.log}")

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def peak_memory_mb(self) -> list[float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Load:
    """wrk's result for one URL."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # HTTP status > 399, plus socket errors and timeouts


def wrk(url: str, settings: Settings, headers: dict, script: Path, env: dict | None = None) -> Load:
    """Run wrk against ``url`` for ``settings.seconds``; return its numbers."""
    command = ["wrk", "-t", str(WRK_THREADS), "-c", str(settings.connections)]
    command += ["-d", f"{settings.seconds}s", "--timeout", "30s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=settings.seconds + 120,
    )
    match = re.search(r"^BENCH_RESULT (.*)$", done.stdout, re.M)
    if done.returncode != 0 or not match:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Load(
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=errors,
    )


def warm_up(port: int, path: str, headers: dict, requests: int = 2 * WORKERS) -> None:
    """Send ``requests`` concurrent GETs and wait for them, so every worker has answered
    ``path`` once (and filled its page cache) before wrk measures."""
    send = HttpSender(port)
    with ThreadPoolExecutor(requests) as pool:
        list(pool.map(lambda _: send("GET", path, headers), range(requests)))


@dataclass
class LoadRow:
    page: Page
    app: Load
    floor: Load
    size: int
    status: int
    cache: str
    served_queries: int | None


def server_env(settings: Settings, db_url: str, uploads: Path, secret: str, origin: str) -> dict:
    """The environment of production, as app.py reads it (README, "Production")."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "BRUGGEN_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": db_url,
        "UPLOAD_FOLDER": str(uploads),
        "BRUGGEN_BASE_URL": origin,
    }
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    return env


def load_test(db_url: str, uploads: Path, facts, secret: str, settings, work: Path) -> dict:
    """Serve scale 1 with gunicorn, measure sizes and queries, then wrk app and floor per URL."""
    from community.core.extensions import db

    port = free_port()
    env = server_env(settings, db_url, uploads, secret, f"http://127.0.0.1:{port}")
    app_server = Gunicorn("app:create_app()", env, work / "gunicorn-app.log", port)
    floor_server = None
    try:
        app_server.wait("/")
        member = Visitor(HttpSender(app_server.port))
        token = sign_in(member, facts.member_email, facts.member_password, probe_page(facts))
        cookie = member.cookie
        coordinator = Visitor(HttpSender(app_server.port))
        sign_in_coordinator(coordinator, facts)
        cookies = {"member": cookie, "coordinator": coordinator.cookie}
        anonymous = Visitor(HttpSender(app_server.port), keep_cookies=False)

        # Sizes, status and cache state of each response, as wrk will get them (2nd request).
        # The registration first: it changes the feed's ETag.
        pages = pages_for(facts)
        probes: dict[str, Reply] = {}
        for page in pages:
            if page.method == "POST":
                form = {"csrf_token": token, "submit": "Inschrijven"}
                path = register_path(facts.register_slugs[3])
                probes[page.key] = member.request("POST", path, form=form)
        etag = anonymous.request("GET", "/agenda.ics").header("ETag")
        for page in pages:
            visitor = visitor_for(page, anonymous, member, coordinator)
            if page.method == "POST":
                continue
            headers = {"If-None-Match": etag} if page.conditional else None
            visitor.request("GET", page.path, headers=headers)
            probes[page.key] = visitor.request("GET", page.path, headers=headers)
        for page in pages:
            reply = probes[page.key]
            expected = expected_status(page)
            if reply.status != expected:
                raise SystemExit(f"{page.key}: status {reply.status}, expected {expected}")

        # SQL per request as served (page cache as configured), in-process on the same data.
        served_app = make_app(db_url, uploads, secret, settings)
        with served_app.app_context():
            counter = QueryCounter(db.engine)
        served_member = Visitor(ClientSender(served_app))
        served_member.jar = dict(member.jar)
        served_coordinator = Visitor(ClientSender(served_app))
        served_coordinator.jar = dict(coordinator.jar)
        served_anonymous = Visitor(ClientSender(served_app), keep_cookies=False)
        served: dict[str, int] = {}
        for page in pages:
            if page.method == "POST":
                continue
            visitor = visitor_for(page, served_anonymous, served_member, served_coordinator)
            headers = {"If-None-Match": etag} if page.conditional else None
            visitor.request("GET", page.path, headers=headers)
            counter.n = 0
            visitor.request("GET", page.path, headers=headers)
            served[page.key] = counter.n
        with served_app.app_context():
            db.engine.dispose()

        # The floor: same sizes, same gunicorn settings.
        spec = {}
        for page in pages:
            reply = probes[page.key]
            entry = {
                "status": reply.status,
                "size": len(reply.body),
                "content_type": reply.header("Content-Type"),
            }
            if page.method == "POST":
                spec["POST"] = entry
            elif page.conditional:
                spec["304"] = entry
            else:
                # The floor tells a signed-in request by its cookie (" member").
                signed_in = page.who != "anonymous"
                spec[f"GET {page.path}" + (" member" if signed_in else "")] = entry
        spec_file = work / "floor.json"
        spec_file.write_text(json.dumps(spec))
        floor_env = {**os.environ, "BENCH_FLOOR_SPEC": str(spec_file)}
        floor_server = Gunicorn("bench.floor:create_app()", floor_env, work / "gunicorn-floor.log")
        floor_server.wait("/")

        slugs_file = work / "register-slugs.txt"
        slugs_file.write_text("\n".join(facts.register_slugs[RESERVED_SLUGS:]) + "\n")
        rows = []
        for page in pages:
            headers = {}
            if page.who in cookies:
                headers["Cookie"] = cookies[page.who]
            if page.conditional:
                headers["If-None-Match"] = etag
            results = []
            for server in (app_server, floor_server):
                if page.method == "GET":
                    warm_up(server.port, page.path, headers)
                if page.method == "POST":
                    env = {
                        "BENCH_SLUGS": str(slugs_file),
                        "BENCH_COOKIE": cookie,
                        "BENCH_CSRF": urllib.parse.quote(token, safe=""),
                        "BENCH_ORIGIN": server.origin,
                        "BENCH_THREADS": str(WRK_THREADS),
                        "BENCH_REPORT_LUA": str(BENCH / "report.lua"),
                    }
                    results.append(
                        wrk(server.origin + "/", settings, {}, BENCH / "register.lua", env)
                    )
                else:
                    results.append(
                        wrk(server.origin + page.path, settings, headers, BENCH / "report.lua")
                    )
            reply = probes[page.key]
            row = LoadRow(
                page=page,
                app=results[0],
                floor=results[1],
                size=len(reply.body),
                status=reply.status,
                cache=reply.header("X-Page-Cache") or "-",
                served_queries=served.get(page.key),
            )
            rows.append(row)
            say(
                f"  {page.key:<48} {row.app.rps:8.1f} req/s  p50 {row.app.p50_ms:8.1f} ms  "
                f"p99 {row.app.p99_ms:8.1f} ms  | floor {row.floor.rps:8.1f} req/s  "
                f"ratio {ratio(row):.3f}  errors {row.app.errors}"
            )
        memory = {"app": app_server.peak_memory_mb(), "floor": floor_server.peak_memory_mb()}
        return {"rows": rows, "memory": memory}
    finally:
        app_server.stop()
        if floor_server is not None:
            floor_server.stop()


def ratio(row: LoadRow) -> float:
    return row.app.rps / row.floor.rps if row.floor.rps else 0.0


# --- machine and report ------------------------------------------------------------------------


def output(*command: str) -> str:
    """The standard output of ``command`` (stripped), "?" when it cannot run."""
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "?"


def app_version() -> str:
    """The commit of the tree, and whether app code (outside bench/) has uncommitted changes."""
    commit = output("git", "rev-parse", "--short", "HEAD")
    dirty = output("git", "status", "--porcelain", "--", ".", ":!bench")
    return f"commit {commit}" + (" plus uncommitted changes in the tree" if dirty else "")


def machine(
    databases: Databases, db_url: str, settings: Settings, load_at_start: tuple, version: str
) -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    import gunicorn

    wrk_version = output("wrk", "-v").splitlines()[0] if output("wrk", "-v") else "?"
    return {
        "machine": output("uname", "-a"),
        "CPU": f"{cpu}, {os.cpu_count()} logical CPUs",
        "Python": platform.python_version(),
        "database": databases.version(db_url),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "app": version
        if version == app_version()
        else f"{version} at the start, {app_version()} at the end (the code changed meanwhile)",
        "server": f"gunicorn {gunicorn.__version__}, {WORKERS} sync workers, "
        "BRUGGEN_ENV=production",
        "load": f"{wrk_version.split(' [')[0]}, {WRK_THREADS} threads, {settings.connections} "
        f"connections, {settings.seconds} s per URL, on the same machine",
        "Redis": settings.redis_url
        or "REDIS_URL not set (rate limits and page cache per worker process)",
        "load average": f"{load_at_start[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the "
        "end (1 min; other processes on the machine disturb the numbers)",
    }


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def markdown_report(info, facts_by_scale, load, growth_by_scale, settings, elapsed) -> str:
    lines = ["# Bruggen benchmark results", ""]
    lines.append("Made by `make bench` (bench/run.py); issue 8. Do not edit by hand.")
    lines.append("")
    for name, value in info.items():
        lines.append(f"- **{name}**: {value}")
    lines.append(f"- **run time**: {elapsed / 60:.1f} min (seeding, growth and load)")
    base = facts_by_scale[min(facts_by_scale, key=lambda s: abs(s - 1))]
    counts = ", ".join(f"{n:,} {kind}" for kind, n in base.counts.items())
    lines += ["", f"Data at 1x: {counts}.", ""]
    lines += ["## Load at 1x (gunicorn + wrk) against the floor", ""]
    lines += [
        "Floor: bench/floor.py, a minimal Flask app returning precomputed bytes of the same "
        "size, under the same gunicorn settings. *SQL served*: queries of the request as wrk "
        "sends it (page cache as configured); *SQL render*: queries when the page is built "
        "(page cache off). *cached*: the response came through the page cache (X-Page-Cache). "
        "*errors*: responses with status > 399 and socket errors. Before each measurement, "
        f"{2 * WORKERS} concurrent requests warm the workers (and their caches).",
        "",
        "| page | visitor | req/s | p50 ms | p99 ms | floor req/s | ours/floor | SQL served "
        "| SQL render | bytes | status | cached | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|",
    ]
    render_1x = growth_by_scale.get(1.0, {})
    for row in load["rows"]:
        render = render_1x.get(row.page.key)
        served = row.served_queries if row.served_queries is not None else "–"
        lines.append(
            f"| {row.page.name} | {row.page.who} | {row.app.rps:.1f} | {row.app.p50_ms:.1f} "
            f"| {row.app.p99_ms:.1f} | {row.floor.rps:.1f} | {ratio(row):.3f} | {served} "
            f"| {render.queries if render else '–'} | {row.size:,} | {row.status} "
            f"| {'yes' if row.cache != '-' else 'no'} | {row.app.errors} |"
        )
    memory = load["memory"]
    lines += [
        "",
        "Peak memory per gunicorn worker after the load (VmHWM): app "
        + ", ".join(f"{mb:.0f} MB" for mb in memory["app"])
        + "; floor "
        + ", ".join(f"{mb:.0f} MB" for mb in memory["floor"])
        + ".",
        "",
    ]
    scales = sorted(growth_by_scale)
    lines += ["## Growth (in-process, page cache off)", ""]
    lines += [
        f"Median of up to {settings.renders} renders with the Flask test client (n: renders "
        f"taken; fewer when they passed {settings.growth_budget:g} s); SQL: queries of one "
        "render.",
        "",
    ]
    header = "| page | visitor | " + " | ".join(f"ms {label(s)} (n)" for s in scales)
    header += " | " + " | ".join(f"SQL {label(s)}" for s in scales)
    header += " | " + " | ".join(f"bytes {label(s)}" for s in scales) + " |"
    lines += [header, "|---|---|" + "--:|" * (3 * len(scales))]
    keys = list(growth_by_scale[scales[0]])
    for key in keys:
        name, who = key.rsplit(" (", 1)
        cells = [name, who.rstrip(")")]
        cells += [time_cell(growth_by_scale[s][key]) for s in scales]
        cells += [str(growth_by_scale[s][key].queries) for s in scales]
        cells += [f"{growth_by_scale[s][key].size:,}" for s in scales]
        lines.append("| " + " | ".join(cells) + " |")
    failed = [
        f"{key} at {label(s)}: status {render.status} (expected {render.expected})"
        for s in scales
        for key, render in growth_by_scale[s].items()
        if not render.ok
    ]
    if failed:
        lines += ["", "**Unexpected statuses** (their times and counts are not the page's):", ""]
        lines += [f"- {line}" for line in failed]
    changed = query_growth(growth_by_scale)
    lines += ["", "### Query counts that change with the data", ""]
    if len(scales) < 2:
        lines.append("Only one scale measured (BENCH_SCALES).")
    elif changed:
        for key, counts in changed:
            lines.append(f"- {key}: " + " → ".join(f"{n} ({label(s)})" for s, n in counts))
    else:
        lines.append(f"None: every page runs the same number of queries at {label(scales[-1])}.")
    lines.append("")
    if TARGETS.exists():  # written by hand: the targets, and what holds back a missed one
        lines += [TARGETS.read_text().rstrip(), ""]
    return "\n".join(lines)


# Appended to the results as they are: which targets a run meets, and why one is missed.
TARGETS = BENCH / "targets.md"


def time_cell(render: Render) -> str:
    cell = f"{render.median_ms:.1f} ({render.samples})"
    return cell if render.ok else f"{cell} **status {render.status}**"


def query_growth(growth_by_scale: dict) -> list[tuple[str, list[tuple[float, int]]]]:
    """Pages whose query count at the largest scale differs from the smallest's."""
    scales = sorted(growth_by_scale)
    if len(scales) < 2:
        return []
    changed = []
    for key in growth_by_scale[scales[0]]:
        counts = [(s, growth_by_scale[s][key].queries) for s in scales]
        if counts[0][1] != counts[-1][1]:
            changed.append((key, counts))
    return changed


def print_tables(report: str) -> None:
    say()
    say(report)


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    started = time.monotonic()
    load_at_start = os.getloadavg()
    version = app_version()
    settings = Settings.from_env()
    os.chdir(ROOT)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    if not settings.redis_url and redis_answers():
        say(
            "Redis answers on 127.0.0.1:6379 but REDIS_URL is not set: the app runs without it "
            "(page cache and rate limits per worker). To include it: "
            "make bench REDIS_URL=redis://127.0.0.1:6379/0"
        )
    scales = tuple(sorted({1.0, *settings.scales}))
    work = Path(tempfile.mkdtemp(prefix="bruggen-bench-"))
    secret = secrets.token_hex(32)
    databases = Databases(settings.database_url, work)
    logging.basicConfig(level=logging.ERROR)
    try:
        from bench.seed import seed
        from community.core.extensions import db

        urls, uploads, facts = {}, {}, {}
        say(f"Seeding {', '.join(label(s) for s in scales)} into fresh {databases.kind} databases")
        for scale in scales:
            urls[scale] = databases.create(scale)
            uploads[scale] = work / f"uploads-{label(scale)}"
            migrate(urls[scale], secret)
            seeding = make_app(urls[scale], uploads[scale], secret, settings)
            with seeding.app_context():
                began = time.monotonic()
                facts[scale] = seed(scale, label=f"  {label(scale):>4}")
                db.engine.dispose()
            took = time.monotonic() - began
            say(f"  {label(scale):>4} seeded in {took:.1f} s: {facts[scale].counts}")
            if len(facts[scale].register_slugs) <= RESERVED_SLUGS:
                raise SystemExit("too few open activities to register for")

        say("\nGrowth: each page rendered in-process (page cache off)")
        growth_by_scale = {}
        for scale in settings.scales:
            growth_by_scale[scale] = growth(
                scale, urls[scale], uploads[scale], facts[scale], secret, settings
            )

        say(f"\nLoad at 1x: gunicorn ({WORKERS} workers) and wrk, app then floor per URL")
        load = load_test(urls[1.0], uploads[1.0], facts[1.0], secret, settings, work)
        info = machine(databases, urls[1.0], settings, load_at_start, version)
        elapsed = time.monotonic() - started
        report = markdown_report(info, facts, load, growth_by_scale, settings, elapsed)
        settings.results.write_text(report)
        print_tables(report)
        say(f"Written to {settings.results} in {elapsed / 60:.1f} min.")
    finally:
        if settings.keep:
            say(f"Kept (BENCH_KEEP): {work} and the databases {databases.created or ''}")
        else:
            databases.drop_all()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
