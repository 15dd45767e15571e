"""A mail that can never be sent is marked failed, logged and shown to admins (issue 13, item 10).

Over real SMTP: the test server of ``tests/conftest.py``, a closed port for a server that is
down, and a server of this module that refuses one mailbox for good (550).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import MAX_ATTEMPTS, deliver_outbox, error_summary, queue_mail
from community.gdpr.rights import purge_sent_mail
from tests.pages_helpers import sign_in


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Refusing:
    """aiosmtpd handler: 550 for one mailbox, 250 (and keep the message) for the others."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.received: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def refusing_server(app):
    """A second real SMTP server that refuses weg@example.org; the app sends through it."""
    handler = _Refusing("weg@example.org")
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mail_state = app.extensions["mailman"]  # Flask-Mailman reads MAIL_* once, at init_app
    mail_state.backend = "smtp"  # tests without the mailbox fixture send nowhere otherwise
    port, mail_state.port = mail_state.port, controller.port
    yield handler
    mail_state.port = port
    controller.stop()


def _message(**values) -> OutboxMessage:
    fields = {"recipient": "an@example.org", "subject": "Onderwerp", "body_text": "Dag An."}
    fields.update(values)
    message = OutboxMessage(**fields)
    db.session.add(message)
    db.session.commit()
    return message


def _reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_a_mail_with_a_line_break_in_a_header_fails_at_once_and_is_logged(app, mailbox, caplog):
    # Queued before subjects were made one line, or written by a script.
    message = _message(subject="Inschrijving bevestigd\nBcc: iedereen@example.org")

    with caplog.at_level(logging.ERROR, logger="community.core.mail.outbox"):
        assert deliver_outbox() == (0, 1)

    message = _reload(message)
    assert message.failed_at is not None and message.sent_at is None
    assert message.attempts == 1
    assert "newlines" in message.last_error
    assert any(
        r.levelno == logging.ERROR and "failed for good" in r.getMessage() for r in caplog.records
    )
    assert "example.org" in caplog.text and "an@example.org" not in caplog.text
    message.next_attempt_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    assert deliver_outbox() == (0, 0), "a failed mail is not taken again"
    assert mailbox == []


def test_a_mail_with_a_reply_to_that_is_no_address_fails_at_once(app, mailbox):
    message = _message(headers={"Reply-To": "coördinator\r\nBcc: x@example.org"})

    assert deliver_outbox() == (0, 1)

    assert _reload(message).failed_at is not None
    assert mailbox == []


def test_queue_mail_makes_the_subject_one_line(app, mailbox, make_user):
    user = make_user()
    subject = "Nieuw bericht in „Spijbelen\r\nop school”"
    with app.test_request_context():
        queue_mail(user.email, subject, "verify", user=user, link="https://bruggen.test/x")
    db.session.commit()

    assert deliver_outbox() == (1, 0)
    assert mailbox[0]["Subject"] == "Nieuw bericht in „Spijbelen op school”"


def test_a_mailbox_refused_for_good_fails_at_once_the_others_go(app, refusing_server):
    gone = _message(recipient="weg@example.org")
    kept = _message(recipient="an@example.org")

    assert deliver_outbox() == (1, 1)

    gone, kept = _reload(gone), _reload(kept)
    assert gone.failed_at is not None and gone.attempts == 1 and "550" in gone.last_error
    assert "weg@" not in error_summary(gone) and "…@example.org" in error_summary(gone)
    assert kept.sent_at is not None and kept.failed_at is None
    assert len(refusing_server.received) == 1


def test_a_mail_server_that_stays_down_fails_the_mail_after_the_last_attempt(app, caplog):
    message = _message()
    mail_state = app.extensions["mailman"]
    mail_state.backend = "smtp"  # over SMTP, to a port where nothing listens
    port, mail_state.port = mail_state.port, _free_port()
    try:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with caplog.at_level(logging.WARNING, logger="community.core.mail.outbox"):
                assert deliver_outbox() == (0, 1)
            message = _reload(message)
            assert message.attempts == attempt
            assert (message.failed_at is not None) == (attempt == MAX_ATTEMPTS)
            message.next_attempt_at = utcnow()  # the back-off has passed
            db.session.commit()
    finally:
        mail_state.port = port

    assert deliver_outbox() == (0, 0)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and f"after {MAX_ATTEMPTS} attempt(s)" in errors[0].getMessage()


def test_admins_see_failed_mails_by_domain_and_send_one_again(app, client, make_user, mailbox):
    message = _message(
        recipient="an.peeters@school.example",
        subject="Inschrijving bevestigd: Netwerkmoment",
        attempts=MAX_ATTEMPTS,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        failed_at=utcnow(),
    )
    _message(recipient="sent@example.org", sent_at=utcnow())
    sign_in(client, make_user("admin"))

    page = client.get("/beheer/mails")

    assert page.status_code == 200
    assert "school.example" in page.text and "an.peeters" not in page.text
    assert "Inschrijving bevestigd: Netwerkmoment" in page.text
    assert "SMTPServerDisconnected" in page.text
    assert "sent@example.org" not in page.text and "Er zijn geen" not in page.text

    again = client.post_form(f"/beheer/mails/{message.id}/opnieuw")

    assert again.status_code == 302
    message = _reload(message)
    assert message.sent_at is not None and message.failed_at is None and message.attempts == 1
    assert [m["To"] for m in mailbox] == ["an.peeters@school.example"]
    assert "Er zijn geen mislukte mails." in client.get("/beheer/mails").text


def test_a_mail_that_did_not_fail_is_not_sent_again(app, client, make_user, mailbox):
    message = _message(sent_at=utcnow())
    sign_in(client, make_user("admin"))

    response = client.post_form(f"/beheer/mails/{message.id}/opnieuw", follow_redirects=True)

    assert "Deze mail is niet mislukt of al verstuurd." in response.text
    assert mailbox == []


def test_failed_mails_leave_the_outbox_after_the_retention(app):
    now = utcnow()
    _message(failed_at=now - dt.timedelta(days=91))
    _message(failed_at=now - dt.timedelta(days=10))
    _message()  # still waiting

    assert purge_sent_mail(now, dt.timedelta(days=90)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
