"""The outbox: mails are stored with the change that causes them and sent over real SMTP."""

import http.client
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select
from werkzeug.serving import make_server

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


class _SilentMailServer:
    """A TCP server on 127.0.0.1 that accepts one connection and never says a word.

    An SMTP client waits for its greeting until ``release()`` hangs up.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        self.connected.set()
        self._release.wait(timeout=60)
        connection.close()

    def release(self) -> None:
        self._release.set()
        self._thread.join(timeout=10)
        self.listener.close()


def _outbox_row() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage))


@pytest.mark.real_commits  # the server's request thread has its own database connection
def test_a_request_answers_while_the_mail_server_hangs_and_the_mail_stays_queued(
    make_app, make_user
):
    ann = make_user()
    mail_server = _SilentMailServer()
    app = make_app(
        MAIL_BACKEND="smtp",
        MAIL_PORT=mail_server.port,
        MAIL_TIMEOUT=30,  # seconds: longer than the browser below waits
        WTF_CSRF_ENABLED=False,  # a bare HTTP client; CSRF has tests of its own
    )
    http_server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=http_server.serve_forever, daemon=True)
    serving.start()
    browser = http.client.HTTPConnection("127.0.0.1", http_server.server_port, timeout=10)
    try:
        browser.request(
            "POST",
            "/wachtwoord-vergeten",
            body=urlencode({"email": ann.email}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = browser.getresponse()
        response.read()

        assert response.status == 302
        assert mail_server.connected.wait(timeout=10), "the app never tried to send"
        queued = _outbox_row()
        assert queued.recipient == ann.email
        assert (queued.sent_at, queued.attempts) == (None, 0), "the answer waited for SMTP"
    finally:
        mail_server.release()  # the mail server hangs up without a greeting
        browser.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _outbox_row().attempts == 0:
            time.sleep(0.05)
        http_server.shutdown()
        serving.join(timeout=10)

    failed = _outbox_row()
    assert failed.attempts == 1 and failed.sent_at is None
    assert failed.last_error  # kept for ``flask send-mail`` to retry
