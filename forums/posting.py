"""Writing in the forums: start a thread, reply, edit and delete a post, quote, mentions.

Domain functions check the rules of issue 5 ("Bad input and abuse", "Privacy
guard") and raise a ``PostingError`` the view turns into a message with the
text kept. They add and flush; the view commits. Notifications of subscribers
and mentioned members are queued by ``forums.notifications.notify_new_post``.
"""

from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from community.accounts.models import Region, User
from community.accounts.permissions import can_post
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.markup import MENTION as MENTION_PATTERN
from community.core.markup import render_markdown
from community.core.text import fold, one_line
from community.core.text import slugify as text_slugify
from forums.models import (
    Category,
    Forum,
    Post,
    PostRevision,
    PrivacyOverride,
    Subscription,
    Thread,
)
from forums.permissions import can_moderate_thread, is_suspended
from forums.pii_guard import Finding, find_personal_data, finding_kinds

log = logging.getLogger(__name__)

MAX_POST_LENGTH = 20_000  # characters (issue 5, "Bad input and abuse")
MAX_TITLE_LENGTH = 300


class PostingError(DomainError):
    """The text cannot be saved; ``message`` says why, in the reader's language."""

    text = _l("Dit bericht kan niet worden opgeslagen.")
    status = 422


class EmptyPost(PostingError):
    """The text is empty (422)."""

    text = _l("Je bericht is leeg. Schrijf eerst iets.")


class PostTooLong(PostingError):
    """The text is longer than MAX_POST_LENGTH characters (422)."""

    text = _l("Je bericht is te lang: hoogstens 20.000 tekens.")


class EmptyTitle(PostingError):
    """A new thread without a title (422)."""

    text = _l("Geef het gesprek een titel.")


class TitleTooLong(PostingError):
    """A title longer than MAX_TITLE_LENGTH characters (422)."""

    text = _l("Een titel is hoogstens 300 tekens lang.")


class NotAllowedToPost(PostingError):
    """The author's e-mail address is not verified (403; issue 2)."""

    status = 403
    text = _l("Bevestig eerst je e-mailadres: pas daarna kan je berichten plaatsen.")


class MemberSuspended(PostingError):
    """The author is suspended from the forums (403)."""

    status = 403
    text = _l("Je bent tijdelijk geschorst en kan geen berichten plaatsen.")


class ThreadLocked(PostingError):
    """The thread is locked; only moderators reply (409)."""

    status = 409
    text = _l("Dit gesprek is gesloten: er kunnen geen reacties meer bij.")


class NotYourPost(PostingError):
    """Only a post's author edits or deletes it (403)."""

    status = 403
    text = _l("Je kan alleen je eigen berichten bewerken of verwijderen.")


class PersonalDataFound(PostingError):
    """The text seems to hold identifying data.

    ``by_field`` maps each field that holds some ("title", "body") to ``(text,
    findings)``: the text as checked and what was found where, so the view can mark
    it without scanning again. ``findings`` are those of the body (else all).
    """

    text = _l(
        "Je tekst lijkt persoonsgegevens te bevatten (aangeduid in het geel). "
        "Maak ze anoniem: schrijf bijvoorbeeld „een leerling van 10” in plaats van "
        "een naam, geboortedatum of adres."
    )

    def __init__(self, by_field: dict[str, tuple[str, list[Finding]]]) -> None:
        super().__init__()
        self.by_field = by_field
        everything = [finding for _, found in by_field.values() for finding in found]
        self.findings = by_field["body"][1] if "body" in by_field else everything


# --- checks ---------------------------------------------------------------------------


def _check_author(user: User) -> None:
    if not can_post(user):
        raise NotAllowedToPost()
    if is_suspended(user):
        raise MemberSuspended()


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise EmptyPost()
    if len(body) > MAX_POST_LENGTH:
        raise PostTooLong()
    return body


def _clean_title(title: str) -> str:
    title = one_line(title or "")
    if not title:
        raise EmptyTitle()
    if len(title) > MAX_TITLE_LENGTH:
        raise TitleTooLong()
    return title


def _guard_privacy(texts: dict[str, str], privacy_confirmed: bool) -> list[Finding]:
    """Raise ``PersonalDataFound`` unless no data is found or the author confirmed.

    ``texts`` maps field names ("title", "body") to the cleaned text; each is scanned
    once (``forums.pii_guard``). Returns the findings that the author confirmed (empty
    when none).
    """
    by_field = {name: (text, find_personal_data(text)) for name, text in texts.items()}
    by_field = {name: found for name, found in by_field.items() if found[1]}
    findings = [finding for _, found in by_field.values() for finding in found]
    if findings and not privacy_confirmed:
        raise PersonalDataFound(by_field)
    return findings


def _log_override(user: User, post: Post, findings: list[Finding]) -> None:
    if findings:
        kinds = ",".join(finding_kinds(findings))
        db.session.flush()
        db.session.add(PrivacyOverride(user_id=user.id, post_id=post.id, kinds=kinds))
        log.info("privacy guard overridden by user %s (%s)", user.id, kinds)


# --- slugs and subscriptions ------------------------------------------------------------


def slugify(text: str, max_length: int = 160) -> str:
    """Return a lowercase ASCII slug of ``text`` (accents dropped), at most ``max_length``."""
    return text_slugify(text, max_length=max_length, fallback="gesprek")


def watch_thread(user: User, thread: Thread) -> Subscription:
    """Subscribe ``user`` to ``thread`` unless already subscribed; return the subscription."""
    db.session.flush()
    existing = db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == user.id, Subscription.thread_id == thread.id
        )
    )
    if existing is not None:
        return existing
    subscription = Subscription(user_id=user.id, thread_id=thread.id)
    db.session.add(subscription)
    return subscription


# --- writing -----------------------------------------------------------------------------


def _new_post(thread: Thread, author: User, body: str) -> Post:
    now = utcnow()
    post = Post(
        thread=thread, author=author, body=body, body_html=render_post(body), created_at=now
    )
    db.session.add(post)
    thread.post_count = (thread.post_count or 0) + 1
    thread.last_post_at = now
    thread.last_poster = author
    return post


def start_thread(
    forum: Forum,
    author: User,
    title: str,
    body: str,
    *,
    category: Category | None = None,
    region: Region | None = None,
    privacy_confirmed: bool = False,
) -> Thread:
    """Open a thread in ``forum`` with ``body`` as its first post; return the thread.

    The author watches the new thread. Raises ``NotAllowedToPost``,
    ``MemberSuspended``, ``EmptyTitle``/``TitleTooLong``, ``EmptyPost``/
    ``PostTooLong``, or ``PersonalDataFound`` (title and body are checked)
    unless ``privacy_confirmed`` (the author ticked that the data is not about a
    child or family; the tick is logged as a ``PrivacyOverride``).
    """
    _check_author(author)
    title = _clean_title(title)
    body = _clean_body(body)
    if category is not None and category.forum_id != forum.id:
        category = None
    findings = _guard_privacy({"title": title, "body": body}, privacy_confirmed)
    thread = Thread(
        forum=forum,
        title=title,
        slug=slugify(title),
        author=author,
        category=category,
        region=region,
        post_count=0,
    )
    db.session.add(thread)
    post = _new_post(thread, author, body)
    _log_override(author, post, findings)
    db.session.flush()
    watch_thread(author, thread)
    db.session.flush()
    log.info("thread %s opened in forum %s by user %s", thread.id, forum.slug, author.id)
    return thread


def reply(thread: Thread, author: User, body: str, *, privacy_confirmed: bool = False) -> Post:
    """Add ``body`` as a post by ``author`` to ``thread``; return the post.

    The author then watches the thread. Raises ``NotAllowedToPost``,
    ``MemberSuspended``, ``ThreadLocked`` (moderators may still reply),
    ``EmptyPost``, ``PostTooLong`` or ``PersonalDataFound`` (see ``start_thread``).
    """
    _check_author(author)
    if thread.is_locked and not can_moderate_thread(author, thread):
        raise ThreadLocked()
    body = _clean_body(body)
    findings = _guard_privacy({"body": body}, privacy_confirmed)
    # Count in SQL so two replies at once both count (no lost update).
    post = _new_post(thread, author, body)
    db.session.flush()
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(
            post_count=select(func.count(Post.id))
            .where(Post.thread_id == thread.id)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    _log_override(author, post, findings)
    watch_thread(author, thread)
    db.session.flush()
    log.info("post %s added to thread %s by user %s", post.id, thread.id, author.id)
    return post


def edit_post(post: Post, editor: User, body: str, *, privacy_confirmed: bool = False) -> None:
    """Replace the text of ``post`` by ``body``; the earlier text is kept as a revision.

    Only the author edits (``NotYourPost`` otherwise, also for a deleted or
    hidden post); the other errors as in ``reply``. An unchanged text is no edit.
    """
    if post.author_id != editor.id or post.is_deleted or post.is_hidden:
        raise NotYourPost()
    _check_author(editor)
    if post.thread.is_locked and not can_moderate_thread(editor, post.thread):
        raise ThreadLocked()
    body = _clean_body(body)
    if body == post.body:
        return
    findings = _guard_privacy({"body": body}, privacy_confirmed)
    db.session.add(PostRevision(post_id=post.id, body=post.body, editor_id=editor.id))
    post.body = body
    post.body_html = render_post(body)
    post.edited_at = utcnow()
    _log_override(editor, post, findings)
    db.session.flush()
    log.info("post %s edited by user %s", post.id, editor.id)


def delete_post(post: Post, user: User) -> None:
    """Mark ``post`` as removed by its author; it shows as removed and replies stay.

    Raises ``NotYourPost`` when ``user`` did not write it.
    """
    if post.author_id != user.id:
        raise NotYourPost()
    post.is_deleted = True
    db.session.flush()
    log.info("post %s deleted by its author %s", post.id, user.id)


def quote(post: Post) -> str:
    """Return the Markdown that quotes ``post`` at the start of a reply.

    A deleted or hidden post gives an empty string (nothing to quote).
    """
    if not post.is_visible:
        return ""
    name = post.author.display_name if post.author else "een voormalig lid"
    lines = [f"> **{name}** schreef:", ">"]
    lines += [f"> {line}" if line.strip() else ">" for line in post.body.strip().splitlines()]
    return "\n".join(lines) + "\n\n"


# --- mentions ---------------------------------------------------------------------------

MENTION = re.compile(MENTION_PATTERN)
# Where a mention links to: the member's posts (the forum search by author). Bruggen has
# no member profile page; their posts are what the forum can show of a member.
MEMBER_POSTS_URL = "/forum/zoeken?auteur={id}"


def mention_handle(user: User) -> str:
    """Return the handle by which ``user`` is mentioned: ``@`` + the display name, spaces as dots.

    "An Vermeulen" is ``@an.vermeulen``; accents and case are folded away
    (``community.core.text.fold``: "Coördinator" is ``@coordinator``), every run of
    other characters is one dot.
    """
    return re.sub(r"[^a-z0-9]+", ".", fold(user.display_name)).strip(".")


def mentioned_users(body: str) -> list[User]:
    """Return the active members mentioned as ``@handle`` in ``body`` (see ``mention_handle``).

    Mentions inside code (between backticks) count too; an unknown handle is ignored.
    Candidates are found by the folded name (``User.search_name``), the same fold on
    SQLite and PostgreSQL, then the handle is compared exactly.
    """
    handles = {fold(match) for match in MENTION.findall(body or "")}
    if not handles:
        return []
    patterns = [User.search_name.like(re.sub(r"[._-]+", "%", handle) + "%") for handle in handles]
    candidates = db.session.scalars(
        select(User).where(User.is_active.is_(True), or_(*patterns))
    ).all()
    return [user for user in candidates if mention_handle(user) in handles]


def render_post(body: str) -> str:
    """Return the sanitised HTML of a post's Markdown ``body``, mentions linked.

    Each ``@handle`` of an active member (:func:`mentioned_users`) links to that member's
    posts (:data:`MEMBER_POSTS_URL`); an unknown handle stays text. Rendered when the
    post is saved, so the link names the member by id and survives a change of name.
    """
    links = {mention_handle(u): MEMBER_POSTS_URL.format(id=u.id) for u in mentioned_users(body)}
    return render_markdown(body, mentions=links)
