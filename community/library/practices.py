"""Good practices: submitting a record, review by the region's coordinators, the overview.

States (issue 6, "Good practices"): ``draft`` (the author writes) →
``in_review`` (submitted) → ``published`` (by a coordinator of the region, or
an admin) → ``archived``. A coordinator may also send a submitted record back
to ``draft`` with a note; the author gets the note by mail in their language.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select

from community.accounts.models import SECTOR_VALUES, Organisation, Region, Theme, User
from community.accounts.permissions import (
    can_coordinate_in,
    can_post,
    coordinated_filter,
    is_signed_in,
)
from community.core.db import utcnow
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.mail.outbox import queue_mail
from community.core.storage.hooks import release_file, store_file
from community.library.materials import unique_slug
from community.library.models import (
    PRACTICE_STATUS_LABELS,
    Practice,
    PracticeAttachment,
    PracticeStatus,
    practice_themes,
)
from community.library.uploads import CheckedFile, UploadRefused, check_web_link

log = logging.getLogger(__name__)

MAX_LINKS = 10
MAX_PARTNERS = 30


class PracticeStateError(ValueError):
    """The practice is not in a state that allows this step; ``message`` is shown (409)."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


# --- permissions -------------------------------------------------------------------


def can_review_practice(user, practice: Practice) -> bool:
    """True for admins and the coordinators of the practice's region (publish, archive).

    The region rule is ``can_coordinate_in``: a practice of no region, or of the
    network-wide pseudo-region, is reviewed by that pseudo-region's coordinators.
    """
    return can_coordinate_in(user, practice.region_id)


def is_author(user, practice: Practice) -> bool:
    """True when ``user`` (signed in) wrote ``practice``."""
    return is_signed_in(user) and practice.author_id is not None and practice.author_id == user.id


def can_view_practice(user, practice: Practice) -> bool:
    """True when ``user`` may see ``practice``: published ones for all, others for author and
    reviewers."""
    if practice.status == PracticeStatus.PUBLISHED:
        return True
    return is_author(user, practice) or can_review_practice(user, practice)


def can_edit_practice(user, practice: Practice) -> bool:
    """True for reviewers always, and for the (verified) author while it is a draft."""
    if can_review_practice(user, practice):
        return True
    return practice.status == PracticeStatus.DRAFT and is_author(user, practice) and can_post(user)


def can_submit_practice(user) -> bool:
    """True when ``user`` may submit a practice: a signed-in member with a verified e-mail."""
    return can_post(user)


def own_or_reviewable_filter(user) -> ColumnElement[bool]:
    """WHERE clause: unpublished practices ``user`` wrote or may review (none when anonymous)."""
    if not is_signed_in(user):
        return Practice.id.is_(None)
    clauses = [Practice.author_id == user.id, coordinated_filter(user, Practice.region_id)]
    return (Practice.status != PracticeStatus.PUBLISHED) & or_(*clauses)


# --- the record ------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeFields:
    """The fields of a practice record, as the form gives them (texts already stripped)."""

    title: str
    region: Region | None
    summary: str = ""
    themes: Sequence[Theme] = ()
    age_group: str = ""
    target_group: str = ""
    partners: str = ""  # one organisation per line
    partner_sectors: Sequence[str] = ()
    approach: str = ""
    results: str = ""
    needs: str = ""
    contact_organisation: Organisation | None = None
    contact_name: str = ""
    contact_address: str = ""
    contact_email: str = ""
    contact_website: str = ""
    links: str = ""  # one web address per line


def parse_links(text: str) -> list[str]:
    """Return the web addresses of ``text`` (one per line, empty lines skipped).

    Raises ``UploadRefused`` naming the first line that is not an http(s)
    link, or when there are more than :data:`MAX_LINKS`.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise UploadRefused(_l("Geef hoogstens %(n)d koppelingen.", n=MAX_LINKS), "links")
    links = []
    for number, line in enumerate(lines, start=1):
        try:
            links.append(check_web_link(line))
        except UploadRefused:
            raise UploadRefused(
                _l(
                    "Koppeling %(n)d is geen webadres dat begint met https:// of http://.",
                    n=number,
                ),
                "links",
            ) from None
    return links


def _apply(practice: Practice, fields: PracticeFields) -> None:
    practice.title = fields.title.strip()
    practice.region = fields.region
    practice.summary = fields.summary.strip()
    practice.themes = list(fields.themes)
    practice.age_group = fields.age_group.strip()
    practice.target_group = fields.target_group.strip()
    partners = [line.strip() for line in fields.partners.splitlines() if line.strip()]
    practice.partners = partners[:MAX_PARTNERS]
    practice.partner_sectors = [s for s in fields.partner_sectors if s in SECTOR_VALUES]
    practice.approach = fields.approach.strip()
    practice.results = fields.results.strip()
    practice.needs = fields.needs.strip()
    practice.contact_organisation = fields.contact_organisation
    practice.contact_name = fields.contact_name.strip()
    practice.contact_address = fields.contact_address.strip()
    practice.contact_email = fields.contact_email.strip()
    website = fields.contact_website.strip()
    try:
        practice.contact_website = check_web_link(website) if website else ""
    except UploadRefused as error:
        raise UploadRefused(error.message, "contact_website") from None
    practice.links = parse_links(fields.links)


def create_practice(author: User, fields: PracticeFields) -> Practice:
    """Add a draft practice written by ``author`` and return it (flushed).

    Raises ``UploadRefused`` for a link or website that is not http(s).
    """
    practice = Practice(
        slug=unique_slug(Practice, fields.title), author=author, status=PracticeStatus.DRAFT
    )
    _apply(practice, fields)
    db.session.add(practice)
    db.session.flush()
    log.info("practice %s drafted by user %s", practice.slug, author.id)
    return practice


def update_practice(practice: Practice, fields: PracticeFields) -> None:
    """Change the record of ``practice`` (any state; permission is the caller's). Flushes.

    Takes ``practice``'s row lock first: the form sent twice at once saves twice, in turn.
    """
    lock_for_update(practice)
    _apply(practice, fields)
    db.session.flush()
    log.info("practice %s edited", practice.slug)


def add_practice_attachment(
    practice: Practice, uploader: User | None, upload: CheckedFile
) -> PracticeAttachment:
    """Attach the accepted file ``upload`` to ``practice`` (file first, then the row; flushed)."""
    attachment = PracticeAttachment(
        file_key=store_file(db.session, upload.data),
        file_name=upload.name,
        content_type=upload.kind.mime,
        size=upload.size,
        uploader=uploader,
    )
    practice.attachments.append(attachment)
    db.session.flush()
    log.info("practice %s: attachment added", practice.slug)
    return attachment


def remove_practice_attachment(attachment: PracticeAttachment) -> None:
    """Delete ``attachment``; its file goes after the commit when no row refers to it."""
    key = attachment.file_key
    db.session.delete(attachment)
    db.session.flush()
    release_file(db.session, key)


# --- review ------------------------------------------------------------------------


def _require(practice: Practice, *states: PracticeStatus) -> None:
    if practice.status not in states:
        raise PracticeStateError(
            _l(
                "Dit praktijkvoorbeeld is %(state)s; die stap kan nu niet.",
                state=PRACTICE_STATUS_LABELS[PracticeStatus(practice.status)],
            )
        )


def submit_practice(practice: Practice) -> None:
    """Move a draft to ``in_review``. Raises :class:`PracticeStateError` for other states."""
    _require(practice, PracticeStatus.DRAFT)
    practice.status = PracticeStatus.IN_REVIEW
    practice.submitted_at = utcnow()
    db.session.flush()
    log.info("practice %s submitted for review", practice.slug)


def _mail_author(practice: Practice, subject, note: str) -> None:
    author = practice.author
    if author is None or not author.is_active:
        return
    path = current_app.url_map.bind("localhost").build("library.practice", {"slug": practice.slug})
    queue_mail(
        author.email,
        subject,
        "practice_reviewed",
        language=author.locale,
        user=author,
        practice=practice,
        note=note,
        status=practice.status,
        path=path,
    )


def publish_practice(practice: Practice, reviewer: User, note: str = "") -> None:
    """Publish a submitted (or draft) practice and mail the author the ``note``.

    Raises :class:`PracticeStateError` when it is already published or archived.
    """
    _require(practice, PracticeStatus.IN_REVIEW, PracticeStatus.DRAFT)
    now = utcnow()
    practice.status = PracticeStatus.PUBLISHED
    practice.review_note = (note or "").strip()
    practice.reviewed_by = reviewer
    practice.reviewed_at = practice.published_at = now
    db.session.flush()
    _mail_author(practice, _l("Je praktijkvoorbeeld is gepubliceerd"), practice.review_note)
    log.info("practice %s published by user %s", practice.slug, reviewer.id)


def send_back_practice(practice: Practice, reviewer: User, note: str) -> None:
    """Return a submitted practice to its author as a draft, with a (required) ``note`` by mail.

    Raises :class:`PracticeStateError` when it is not in review, or when ``note`` is empty.
    """
    _require(practice, PracticeStatus.IN_REVIEW)
    if not (note or "").strip():
        raise PracticeStateError(_l("Schrijf de indiener wat er nog moet veranderen."))
    practice.status = PracticeStatus.DRAFT
    practice.review_note = note.strip()
    practice.reviewed_by = reviewer
    practice.reviewed_at = utcnow()
    db.session.flush()
    _mail_author(practice, _l("Je praktijkvoorbeeld: opmerkingen"), practice.review_note)
    log.info("practice %s sent back by user %s", practice.slug, reviewer.id)


def archive_practice(practice: Practice, reviewer: User) -> None:
    """Archive a published practice (no longer listed). Raises :class:`PracticeStateError`."""
    _require(practice, PracticeStatus.PUBLISHED)
    practice.status = PracticeStatus.ARCHIVED
    practice.reviewed_by = reviewer
    practice.reviewed_at = utcnow()
    db.session.flush()
    log.info("practice %s archived by user %s", practice.slug, reviewer.id)


# --- overview ----------------------------------------------------------------------


def practice_counts() -> dict[tuple[int | None, int | None], int]:
    """Return the number of published practices per (region id, theme id), in one query.

    A practice with two themes counts in both columns; one without themes
    counts under theme id None. Issue 6: "an overview per region".
    """
    query = (
        select(Practice.region_id, practice_themes.c.theme_id, func.count(Practice.id))
        .select_from(Practice)
        .outerjoin(practice_themes, practice_themes.c.practice_id == Practice.id)
        .where(Practice.status == PracticeStatus.PUBLISHED)
        .group_by(Practice.region_id, practice_themes.c.theme_id)
    )
    return {(region_id, theme_id): n for region_id, theme_id, n in db.session.execute(query)}
