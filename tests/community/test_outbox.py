"""The outbox: mails are stored with the change that causes them and sent over real SMTP."""

import socket

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import deliver_outbox, queue_mail


@pytest.fixture
def test_template(app):
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"email/test_message.txt": "Dag {{ name }},\n\nTestbericht."}),
            app.jinja_loader,
        ]
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _queue(app):
    with app.test_request_context():
        queue_mail("ann@example.org", "Onderwerp é", "test_message", name="Ann")
    db.session.commit()


def test_queued_mail_is_delivered_over_smtp(app, mailbox, test_template):
    _queue(app)

    assert deliver_outbox() == (1, 0)

    assert len(mailbox) == 1
    assert mailbox[0]["To"] == "ann@example.org"
    assert mailbox[0]["Subject"] == "Onderwerp é"
    assert "Dag Ann" in mailbox[0].get_body(preferencelist=("plain",)).get_content()
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is not None and message.attempts == 1


def test_failing_mail_server_keeps_the_message_for_a_retry(app, mailbox, test_template):
    _queue(app)
    mail_state = app.extensions["mailman"]  # Flask-Mailman reads MAIL_* once, at init_app
    smtp_port = mail_state.port
    mail_state.port = _closed_port()

    assert deliver_outbox() == (0, 1)

    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > utcnow()
    assert deliver_outbox() == (0, 0), "a failed message waits for its back-off"
    assert mailbox == []

    # Once the server is back and the retry is due, the same message goes out once.
    mail_state.port = smtp_port
    message.next_attempt_at = utcnow()
    db.session.commit()
    assert deliver_outbox() == (1, 0)
    assert len(mailbox) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
