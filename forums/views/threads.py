"""Reading the forums: the index, a forum's threads, a thread page, the first unread post."""

from __future__ import annotations

from flask import (
    abort,
    redirect,
    render_template,
    request,
)
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import contains_eager, joinedload

from community.accounts.filters import region_arg
from community.accounts.models import Region
from community.accounts.permissions import audience_of, is_signed_in
from community.core.db import utcnow
from community.core.extensions import db
from community.core.filters import page_arg
from community.core.forms import EmptyForm
from community.core.fragments import render_shared
from community.core.pagecache.middleware import cached_page
from forums.forms import PostForm
from forums.fragments import reader_fragments
from forums.models import Forum, Post, Subscription, Suspension, Thread, ThreadRead
from forums.moderation import remember_suspension
from forums.notifications import mark_thread_read, unread_count_query
from forums.permissions import can_moderate_thread, visible_forums_filter
from forums.views import (
    POSTS_PER_PAGE,
    RECENT_ON_HOME,
    THREADS_PER_FORUM_ON_INDEX,
    _request_cache,
    bp,
    category_arg,
    get_forum_or_404,
    get_post_or_404,
    get_thread_or_404,
    post_position_url,
    thread_url,
)


def home_section() -> dict:
    """The home page's newest threads (registered in ``forums.wiring``)."""
    query = (
        select(Thread)
        .join(Thread.forum)
        .where(Forum.is_project_group.is_(False))  # never the group's, not even for it
        .options(contains_eager(Thread.forum))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(RECENT_ON_HOME)
    )
    return {"threads": db.session.scalars(query).all()}


def event_section(event) -> dict:
    """An activity page's discussion thread (registered in ``forums.wiring``)."""
    query = select(Thread).where(Thread.event_id == event.id).options(joinedload(Thread.forum))
    return {"thread": db.session.scalar(query)}


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


@bp.get("/forum")
@cached_page("forums", "members", "site")
def index():
    # The same for everyone of the visitor's audience (issue 14).
    return render_shared(
        "forums/index.html",
        ("forums", "members", "site"),
        _index_context,
        audience=audience_of(current_user),
    )


def _index_context() -> dict:
    forums = db.session.scalars(
        select(Forum).where(visible_forums_filter(current_user)).options(joinedload(Forum.theme))
    ).all()
    return {
        "forums": sorted(forums, key=_forum_sort_key),
        "stats": _forum_stats(),
        "latest": _latest_threads_per_forum(THREADS_PER_FORUM_ON_INDEX),
    }


@bp.get("/forum/<slug>")
def forum(slug):
    forum = get_forum_or_404(slug)
    category, region = category_arg(request.args, forum), region_arg(request.args)
    query = (
        select(Thread)
        .where(Thread.forum_id == forum.id)
        .options(
            joinedload(Thread.author),
            joinedload(Thread.last_poster),
            joinedload(Thread.category),
            joinedload(Thread.region),
        )
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )
    if category is not None:
        query = query.where(Thread.category_id == category.id)
    if region is not None:
        query = query.where(Thread.region_id == region.id)
    unread: dict[int, tuple[int, int]] = {}  # thread id: (first unread post id, its page)
    if is_signed_in(current_user):
        read_up_to = func.coalesce(ThreadRead.last_read_post_id, 0)
        first_unread = (
            select(func.min(Post.id))
            .where(Post.thread_id == Thread.id, Post.id > read_up_to)
            .correlate(Thread, ThreadRead)
            .scalar_subquery()
        )
        seen = (
            select(func.count(Post.id))
            .where(Post.thread_id == Thread.id, Post.id <= read_up_to)
            .correlate(Thread, ThreadRead)
            .scalar_subquery()
        )
        query = query.outerjoin(
            ThreadRead,
            and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == current_user.id),
        ).add_columns(first_unread, seen)
        rows = db.session.execute(query).unique().all()
        threads = [row[0] for row in rows]
        unread = {
            thread.id: (first, count // POSTS_PER_PAGE + 1)
            for thread, first, count in rows
            if first is not None
        }
    else:
        threads = db.session.scalars(query).unique().all()
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    return render_template(
        "forums/forum.html",
        forum=forum,
        threads=threads,
        unread=unread,
        category=category,
        region=region,
        regions=regions,
    )


def _member_state(user_id: int, thread_id: int) -> dict:
    """Read in one query: last read post, watching, unread notices (all, here), suspension."""
    from forums.models import Notification

    now = utcnow()
    last_read_id = (
        select(ThreadRead.last_read_post_id)
        .where(ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            last_read_id,
            exists()
            .where(Subscription.user_id == user_id, Subscription.thread_id == thread_id)
            .correlate(None),
            unread_count_query(user_id),
            select(func.count(Notification.id))
            .where(
                Notification.user_id == user_id,
                Notification.thread_id == thread_id,
                Notification.read_at.is_(None),
            )
            .scalar_subquery(),
            select(func.max(Suspension.ends_at))
            .where(Suspension.user_id == user_id, Suspension.ends_at > now)
            .scalar_subquery(),
            select(func.min(Post.id))
            .where(Post.thread_id == thread_id, Post.id > func.coalesce(last_read_id, 0))
            .scalar_subquery(),
            select(func.count(Post.id))
            .where(Post.thread_id == thread_id, Post.id <= func.coalesce(last_read_id, 0))
            .scalar_subquery(),
        )
    ).one()
    last_read, watching, unread, unread_here, suspended_until, first_unread, seen = row
    return {
        "first_unread": first_unread,
        "first_unread_page": seen // POSTS_PER_PAGE + 1,
        "last_read": last_read,
        "has_read_row": last_read is not None,
        "watching": bool(watching),
        "unread": unread,
        "unread_here": unread_here,
        "suspended_until": suspended_until,
    }


def _upsert_thread_read(user_id: int, thread_id: int, post_id: int) -> None:
    """Record that ``user_id`` saw ``thread_id`` up to ``post_id`` (never moves back)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ThreadRead).values(
        user_id=user_id, thread_id=thread_id, last_read_post_id=post_id, read_at=utcnow()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "thread_id"],
        set_={
            "last_read_post_id": func.max(ThreadRead.last_read_post_id, post_id)
            if db.engine.dialect.name == "sqlite"
            else func.greatest(ThreadRead.last_read_post_id, post_id),
            "read_at": statement.excluded.read_at,
        },
    )
    db.session.execute(statement)


def _page_of_posts(in_thread, offset: int, total: int, last_id: int | None) -> list[Post]:
    """The posts ``offset`` to ``offset + POSTS_PER_PAGE`` of a thread in the order written.

    ``total`` and ``last_id`` are the thread's number of posts and its highest post id,
    read in one statement. A page in the second half of the thread is read backwards
    from ``last_id`` (issue 14: the last page of a 32,000-post thread skipped 31,980
    rows, 85 ms), so the pages people open most, the first and the last, skip almost
    nothing; posts added since ``total`` was read (ids above ``last_id``) stay out, as
    they would going forwards.
    """
    query = select(Post).where(in_thread).options(joinedload(Post.author))
    if offset * 2 <= total or last_id is None:
        query = query.order_by(Post.id).limit(POSTS_PER_PAGE).offset(offset)
        return list(db.session.scalars(query))
    shown = min(POSTS_PER_PAGE, total - offset)
    from_end = total - offset - shown
    query = query.where(Post.id <= last_id).order_by(Post.id.desc()).limit(shown)
    return list(reversed(db.session.scalars(query.offset(from_end)).all()))


@bp.get("/forum/<forum_slug>/<int:thread_id>")
def thread(forum_slug, thread_id):
    thread = get_thread_or_404(forum_slug, thread_id)
    page = page_arg(request.args)
    in_thread = Post.thread_id == thread.id
    total, last_id = db.session.execute(
        select(func.count(Post.id), func.max(Post.id)).where(in_thread)
    ).one()
    pages = max(1, -(-total // POSTS_PER_PAGE))
    if page > pages:
        abort(404)
    posts = _page_of_posts(in_thread, (page - 1) * POSTS_PER_PAGE, total, last_id)
    state = _read_thread(thread, posts)
    moderator = can_moderate_thread(current_user, thread)
    fragments, keep_fragment = reader_fragments(
        current_user, thread, posts, page, moderator=moderator
    )
    html = render_template(
        "forums/thread.html",
        thread=thread,
        posts=posts,
        page=page,
        pages=pages,
        total=total,
        state=state,
        fragments=fragments,
        keep_fragment=keep_fragment,
        moderator=moderator,
        form=PostForm(formdata=None),
        button=EmptyForm(),
    )
    db.session.commit()  # after rendering, so the shown objects need no reload
    return html


def _read_thread(thread: Thread, posts: list[Post]) -> dict:
    """For a signed-in member: load their state and mark the shown posts read (no commit)."""
    if not is_signed_in(current_user):
        return {}
    state = _member_state(current_user.id, thread.id)
    remember_suspension(current_user.id, state["suspended_until"])
    _request_cache()["unread"] = state["unread"] - state["unread_here"]
    last_shown = posts[-1].id if posts else 0
    if last_shown > (state["last_read"] or 0) or not state["has_read_row"]:
        _upsert_thread_read(current_user.id, thread.id, last_shown)
    if state["unread_here"]:
        mark_thread_read(current_user.id, thread.id)
    return state


@bp.get("/forum/bericht/<int:post_id>")
def post_link(post_id):
    post = get_post_or_404(post_id)
    return redirect(post_position_url(post))


@bp.get("/forum/<forum_slug>/<int:thread_id>/ongelezen")
@login_required
def first_unread(forum_slug, thread_id):
    thread = get_thread_or_404(forum_slug, thread_id)
    last_read = db.session.scalar(
        select(ThreadRead.last_read_post_id).where(
            ThreadRead.user_id == current_user.id, ThreadRead.thread_id == thread.id
        )
    )
    post = db.session.scalar(
        select(Post)
        .where(Post.thread_id == thread.id, Post.id > (last_read or 0))
        .order_by(Post.id)
        .limit(1)
        .options(joinedload(Post.thread).joinedload(Thread.forum))
    )
    if post is None:
        return redirect(thread_url(thread, _anchor="reageren"))
    return redirect(post_position_url(post))
