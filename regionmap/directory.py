"""The member directory (ledenlijst): opt-in entries, the list, contact through the platform.

Rules (issue 15): the directory is for signed-in members only (verified, as the forums);
nobody is listed without opting in; addresses are never shown: a member writes another
through a form and the platform mails the message (``queue_mail``), with the writer's
address as Reply-To so the answer goes straight back. Messages pass the privacy guard.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import Organisation, Region, User
from community.accounts.permissions import can_read_members_content
from community.core.extensions import db
from community.core.mail.outbox import queue_mail
from community.core.text import fold, one_line
from regionmap.catalogue import OfferRefused, guard_text
from regionmap.models import DirectoryEntry

log = logging.getLogger(__name__)

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
PER_PAGE = 30
MAX_MESSAGE = 3000


def can_use_directory(user) -> bool:
    """True for members (signed in, verified): who may see and use the directory."""
    return can_read_members_content(user)


def parse_tags(text: str) -> list[str]:
    """Return the expertise tags of ``text`` (comma-separated), trimmed, unique, at most 10.

    Raises :class:`OfferRefused` (field ``expertise``) for a tag longer than 40 characters.
    """
    tags: list[str] = []
    for part in (text or "").split(","):
        tag = one_line(part) or ""
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise OfferRefused(
                _l("Een trefwoord is hoogstens %(n)s tekens lang.", n=MAX_TAG_LENGTH),
                field="expertise",
            )
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags[:MAX_TAGS]


def entry_of(user: User) -> DirectoryEntry | None:
    """The directory entry of ``user`` (listed or not), or None."""
    return db.session.scalar(select(DirectoryEntry).where(DirectoryEntry.user_id == user.id))


def save_entry(user: User, is_listed: bool, expertise: str, about: str) -> DirectoryEntry:
    """Create or change ``user``'s entry; returns it (flushed).

    Raises :class:`OfferRefused` for a bad tag, ``PersonalDataInRecord`` when ``about``
    seems to name a person.
    """
    tags = parse_tags(expertise)
    about = one_line(about or "") or ""
    guard_text("about", about)
    entry = entry_of(user) or DirectoryEntry(user_id=user.id)
    entry.is_listed = is_listed
    entry.expertise = tags
    entry.about = about[:300]
    db.session.add(entry)
    db.session.flush()
    log.info("directory entry of user %s: listed=%s", user.id, is_listed)
    return entry


@dataclass(frozen=True)
class DirectoryFilter:
    """What a member asks the directory: a region, a sector, an expertise tag, words."""

    region: Region | None = None
    sector: str | None = None
    tag: str = ""
    text: str = ""


def _escape_like(text: str) -> str:
    """``text`` with the LIKE wildcards and the escape character escaped (escape ``\\``)."""
    return re.sub(r"([%_\\])", r"\\\1", text)


def _criteria(wanted: DirectoryFilter) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = [
        DirectoryEntry.is_listed.is_(True),
        User.is_active.is_(True),
    ]
    if wanted.region is not None:
        criteria.append(User.region_id == wanted.region.id)
    if wanted.sector:
        criteria.append(User.sector == wanted.sector)
    if wanted.tag:
        # The JSON list is stored as text on both databases, a letter beyond ASCII written
        # as a \\u escape (json.dumps): match the quoted tag as written, in any case for
        # ASCII letters (SQL's lower() leaves the escapes alone), as typed or in lower case.
        stored = func.lower(cast(DirectoryEntry.expertise, String))
        forms = {json.dumps(form)[1:-1].lower() for form in (wanted.tag, wanted.tag.lower())}
        criteria.append(
            or_(*(stored.like('%"' + _escape_like(form) + '"%', escape="\\") for form in forms))
        )
    for word in fold(wanted.text).split()[:5]:
        like = "%" + _escape_like(word) + "%"
        criteria.append(
            or_(
                User.search_name.like(like, escape="\\"),
                func.lower(Organisation.name).like(like, escape="\\"),
            )
        )
    return criteria


def list_members(wanted: DirectoryFilter, page: int = 1) -> tuple[list[DirectoryEntry], int, int]:
    """Return (entries of page ``page``, total, pages) of the listed members, by name."""
    base = (
        select(DirectoryEntry)
        .join(DirectoryEntry.user)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*_criteria(wanted))
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    entries = db.session.scalars(
        base.options(
            joinedload(DirectoryEntry.user).joinedload(User.organisation),
            joinedload(DirectoryEntry.user).joinedload(User.region),
        )
        .order_by(User.display_name, User.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return list(entries), total, pages


def listed_entry(user_id: int) -> DirectoryEntry | None:
    """The entry of member ``user_id`` when listed and active, else None."""
    return db.session.scalar(
        select(DirectoryEntry)
        .join(DirectoryEntry.user)
        .where(
            DirectoryEntry.user_id == user_id,
            DirectoryEntry.is_listed.is_(True),
            User.is_active.is_(True),
        )
        .options(joinedload(DirectoryEntry.user))
    )


def contact_member(sender: User, entry: DirectoryEntry, subject: str, message: str) -> None:
    """Queue a mail from ``sender`` to the listed member of ``entry`` (in their language).

    The recipient's address stays hidden from ``sender``; the mail carries ``sender``'s
    address as Reply-To. Raises :class:`OfferRefused` for an empty or too long subject or
    message, or a message to oneself; ``PersonalDataInRecord`` when the text seems to name
    a person (a child or family).
    """
    subject = one_line(subject or "") or ""
    message = (message or "").strip()
    if not subject or len(subject) > 150:
        raise OfferRefused(_l("Geef een onderwerp (hoogstens 150 tekens)."), field="subject")
    if not message or len(message) > MAX_MESSAGE:
        raise OfferRefused(
            _l("Schrijf een bericht (hoogstens %(n)s tekens).", n=MAX_MESSAGE), field="message"
        )
    if entry.user_id == sender.id:
        raise OfferRefused(_l("Je kunt jezelf geen bericht sturen."), field="message")
    guard_text("subject", subject)
    guard_text("message", message)
    recipient = entry.user
    queue_mail(
        recipient.email,
        _l(
            "Bericht via Bruggen van %(name)s: %(subject)s",
            name=sender.display_name,
            subject=subject,
        ),
        "member_contact",
        language=recipient.locale,
        headers={"Reply-To": sender.email},
        user=recipient,
        sender=sender,
        topic=subject,
        message=message,
    )
    log.info("member %s wrote member %s through the directory", sender.id, recipient.id)


def export_directory_entry(user: User) -> dict | None:
    """The member's directory entry for the GDPR export (None without one)."""
    entry = entry_of(user)
    if entry is None:
        return None
    return {"is_listed": entry.is_listed, "expertise": list(entry.expertise), "about": entry.about}


def erase_directory_entry(user: User, now) -> None:
    """Remove the member's directory entry when the account is deleted (GDPR erasure)."""
    entry = entry_of(user)
    if entry is not None:
        db.session.delete(entry)
        db.session.flush()
