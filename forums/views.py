"""Forum pages: the index per theme, a forum's threads, a thread."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from community.extensions import db, login_manager
from community.filters import InvalidFilter
from community.sections import register_section
from forums.models import Forum, Post, Thread
from forums.permissions import TEMPLATE_RULES, can_read_forum

bp = Blueprint("forums", __name__)

POSTS_PER_PAGE = 20
THREADS_PER_FORUM_ON_INDEX = 5
RECENT_ON_HOME = 5


@bp.record_once
def _setup(state) -> None:
    """Export the forum rules to every template."""
    state.app.jinja_env.globals.update(TEMPLATE_RULES)


def _home_section() -> dict:
    query = (
        select(Thread)
        .options(joinedload(Thread.forum))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(RECENT_ON_HOME)
    )
    return {"threads": db.session.scalars(query).all()}


def _event_section(event) -> dict:
    query = select(Thread).where(Thread.event_id == event.id).options(joinedload(Thread.forum))
    return {"thread": db.session.scalar(query)}


register_section("home", "forums/_home_recent.html", _home_section, order=20)
register_section("event", "forums/_event_thread.html", _event_section, order=10)


def _forum_sort_key(forum: Forum) -> tuple:
    """Theme 1, theme 2, then the general forum (no theme); ``position`` within."""
    return (forum.theme is None, forum.theme.number if forum.theme else 0, forum.position)


def _latest_threads_per_forum(limit: int) -> dict[int, list[Thread]]:
    """Return the ``limit`` most recent threads of each forum (pinned first), in one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=Thread.forum_id,
            order_by=(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Thread.id, rank).subquery()
    query = (
        select(Thread)
        .join(ranked, ranked.c.id == Thread.id)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.rank)
    )
    result: dict[int, list[Thread]] = {}
    for thread in db.session.scalars(query):
        result.setdefault(thread.forum_id, []).append(thread)
    return result


def _forum_stats() -> dict[int, tuple[int, object]]:
    """Return {forum id: (number of threads, last activity)}."""
    query = select(Thread.forum_id, func.count(Thread.id), func.max(Thread.last_post_at)).group_by(
        Thread.forum_id
    )
    return {forum_id: (count, last) for forum_id, count, last in db.session.execute(query)}


def get_forum_or_404(slug: str) -> Forum:
    """Return the forum ``slug``; 404 when unknown, login redirect when it is for members."""
    forum = db.first_or_404(select(Forum).where(Forum.slug == slug))
    if not can_read_forum(current_user, forum):
        abort(login_manager.unauthorized())
    return forum


def get_thread_or_404(forum_slug: str, thread_id: int) -> Thread:
    """Return thread ``thread_id`` of forum ``forum_slug``; 404 or login redirect as above."""
    query = (
        select(Thread)
        .join(Thread.forum)
        .where(Thread.id == thread_id, Forum.slug == forum_slug)
        .options(contains_eager(Thread.forum), joinedload(Thread.region))
    )
    thread = db.first_or_404(query)
    if not can_read_forum(current_user, thread.forum):
        abort(login_manager.unauthorized())
    return thread


def page_arg(args, name: str = "pagina") -> int:
    """Return the page number in ``args[name]`` (1 when absent); ``InvalidFilter`` when not ≥ 1."""
    value = args.get(name, "1").strip() or "1"
    if not value.isdigit() or int(value) < 1:
        raise InvalidFilter(name, value)
    return int(value)


@bp.get("/forum")
def index():
    forums = db.session.scalars(select(Forum).options(joinedload(Forum.theme))).all()
    return render_template(
        "forums/index.html",
        forums=sorted(forums, key=_forum_sort_key),
        stats=_forum_stats(),
        latest=_latest_threads_per_forum(THREADS_PER_FORUM_ON_INDEX),
    )


@bp.get("/forum/<slug>")
def forum(slug):
    forum = get_forum_or_404(slug)
    query = (
        select(Thread)
        .where(Thread.forum_id == forum.id)
        .options(joinedload(Thread.author), joinedload(Thread.last_poster))
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )
    return render_template(
        "forums/forum.html", forum=forum, threads=db.session.scalars(query).all()
    )


@bp.get("/forum/<forum_slug>/<int:thread_id>")
def thread(forum_slug, thread_id):
    thread = get_thread_or_404(forum_slug, thread_id)
    page = page_arg(request.args)
    in_thread = Post.thread_id == thread.id
    total = db.session.scalar(select(func.count(Post.id)).where(in_thread))
    pages = max(1, -(-total // POSTS_PER_PAGE))
    if page > pages:
        abort(404)
    query = (
        select(Post)
        .where(in_thread)
        .options(joinedload(Post.author))
        .order_by(Post.id)
        .limit(POSTS_PER_PAGE)
        .offset((page - 1) * POSTS_PER_PAGE)
    )
    posts = db.session.scalars(query).all()
    return render_template(
        "forums/thread.html", thread=thread, posts=posts, page=page, pages=pages, total=total
    )
