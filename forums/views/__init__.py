"""Views of the forums: the blueprint ``forums`` and the loaders its route modules share.

Routes: ``threads`` (the index, a forum, a thread, unread), ``posting`` (new thread,
reply, edit, delete), ``moderation`` and ``subscriptions`` (follow, mail settings,
notifications, search).
"""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from community.accounts.permissions import is_signed_in
from community.core.extensions import db, login_manager
from community.core.filters import InvalidFilter
from forums.models import Category, Forum, Post, Thread
from forums.permissions import can_read_forum

bp = Blueprint("forums", __name__)


POSTS_PER_PAGE = 20


THREADS_PER_FORUM_ON_INDEX = 5


RECENT_ON_HOME = 5


POSTS_PER_MINUTE = "5 per minute"  # issue 5, "Bad input and abuse"


def _request_cache() -> dict:
    """A dict that lives as long as the current request (``g`` may outlive it in tests)."""
    return request.environ.setdefault("bruggen.forums", {})


def forum_notification_count() -> int:
    """Unread forum notifications of the signed-in member, for the navigation (one query)."""
    if not is_signed_in(current_user):
        return 0
    cache = _request_cache()
    if "unread" not in cache:
        from forums.notifications import unread_count

        cache["unread"] = unread_count(current_user.id)
    return cache["unread"]


def _require_reader(forum: Forum) -> None:
    if can_read_forum(current_user, forum):
        return
    if forum.is_project_group:  # the project group's: no trace for others (issue 18)
        abort(404)
    if current_user.is_authenticated:
        # Signed in but not (yet) a member: the e-mail address is not verified.
        abort(403, _("Bevestig eerst je e-mailadres om de forums te lezen."))
    abort(login_manager.unauthorized())


def get_forum_or_404(slug: str) -> Forum:
    """Return the forum ``slug``; 404 when unknown, login redirect when it is for members."""
    forum = db.first_or_404(
        select(Forum).where(Forum.slug == slug).options(joinedload(Forum.categories))
    )
    _require_reader(forum)
    return forum


def get_thread_or_404(forum_slug: str, thread_id: int) -> Thread:
    """Return thread ``thread_id`` of forum ``forum_slug``; 404 or login redirect as above."""
    query = (
        select(Thread)
        .join(Thread.forum)
        .where(Thread.id == thread_id, Forum.slug == forum_slug)
        .options(
            contains_eager(Thread.forum),
            joinedload(Thread.region),
            joinedload(Thread.category),
            joinedload(Thread.event),
        )
    )
    thread = db.first_or_404(query)
    _require_reader(thread.forum)
    return thread


def get_post_or_404(post_id: int) -> Post:
    """Return post ``post_id`` with its thread and forum; 404 or login redirect as above."""
    post = db.first_or_404(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.forum), joinedload(Post.author))
    )
    _require_reader(post.thread.forum)
    return post


def category_arg(args, forum: Forum, name: str = "categorie") -> Category | None:
    """Return the category of ``forum`` with slug ``args[name]``; ``InvalidFilter`` if unknown."""
    value = args.get(name, "").strip()
    if not value:
        return None
    for category in forum.categories:
        if category.slug == value:
            return category
    raise InvalidFilter(name, value)


def thread_url(thread: Thread, **kwargs) -> str:
    """The path of ``thread``'s page; ``kwargs`` become query arguments (``pagina=2``)."""
    return url_for("forums.thread", forum_slug=thread.forum.slug, thread_id=thread.id, **kwargs)


def post_position_url(post: Post) -> str:
    """Return the URL of the thread page that shows ``post``, with its anchor."""
    before = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id <= post.id)
    )
    page = max(1, -(-before // POSTS_PER_PAGE))
    kwargs = {"pagina": page} if page > 1 else {}
    return thread_url(post.thread, _anchor=f"bericht-{post.id}", **kwargs)


from forums.views import moderation, posting, subscriptions, threads  # noqa: E402, F401  (routes on bp)
