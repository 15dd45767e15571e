"""Several instances (issue 8): two gunicorn processes behind one address share all that matters.

Both run in production mode against one PostgreSQL database, one Redis and
one upload folder (fixtures in ``conftest.py``); every step goes through real
HTTP, as a browser behind the reverse proxy would send it, to one instance or
the other (no sticky sessions).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.library.models import Material
from events.models import Registration, RegistrationState
from tests.community.library_files import pdf
from tests.conftest import PASSWORD
from tests.scaleout.instances import Browser, start_instances, stop_instances

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED


def _in_parallel(jobs) -> list[BaseException]:
    """Run each job in its own thread, all released at once; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=60)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return errors


def _wait_until_the_outbox_is_sent(seconds: float = 30) -> None:
    """Wait until every queued mail is marked sent (the instances send after answering).

    A process marks a mail sent once the mail server accepted it, so the test SMTP
    server holds every mail then. Fails after ``seconds`` with the number left.
    """
    unsent = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    deadline = time.monotonic() + seconds
    while (left := db.session.scalar(unsent)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == 0, f"{left} mail(s) still unsent after {seconds} s"


def _signed_in_browser(port: int, user, address: str = "192.0.2.1") -> Browser:
    """A browser signed in as ``user`` through the login form of the instance on ``port``."""
    browser = Browser(address)
    response = browser.sign_in(port, user.email, PASSWORD)
    assert response.status == 302, response.text[:500]
    return browser


def _browser_with_session(app, user, address: str) -> Browser:
    """A browser holding the session cookie a sign-in gives ``user``, made by ``app`` itself.

    Signed with the SECRET_KEY the instances share; it saves a password check
    (scrypt, ~0.1 s of CPU) per person where signing in is not what is tested.
    """
    serializer = app.session_interface.get_signing_serializer(app)
    browser = Browser(address)
    session = {"_user_id": user.get_id(), "_fresh": True}
    browser.cookies[app.config["SESSION_COOKIE_NAME"]] = serializer.dumps(session)
    return browser


# --- registrations ----------------------------------------------------------------------


def test_thirty_members_register_at_once_through_both_instances_for_ten_places(
    app, instances, make_event, make_user, mailbox
):
    event = make_event(capacity=10)
    slug, event_id = event.slug, event.id
    members = [make_user() for _ in range(30)]
    emails = {m.id: m.email for m in members}
    # Half register through each instance; the first six also send the form a second
    # time through the other instance at the same moment (a double click, a retry).
    ports = [instances[n % 2] for n in range(30)]
    browsers = [_browser_with_session(app, m, f"192.0.2.{n + 1}") for n, m in enumerate(members)]
    with ThreadPoolExecutor(max_workers=8) as pool:  # each opens the activity page for its form
        tokens = list(pool.map(Browser.form_token, browsers, ports, [f"/activiteiten/{slug}"] * 30))
    statuses: dict[int, list[int]] = {m.id: [] for m in members}

    def post(n: int, port: int):
        def job():
            url = f"/activiteiten/{slug}/inschrijven"
            response = browsers[n].post(port, url, {"csrf_token": tokens[n]})
            statuses[members[n].id].append(response.status)

        return job

    jobs = [post(n, ports[n]) for n in range(30)]
    jobs += [post(n, instances[(n + 1) % 2]) for n in range(6)]
    errors = _in_parallel(jobs)

    assert errors == []
    assert {uid: sorted(s) for uid, s in statuses.items() if len(s) > 1} == {
        m.id: [302, 409] for m in members[:6]
    }
    assert all(s == [302] for s in list(statuses.values())[6:])
    db.session.expire_all()
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    assert len(rows) == 30
    assert Counter(r.state for r in rows) == {CONFIRMED: 10, WAITLISTED: 20}
    assert sorted(r.user_id for r in rows) == sorted(emails), "one registration per person"
    # Every process sends what is due once it has answered: when the outbox is all sent,
    # all mail is in. Each person got one, though all four processes sent at once.
    _wait_until_the_outbox_is_sent()
    assert sorted(m["X-Envelope-To"] for m in mailbox) == sorted(emails.values())
    subjects = {m["X-Envelope-To"]: m["Subject"] for m in mailbox}
    for row in rows:
        expected = "Inschrijving bevestigd" if row.state == CONFIRMED else "wachtlijst"
        assert expected in subjects[emails[row.user_id]]


# --- sessions ---------------------------------------------------------------------------


def test_signed_in_through_one_instance_is_signed_in_on_the_other(instances, make_user):
    first, second = instances
    member = make_user(display_name="Ann Peeters")
    browser = Browser("192.0.2.100")
    token = browser.form_token(first, "/aanmelden")  # the form from the first instance...

    response = browser.post(
        second, "/aanmelden", {"email": member.email, "password": PASSWORD, "csrf_token": token}
    )  # ...sent to the second: the same SECRET_KEY signs session and token
    account = browser.get(first, "/account")
    stranger = Browser("192.0.2.101").get(first, "/account")

    assert response.status == 302
    assert account.status == 200
    assert member.email in account.text
    assert stranger.status == 302 and "/aanmelden" in stranger.location


# --- rate limits ------------------------------------------------------------------------


def _failed_login(browser: Browser, port: int, token: str, email: str):
    form = {"email": email, "password": "fout-wachtwoord", "csrf_token": token}
    return browser.post(port, "/aanmelden", form)


def test_failed_logins_alternating_between_instances_share_one_limit_in_redis(
    instances, make_user, redis_prefix
):
    connection, prefix = redis_prefix
    users = [make_user() for _ in range(3)]
    attacker = Browser("198.51.100.7")  # the visitor's address, from X-Forwarded-For
    token = attacker.form_token(instances[0], "/aanmelden")

    statuses = [
        _failed_login(attacker, instances[n % 2], token, users[n % 3].email).status
        for n in range(10)
    ]
    refused = [_failed_login(attacker, port, token, users[0].email) for port in instances]
    member = Browser("198.51.100.8")  # the member herself, at the office
    at_the_office = _failed_login(
        member, instances[1], member.form_token(instances[0], "/aanmelden"), users[0].email
    )

    assert statuses == [401] * 10
    assert [r.status for r in refused] == [429, 429]
    assert "Te veel mislukte aanmeldpogingen" in refused[1].text
    assert at_the_office.status == 401, "the limit is per address, not per account"
    assert list(connection.scan_iter(match=f"*{prefix}*198.51.100.7*")), "counters live in Redis"


def test_without_redis_each_process_counts_on_its_own(production_env, make_user, tmp_path):
    """The control: the same attempts against instances without REDIS_URL are never refused."""
    env = {k: v for k, v in production_env.items() if k != "REDIS_URL"}
    alone = start_instances(2, tmp_path, env=env, workers=1)
    try:
        users = [make_user() for _ in range(3)]
        attacker = Browser("198.51.100.9")
        token = attacker.form_token(alone[0].port, "/aanmelden")
        statuses = [
            _failed_login(attacker, alone[n % 2].port, token, users[n % 3].email).status
            for n in range(11)
        ]
    finally:
        stop_instances(alone)

    assert statuses == [401] * 11


# --- uploads ----------------------------------------------------------------------------


def test_material_shared_through_one_instance_downloads_through_the_other(
    instances, make_user, shared_uploads
):
    first, second = instances
    member = make_user()
    browser = _signed_in_browser(first, member)
    data = pdf("Verslag netwerkmoment", "Wat we leerden over spijbelen.")
    form = {
        "csrf_token": browser.form_token(first, "/materiaal/nieuw"),
        "title": "Verslag netwerkmoment",
        "type": "report",
        "language": "nl",
        "licence": "CC BY 4.0",
        "visibility": "members",
    }
    upload = {"file": ("verslag.pdf", data, "application/pdf")}

    shared = browser.post(first, "/materiaal/nieuw", form, upload)
    slug = db.session.scalar(select(Material.slug).where(Material.title == form["title"]))
    download = browser.get(second, f"/materiaal/{slug}/download")

    assert shared.status == 302, shared.text[:500]
    assert shared.location == f"/materiaal/{slug}"
    assert download.status == 200
    assert download.body == data
    assert download.headers["Content-Type"] == "application/pdf"
    key = hashlib.sha256(data).hexdigest()
    assert (shared_uploads / key[:2] / key).read_bytes() == data
