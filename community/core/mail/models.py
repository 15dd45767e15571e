"""The outbox table: one row per mail, kept until sent or failed for good (and some days after)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import Base, utcnow


class OutboxMessage(Base):
    """One e-mail waiting in (or sent from) the outbox; sent over SMTP with retries.

    ``failed_at`` is set when the mail can never be sent as it is (its headers cannot be
    written, the server refused the address for good) or ran out of attempts; the
    sender no longer takes it and admins see it on the page of failed mails.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"filename": ..., "mimetype": ..., "content": base64 of the bytes}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failed_at: Mapped[dt.datetime | None] = mapped_column(index=True)
