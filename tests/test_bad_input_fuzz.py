"""Fuzz (issue 13, item 9): every route and every form field with bad input; nothing answers 5xx.

The world of ``tests/route_world.py`` gives every route a URL. The test first reads the
pages as a browser would (every GET route, as a visitor, a member, an admin and a post's
author) to learn each form's fields, with the values the page holds, and the query
parameters each page reads (filter forms, search boxes, paging links). Then it sends, in
process through the test client:

* **paths**: each URL argument replaced by a NUL, other control characters, a long string,
  bytes that are not UTF-8, negative and huge numbers..., as each role (404, never 5xx);
* **query strings**: each parameter a page reads, and one it does not, with text and
  number values, roles taking turns;
* **forms**: each field of each form alone with a bad value while the other fields keep
  plausible values, so that the bad value gets as far as it can (past validation, into
  the database), as the roles the authorisation matrix lets post it, taking turns.

A request whose answer is 5xx, or that raises (the test app propagates exceptions, where
production answers 500), is a failure listed with its route, role, field and value. The
test runs on SQLite and, in CI's second pass, on PostgreSQL (``TEST_DATABASE_URL``), which
refuses a NUL and values too long or too large for a column where SQLite takes them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter, defaultdict
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from community.accounts.models import User
from community.core.extensions import db, limiter
from community.library.models import Material, Practice, PracticeAttachment, PracticeStatus
from events.models import Event, EventQuestion, EventStatus, ProgrammeItem
from forums.models import Forum, Post, Report, Suspension, Thread
from tests.fuzz_helpers import Field, Form, multipart, plausible, query_names, read_page, urlencoded
from tests.pages_helpers import sign_in
from tests.route_world import ROLES as MATRIX_ROLES
from tests.route_world import act_as, build_url, build_world, routes, url_args
from tests.test_authorization_matrix import EXPECTED, LOGIN

ROLES = ("anonymous", "member", "coordinator", "admin")
MIN_REQUESTS = 5_000

# Text: beyond every column and length limit; control characters, NUL first; a header
# injection; bytes that are not UTF-8 (sent raw) followed by valid characters outside
# the BMP, a right-to-left override and a byte-order mark.
TEXT = {
    "long": "Lange tekst met é en ë, " * 1500,  # 36,000 characters
    "nul": "voor\x00\x01\x08\x0b\x0c\x0e\x1b[31m\x7f\x85\x9f na",
    "crlf": "Onderwerp\r\nBcc: fuzz@example.org\r\n\r\nTekst",
    "not-utf8": b"caf\xe9 \xff\xfe \xc3\x28 \xed\xa0\x80 "
    + "\U0001f469\u200d\U0001f467\u202e\ufeff".encode(),
}
# Numbers: below zero, beyond 64 bits, just beyond PostgreSQL's bigint, not a number.
NUMBERS = {
    "negative": "-1",
    "negative-huge": "-99999999999999999999",
    "huge": "99999999999999999999999999999",
    "bigint+1": "9223372036854775808",
    "nan": "NaN",
}
QUERY_VALUES = {**TEXT, **NUMBERS}
PATH_VALUES = {
    "nul": "a\x00b",
    "controls": "\x01\x1b[0m\x7f",
    "long": "x" * 3000,
    "not-utf8": b"\xff\xfe\xc3\x28",
    "negative": "-1",
    "huge": "99999999999999999999999999999",
    "bigint+1": "9223372036854775808",
    "dots": "../..",
    "percent": "%",
    "spaces": " a b ",
    "accents": "coöperatie-één",
    "newline": "a\r\nb",
    "zero": "0",
    "space": " ",
}
TEXT_KINDS = {"text", "textarea", "email", "search", "url", "password", "tel"}
CHOICE_KINDS = {"select", "radio", "checkbox"}
JUNK_PARAMETER = "niet-gekend"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORLD_PASSWORD = "wereld-wachtwoord"  # of every user of tests/route_world.py

# A signed-in member registers once (then "already registered"); a guest each time anew.
FORM_ROLES = {"events.register": ["anonymous"]}
#: POST routes whose form only shows in a state the crawl's world does not have: they are
#: still posted to (without fields); any other POST route must be reached by the crawl.
FORMLESS = {
    "accounts.admin_activate": "only on a deactivated account's page",
    "accounts.resend_verification": "only for a signed-in member not yet verified",
    "forums.restore_post": "only on a removed post",
    "library.practice_review": "only for a practice waiting for review",
    "library.practice_submit": "only for a draft practice",
    "manage.attendance": "only once the activity has started",
    "manage.delete": "only for a draft activity",
    "manage.publish": "only for a draft activity",
    "manage.reopen_registration": "only when registration was closed",
    "manage.check_in": "only on the day of the activity (the door is open)",
    "manage.walk_in": "only on the day of the activity (the door is open)",
    "events.agenda_mail_stop": "only for a member subscribed to the agenda mail",
    "events.agenda_mail_unsubscribe": "the one-click POST of a mail client (RFC 8058)",
    "events.evaluate": "only through a present participant's link in the mail",
    "regionmap.import_commit": "only after an import's preview",
    "regionmap.offer_review": "only for a proposed offer",
    "casetables.answer": "only for the requester (no role here) of a case in clarification",
    # Issue 19: the intake forms show to the case region's coordinators only, admins get
    # 404, and the crawl reads as admin; tests/casetables/test_access.py sends them bad input.
    "casetables.accept": "only for the case region's coordinators (the crawl reads as admin)",
    "casetables.ask": "only for the case region's coordinators (the crawl reads as admin)",
    "casetables.plan": "only for the case region's coordinators (the crawl reads as admin)",
    "casetables.redirect_to_offer": "only for the case region's coordinators (not admins)",
    # Case tables (issue 19): the crawl's admin is no reader of a case (404), and its author
    # takes part in the table without coordinating it.
    "casetables.add_agreement": "only for the region's coordinators",
    "casetables.close": "only for the region's coordinators",
    "casetables.follow_up": "only for the requester, once the case is closed",
}


def values_for(item: Field) -> dict[str, str | bytes]:
    """The bad values tried in form field ``item``, by its kind."""
    if item.name == "csrf_token":
        return {"nul": TEXT["nul"]}
    if item.kind in TEXT_KINDS:
        return TEXT
    if item.kind in CHOICE_KINDS or item.kind in ("date", "time", "datetime-local"):
        picked = ("negative", "bigint+1")
        return {**{k: NUMBERS[k] for k in picked}, "nul": TEXT["nul"], "not-utf8": TEXT["not-utf8"]}
    return {**NUMBERS, "nul": TEXT["nul"], "not-utf8": TEXT["not-utf8"]}  # numbers, hidden


def overrides(world) -> dict[str, dict[str, str]]:
    """Values the page cannot suggest: the world's password, a programme item's times."""
    start = world.event.starts_at.astimezone(ZoneInfo("Europe/Brussels"))
    item = {
        "day": start.strftime("%Y-%m-%d"),
        "start_time": start.strftime("%H:%M"),
        "end_time": (start + dt.timedelta(minutes=30)).strftime("%H:%M"),
    }
    return {
        "manage.programme": item,
        "manage.programme_item": item,
        "accounts.change_password": {"current_password": WORLD_PASSWORD},
        "accounts.login": {"email": world.users["member"].email, "password": WORLD_PASSWORD},
        "gdpr.delete_account": {"password": WORLD_PASSWORD},
    }


class Fuzzer:
    """Sends the requests as a role, counts them and keeps every 5xx or exception."""

    def __init__(self, app, client) -> None:
        self.app = app
        self.client = client
        self.world = build_world()
        self.role: str | None = None
        self.token = ""
        self.sent: Counter = Counter()
        self.failures: list[str] = []
        self.boundaries = itertools.count()
        self.urls: dict[str, str] = {}
        self.resets: list[str] = []

    def reset(self, why: str) -> None:
        """Build the world anew: DELETE and restart the ids (TRUNCATE of every table takes
        PostgreSQL much longer); the crawled forms name the world's ids."""
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            if connection.dialect.name == "postgresql":
                names = connection.exec_driver_sql(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                ).scalars()
                for name in names:
                    connection.exec_driver_sql(f'ALTER SEQUENCE "{name}" RESTART')
        self.world = build_world()
        self.role = None
        self.urls = {}
        self.resets.append(why)

    def intact(self) -> bool:
        """True while the world's objects are as built (a form may delete or close them);
        one query."""
        w = self.world
        users = [u.id for u in [w.author, *w.users.values()] if u]
        checks = [
            select(Event.id).where(
                Event.id == w.event.id,
                Event.status == EventStatus.PUBLISHED,
                Event.is_registration_closed.is_(False),
            ),
            select(Thread.id).where(
                Thread.id == w.thread.id, Thread.is_locked.is_(False), Thread.forum_id == w.forum.id
            ),
            select(Post.id).where(
                Post.id == w.post.id, Post.is_hidden.is_(False), Post.is_deleted.is_(False)
            ),
            select(Forum.id).where(Forum.id == w.forum.id, Forum.is_public.is_(False)),
            select(Practice.id).where(
                Practice.id == w.practice.id, Practice.status == PracticeStatus.PUBLISHED
            ),
            select(ProgrammeItem.id).where(ProgrammeItem.id == w.item.id),
            select(EventQuestion.id).where(EventQuestion.id == w.question.id),
            select(PracticeAttachment.id).where(PracticeAttachment.id == w.attachment.id),
            select(Report.id).where(Report.id == w.report.id),
            select(Material.id).where(Material.id == w.material.id),
        ]
        row = db.session.execute(
            select(
                *(check.exists() for check in checks),
                select(func.count(User.id))
                .where(User.id.in_(users), User.is_active.is_(True))
                .scalar_subquery(),
                select(func.count(Suspension.id)).scalar_subquery(),
            )
        ).one()
        db.session.rollback()  # end the read: the next request starts from fresh rows
        *found, active, suspended = row
        return all(found) and active == len(users) and suspended == 0

    def url(self, endpoint: str) -> str:
        """The path of ``endpoint`` in the world (kept until the world is built anew)."""
        if endpoint not in self.urls:
            self.urls[endpoint] = build_url(self.app, endpoint, self.world)
        return self.urls[endpoint]

    def act_as(self, role: str) -> None:
        if role == self.role:
            return
        if role == "author":  # not a role of the matrix: the one who wrote the post
            with self.client.session_transaction() as session:
                session.clear()
            sign_in(self.client, self.world.author)
        else:
            act_as(self.client, self.world, role)
        self.role = role
        self.token = self.client.csrf_token()  # valid as long as this session lasts

    def send(self, kind: str, what: str, method: str, path: str, **kwargs):
        """Send one request; return the response, or None when it raised (a failure)."""
        limiter.reset()  # thousands of requests from one address: no 429 hiding a 500
        self.sent[kind] += 1
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - the test app propagates what is a 500
            db.session.rollback()
            first_line = str(error).splitlines()[0][:200] if str(error) else ""
            self.failures.append(f"{what} as {self.role}: {type(error).__name__}: {first_line}")
            self.role = None
            return None
        if response.status_code >= 500:
            self.failures.append(f"{what} as {self.role}: {response.status_code}")
        if method == "POST" and response.status_code in (302, 303):
            self.role = None  # a sign-in, sign-out or deletion may have changed the session
        return response


def path_pattern(app, endpoint: str, world, argument: str) -> tuple[str, str]:
    """The path of ``endpoint`` in ``world`` with a marker for URL argument ``argument``,
    and the marker (``path.replace(marker, quote(bad))`` puts a bad value there)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    known = url_args(endpoint, world)
    values = {name: known[name] for name in rule.arguments}
    marker = 987654321 if isinstance(values[argument], int) else "fuzzmarker"
    values[argument] = marker
    with app.test_request_context():
        return url_for(endpoint, **values), str(marker)


def crawl(fuzzer: Fuzzer, gets: list[str]):
    """GET every route as a visitor, a member, an admin and a post's author. Return the POST
    forms per endpoint ({endpoint: [Form]}) and the query parameters per GET endpoint."""
    adapter = fuzzer.app.url_map.bind("localhost")
    forms: dict[str, list[Form]] = defaultdict(list)
    params: dict[str, set[str]] = defaultdict(set)

    def endpoint_of(path: str, method: str) -> str | None:
        try:
            return adapter.match(path, method=method)[0]
        except HTTPException:
            return None

    for role in ("anonymous", "member", "admin", "author"):  # admins see coordinators' forms
        fuzzer.act_as(role)
        for endpoint in gets:
            path = fuzzer.url(endpoint)
            response = fuzzer.send("pages", f"GET {path}", "GET", path)
            if response is None or response.mimetype != "text/html":
                continue
            page = read_page(path, response.get_data(as_text=True))
            for form in page.forms:
                target = endpoint_of(form.action, form.method.upper())
                if target is not None and form.method == "post":
                    forms[target].append(form)
                elif target is not None:
                    params[target].update(item.name for item in form.fields)
            for href in page.links:
                target = endpoint_of(href.split("?")[0], "GET")
                if target is not None:
                    params[target].update(query_names(href))
            fuzzer.act_as(role)  # a page may end the session (none should; the next sees)
    return forms, params


def allowed_roles(endpoint: str) -> list[str]:
    """The roles the authorisation matrix lets post to ``endpoint`` (no login, no 403)."""
    if endpoint in FORM_ROLES:
        return FORM_ROLES[endpoint]
    statuses = dict(zip(MATRIX_ROLES, EXPECTED[endpoint]["POST"], strict=True))
    allowed = [role for role in ROLES if statuses[role] not in (LOGIN, 403)]
    return allowed or ["author"]  # only a post's author may edit or delete it


def fields_of(found: list[Form]) -> tuple[list[Field], bool]:
    """The fields of an endpoint's forms (the largest form's first, then others' new names)."""
    fields: dict[str, Field] = {}
    for form in sorted(found, key=lambda form: -len(form.fields)):
        for item in form.fields:
            fields.setdefault(item.name, item)
    if not fields:  # a button the world's state does not show (publish a draft, say)
        fields = {"csrf_token": Field("csrf_token", "hidden")}
    return list(fields.values()), any(form.multipart for form in found)


def post(
    fuzzer: Fuzzer,
    endpoint: str,
    fields: list[Field],
    is_multipart: bool,
    bad_field: str | None = None,
    bad: str | bytes = "",
    label: str = "",
    filename="dia.pdf",
):
    """POST the form of ``endpoint``: plausible values, ``bad`` in ``bad_field``."""
    path = fuzzer.url(endpoint)
    given = overrides(fuzzer.world).get(endpoint, {})
    pairs: list[tuple[str, str | bytes]] = []
    files: dict[str, tuple[str, bytes]] = {}
    for item in fields:
        if item.kind == "file":
            name = bad if item.name == bad_field and isinstance(bad, str) else filename
            files[item.name] = (name, PDF)
            continue
        if item.name == bad_field:
            value: str | bytes | list = bad
        elif item.name == "csrf_token":
            value = fuzzer.token
        else:
            value = given.get(item.name, plausible(item))
        pairs.extend((item.name, one) for one in (value if isinstance(value, list) else [value]))
    if is_multipart:
        boundary = f"fuzz{next(fuzzer.boundaries)}"
        body = multipart(pairs, files, boundary)
        content_type = f"multipart/form-data; boundary={boundary}"
    else:
        body, content_type = urlencoded(pairs), "application/x-www-form-urlencoded"
    what = f"POST {endpoint} {bad_field}={label}" if bad_field else f"POST {endpoint} {label}"
    fuzzer.send("forms", what, "POST", path, data=body, content_type=content_type)


def fuzz_paths_and_queries(fuzzer: Fuzzer, gets: list[str], params: dict[str, set[str]]):
    app = fuzzer.app
    for endpoint in gets:
        arguments = sorted(
            next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint).arguments
        )
        names = sorted(params[endpoint] | {JUNK_PARAMETER})
        queries = [(n, label, bad) for n in names for label, bad in QUERY_VALUES.items()]
        for number, role in enumerate(ROLES):
            fuzzer.act_as(role)
            for argument in arguments:
                pattern, marker = path_pattern(app, endpoint, fuzzer.world, argument)
                for label, bad in PATH_VALUES.items():
                    path = pattern.replace(marker, quote(bad, safe=""))
                    fuzzer.send("paths", f"GET {endpoint} <{argument}>={label}", "GET", path)
            path = fuzzer.url(endpoint)
            for name, label, bad in queries[number :: len(ROLES)]:  # each once, roles in turn
                query = urlencode([(name, bad)])
                what = f"GET {endpoint} ?{name}={label}"
                fuzzer.send("queries", what, "GET", path, query_string=query)
        if not fuzzer.intact():
            fuzzer.reset(endpoint)


def fuzz_forms(fuzzer: Fuzzer, posts: list[str], forms: dict[str, list[Form]]):
    for endpoint in posts:
        fields, is_multipart = fields_of(forms.get(endpoint, []))
        tries = [
            (item.name, label, bad) for item in fields for label, bad in values_for(item).items()
        ]
        if any(item.kind == "file" for item in fields):
            tries += [
                (f.name, f"file name {label}", f"{bad[:200]}.pdf")
                for f in fields
                if f.kind == "file"
                for label, bad in TEXT.items()
                if isinstance(bad, str)
            ]
        roles = allowed_roles(endpoint)
        for number, role in enumerate(roles):
            for name, label, bad in tries[number :: len(roles)]:
                fuzzer.act_as(role)
                post(fuzzer, endpoint, fields, is_multipart, name, bad, label)
        # Last, the form as a careful user fills it in (it may delete what it names). The
        # next route gets the world as built: each route's form changes it at most itself.
        fuzzer.act_as(roles[-1])
        post(fuzzer, endpoint, fields, is_multipart, label="as filled in")
        if not fuzzer.intact():
            fuzzer.reset(endpoint)


@pytest.mark.real_commits  # it rebuilds its world between rounds, on its own connections
def test_no_route_or_form_answers_5xx_to_bad_input(app, client):
    started = time.monotonic()
    fuzzer = Fuzzer(app, client)
    gets = [endpoint for endpoint, method in routes(app) if method == "GET"]
    posts = [endpoint for endpoint, method in routes(app) if method == "POST"]

    forms, params = crawl(fuzzer, gets)
    fuzz_paths_and_queries(fuzzer, gets, params)
    fuzz_forms(fuzzer, posts, forms)

    total = sum(fuzzer.sent.values())
    seconds = time.monotonic() - started
    rebuilt = len(fuzzer.resets)
    print(f"\nfuzz: {total} requests {dict(fuzzer.sent)}, {rebuilt} new worlds, {seconds:.0f} s")
    assert fuzzer.failures == [], f"{len(fuzzer.failures)} failures:\n" + "\n".join(
        fuzzer.failures[:80]
    )
    assert total >= MIN_REQUESTS
    without_form = [endpoint for endpoint in posts if not forms.get(endpoint)]
    unexplained = sorted(set(without_form) - set(FORMLESS))
    assert unexplained == [], f"the crawl found no form for {unexplained} (see FORMLESS)"
