"""The outbox: every mail is queued in the database, then sent over SMTP with retries.

A mail is queued in the same transaction as the change that causes it, so a
failing mail server never loses that change (DESIGN.md, "Mail"). Once the
response of the request that queued it has been delivered, the outbox is sent
(the visitor never waits for the mail server); what fails, or what a process
that stopped in between never sent, stays in the outbox and is sent by
``flask send-mail`` (cron; back-off doubles per attempt).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import smtplib
from email import encoders
from email.mime.base import MIMEBase
from functools import partial

from flask import Flask, Response, current_app, g, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select

from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.i18n import LOCALES
from community.core.mail.models import OutboxMessage
from community.core.text import one_line

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
RETRY_BASE = dt.timedelta(minutes=1)


def queue_mail(
    recipient: str,
    subject: str,
    template: str,
    language: str = "nl",
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    **context,
) -> OutboxMessage:
    """Render ``email/<template>.txt`` (and ``.html`` if present) and add it to the outbox.

    ``subject`` is translated in ``language`` ("nl" or "en") like the body.
    ``attachments`` are ``(filename, content bytes, full MIME type)`` triples; the
    MIME type may carry parameters (``text/calendar; charset=utf-8; method=PUBLISH``)
    and is sent exactly so. The subject is made one line (``one_line``): the titles and
    names in it are kept one line where they are entered, and a line break that got
    through anyway would make the mail unsendable. Only adds to the session; the caller
    commits. Returns the new message.
    """
    with force_locale(LOCALES.get(language, LOCALES["nl"])):
        context.setdefault("base_url", current_app.config["BRUGGEN_BASE_URL"].rstrip("/"))
        body_text = render_template(f"email/{template}.txt", **context)
        try:
            body_html = render_template(f"email/{template}.html", **context)
        except Exception:  # noqa: BLE001 - an HTML part is optional
            body_html = None
        written = str(subject)
    subject = one_line(written) or ""
    if subject != written:
        log.warning("mail %s: subject made one line (a title or name that was not)", template)
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        attachments=[
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(data).decode()}
            for name, data, mimetype in attachments or ()
        ],
    )
    db.session.add(message)
    g.mail_queued = True
    log.info("mail queued: %s to message %s", template, recipient.split("@")[-1])
    return message


def _mime_attachment(attachment: dict) -> MIMEBase:
    """Return a base64 MIME part for a stored attachment, its parameters kept as given."""
    maintype, _, rest = attachment["mimetype"].partition("/")
    part = MIMEBase(maintype.strip(), rest.split(";")[0].strip())
    part.replace_header("Content-Type", attachment["mimetype"])  # parameters exactly as given
    part.set_payload(base64.b64decode(attachment["content"]))
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part


def _send(message: OutboxMessage) -> None:
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        headers=message.headers or None,
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments or ():
        mail.attach(_mime_attachment(attachment))
    mail.message()  # a mail that cannot be written fails here, mail server up or down
    mail.send(fail_silently=False)


def is_permanent(error: Exception) -> bool:
    """True when sending the same mail again cannot succeed.

    The mail cannot be written: Flask-Mailman and the ``email`` package raise
    ``ValueError`` for a header with a line break (``BadHeaderError``) or an address
    that is not one. Or the server refused every recipient with a 5xx reply (RFC 5321
    4.2.1: a permanent negative completion, "mailbox unavailable"). Anything else (no
    connection, a 4xx reply, a server or login problem) may pass later: retried.
    """
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return False


def deliver_outbox(limit: int = 100) -> tuple[int, int]:
    """Send due messages from the outbox; return (sent, failed) counts.

    Each message is committed on its own, so one failure never undoes another
    message's success. A failed message is retried after 1, 2, 4... minutes,
    up to ``MAX_ATTEMPTS`` attempts; its error is kept in ``last_error``. A message
    that can never be sent (:func:`is_permanent`) or used its last attempt is marked
    failed (``failed_at``) and logged as an error; it is not taken again.

    Several processes send at once (every request that queued mail, ``flask
    send-mail``, on every instance): each message is taken with a row lock that
    the others skip (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite has no row
    locks and ignores it), kept until the message is marked sent or failed, so
    no message is sent twice (issue 8, "several instances").
    """
    now = utcnow()
    next_due = (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    sent = failed = 0
    for _ in range(limit):
        message = db.session.scalar(next_due)
        if message is None:
            break
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:  # noqa: BLE001 - any SMTP/network failure is retried
            failed += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if is_permanent(exc) or message.attempts >= MAX_ATTEMPTS:
                message.failed_at = utcnow()
                log.error(
                    "mail %s to %s failed for good after %s attempt(s): %s",
                    message.id,
                    recipient_domain(message),
                    message.attempts,
                    error_summary(message),
                )
            else:
                message.next_attempt_at = now + RETRY_BASE * 2 ** (message.attempts - 1)
                log.warning("mail %s not sent (attempt %s): %s", message.id, message.attempts, exc)
        else:
            sent += 1
            message.sent_at = utcnow()
            message.last_error = ""
        db.session.commit()
    return sent, failed


def _deliver_after_response(app: Flask) -> None:
    """Send the outbox in an app context of its own: the request's is gone by then."""
    with app.app_context():
        try:
            deliver_outbox()
        except Exception:  # noqa: BLE001 - the mail stays in the outbox for send-mail
            log.exception("outbox delivery failed")
            db.session.rollback()


class MailNotFailed(DomainError):
    """Only a mail that failed (and was not sent since) can be sent again."""

    text = _l("Deze mail is niet mislukt of al verstuurd.")
    status = 409


def recipient_domain(message: OutboxMessage) -> str:
    """The part after the @ of the message's address: enough to see a pattern, no person."""
    return message.recipient.rpartition("@")[2] or "?"


def error_summary(message: OutboxMessage) -> str:
    """The message's last error with its address shortened to the domain (a server's refusal
    names the address; logs and the admin page need the reason, not the person)."""
    return message.last_error.replace(message.recipient, f"…@{recipient_domain(message)}")


def failed_mails(limit: int = 200) -> list[OutboxMessage]:
    """Return the mails marked failed that are still in the outbox, most recent first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None), OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry_mail(message: OutboxMessage) -> None:
    """Give a failed mail a new series of attempts, starting now (after the response).

    For an admin who removed the cause (a mail server setting, a mailbox that is
    back). A mail that cannot be written fails again at once. Flushes nothing; the
    caller commits. Raises :class:`MailNotFailed` for a mail that has not failed.
    """
    if message.failed_at is None or message.sent_at is not None:
        raise MailNotFailed()
    message.failed_at = None
    message.attempts = 0
    message.next_attempt_at = utcnow()
    g.mail_queued = True  # sent after the response, like a newly queued mail
    log.info("mail %s to %s queued again", message.id, recipient_domain(message))


def init_app(app: Flask) -> None:
    """Send the mails a request queued after its response is delivered.

    The WSGI server closes the response once the body is sent and runs its
    ``call_on_close`` callbacks then, so a slow or unreachable mail server never
    delays the answer (issue 12, "Mail leaves the request path").
    """

    @app.after_request
    def _deliver_queued_mail(response: Response) -> Response:
        if g.pop("mail_queued", False):
            response.call_on_close(partial(_deliver_after_response, app))
        return response
