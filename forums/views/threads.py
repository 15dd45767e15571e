"""Forum pages: the index per theme, a forum's threads, a thread; writing and permanent links."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import contains_eager, joinedload

from community.accounts.filters import region_arg
from community.accounts.models import Region
from community.accounts.permissions import is_signed_in
from community.core.db import utcnow
from community.core.extensions import db, limiter, login_manager
from community.core.filters import InvalidFilter, page_arg, whole_number
from community.core.pagecache.middleware import cached_page
from community.core.sections import register_section
from forums import activity
from forums.forms import EmptyForm, PostForm, ThreadForm
from forums.fragments import reader_fragments
from forums.models import Category, Forum, Post, Subscription, Suspension, Thread, ThreadRead
from forums.moderation import remember_suspension
from forums.notifications import mark_thread_read, notify_new_post, unread_count_query
from forums.permissions import TEMPLATE_RULES, can_moderate_thread, can_read_forum
from forums.pii_guard import find_personal_data, highlight
from forums.posting import PersonalDataFound, PostingError, mentioned_users, quote

bp = Blueprint("forums", __name__, cli_group=None)

POSTS_PER_PAGE = 20
THREADS_PER_FORUM_ON_INDEX = 5
RECENT_ON_HOME = 5
POSTS_PER_MINUTE = "5 per minute"  # issue 5, "Bad input and abuse"


@bp.record_once
def _setup(state) -> None:
    """Export the forum rules to every template; open a thread for each published activity."""
    state.app.jinja_env.globals.update(TEMPLATE_RULES)
    state.app.jinja_env.globals["forum_notification_count"] = forum_notification_count
    activity.connect()


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


def _require_reader(forum: Forum) -> None:
    if can_read_forum(current_user, forum):
        return
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
    return url_for("forums.thread", forum_slug=thread.forum.slug, thread_id=thread.id, **kwargs)


def post_position_url(post: Post) -> str:
    """Return the URL of the thread page that shows ``post``, with its anchor."""
    before = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id <= post.id)
    )
    page = max(1, -(-before // POSTS_PER_PAGE))
    kwargs = {"pagina": page} if page > 1 else {}
    return thread_url(post.thread, _anchor=f"bericht-{post.id}", **kwargs)


# --- reading ---------------------------------------------------------------------------


@bp.get("/forum")
@cached_page("forums", "members", "site")
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


# --- writing ---------------------------------------------------------------------------


def _post_rate_key() -> str:
    """Rate-limit key: the signed-in member (their id), else the remote address."""
    if is_signed_in(current_user):
        return f"user:{current_user.id}"
    return f"addr:{request.remote_addr}"


def _post_was_saved(response) -> bool:
    return bool(_request_cache().get("post_saved"))


def _too_many_posts(request_limit):
    """Re-render the form with the text and a Dutch message, status 429 (Flask-Limiter hook)."""
    message = _(
        "Je plaatste al 5 berichten in de voorbije minuut. Wacht even en verstuur dan "
        "opnieuw: je tekst staat er nog."
    )
    args = request.view_args or {}
    if request.endpoint == "forums.new_thread":
        forum = get_forum_or_404(args["slug"])
        return make_response(_thread_form_page(forum, ThreadForm(), 429, error=message))
    thread = get_thread_or_404(args["forum_slug"], args["thread_id"])
    return make_response(_reply_page(thread, PostForm(), 429, error=message))


post_limit = limiter.shared_limit(
    POSTS_PER_MINUTE,
    scope="forum-post",
    key_func=_post_rate_key,
    methods=["POST"],
    deduct_when=_post_was_saved,
    on_breach=_too_many_posts,
)


def _privacy_context(form, error: PostingError | None, *fields) -> dict:
    """Highlights of personal data per field (escaped HTML with <mark>) for a refused text."""
    if not isinstance(error, PersonalDataFound):
        return {}
    highlights = {}
    for name in fields:
        text = getattr(form, name).data or ""
        findings = find_personal_data(text)
        if findings:
            highlights[name] = highlight(text, findings)
    return {"highlights": highlights, "privacy_needed": True}


def _reply_page(thread, form, status=200, error=None, preview=None, privacy=None):
    return (
        render_template(
            "forums/reply.html",
            thread=thread,
            form=form,
            error=error,
            preview=preview,
            **(privacy or {}),
        ),
        status,
    )


def _thread_form_page(forum, form, status=200, error=None, preview=None, privacy=None):
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    form.fill_choices(forum.categories, regions)
    return (
        render_template(
            "forums/new_thread.html",
            forum=forum,
            form=form,
            error=error,
            preview=preview,
            **(privacy or {}),
        ),
        status,
    )


def _preview_html(body: str):
    from markupsafe import Markup

    from community.core.markup import render_markdown

    return Markup(render_markdown(body or ""))


@bp.route("/forum/<forum_slug>/<int:thread_id>/reageren", methods=["GET", "POST"])
@login_required
@post_limit
def reply(forum_slug, thread_id):
    from forums import posting

    thread = get_thread_or_404(forum_slug, thread_id)
    form = PostForm()
    if request.method == "GET":
        quoted = request.args.get("citeer", "")
        if whole_number(quoted) is not None:
            post = db.session.get(Post, int(quoted))
            if post is not None and post.thread_id == thread.id:
                form.body.data = quote(post)
        return _reply_page(thread, form)
    if not form.validate():
        return _reply_page(thread, form, 422)
    if "preview" in request.form:
        return _reply_page(thread, form, preview=_preview_html(form.body.data))
    try:
        post = posting.reply(
            thread, current_user, form.body.data, privacy_confirmed=form.privacy_confirmed.data
        )
        notify_new_post(post, mentioned_users(post.body))
    except PostingError as error:
        db.session.rollback()
        context = _privacy_context(form, error, "body")
        return _reply_page(thread, form, error.status, error=error.message, privacy=context)
    db.session.commit()
    _request_cache()["post_saved"] = True
    flash(_("Je reactie staat online."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


@bp.route("/forum/<slug>/nieuw", methods=["GET", "POST"])
@login_required
@post_limit
def new_thread(slug):
    from forums import posting

    forum = get_forum_or_404(slug)
    form = ThreadForm()
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    form.fill_choices(forum.categories, regions)
    if request.method == "GET" or not form.validate():
        return _thread_form_page(forum, form, 200 if request.method == "GET" else 422)
    if "preview" in request.form:
        return _thread_form_page(forum, form, preview=_preview_html(form.body.data))
    category = next((c for c in forum.categories if c.id == form.category.data), None)
    region = db.session.get(Region, form.region.data) if form.region.data else None
    try:
        thread = posting.start_thread(
            forum,
            current_user,
            form.title.data,
            form.body.data,
            category=category,
            region=region,
            privacy_confirmed=form.privacy_confirmed.data,
        )
        first = db.session.scalars(thread.posts.select()).first()
        notify_new_post(first, mentioned_users(first.body))
    except PostingError as error:
        db.session.rollback()
        context = _privacy_context(form, error, "title", "body")
        return _thread_form_page(forum, form, error.status, error=error.message, privacy=context)
    db.session.commit()
    _request_cache()["post_saved"] = True
    flash(_("Je gesprek staat online."), "success")
    return redirect(thread_url(thread), 303)


@bp.route("/forum/bericht/<int:post_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_post(post_id):
    from forums import posting

    post = get_post_or_404(post_id)
    if post.author_id != current_user.id:
        abort(403)
    form = PostForm(data={"body": post.body} if request.method == "GET" else None)
    if request.method == "GET" or not form.validate():
        return _edit_page(post, form, 200 if request.method == "GET" else 422)
    if "preview" in request.form:
        return _edit_page(post, form, preview=_preview_html(form.body.data))
    try:
        posting.edit_post(
            post, current_user, form.body.data, privacy_confirmed=form.privacy_confirmed.data
        )
    except PostingError as error:
        db.session.rollback()
        context = _privacy_context(form, error, "body")
        return _edit_page(post, form, error.status, error=error.message, privacy=context)
    db.session.commit()
    flash(_("Je bericht is bijgewerkt."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


def _edit_page(post, form, status=200, error=None, preview=None, privacy=None):
    return (
        render_template(
            "forums/edit_post.html",
            post=post,
            thread=post.thread,
            form=form,
            error=error,
            preview=preview,
            **(privacy or {}),
        ),
        status,
    )


@bp.post("/forum/bericht/<int:post_id>/verwijderen")
@login_required
def delete_post(post_id):
    from forums import posting

    post = get_post_or_404(post_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        posting.delete_post(post, current_user)
    except posting.NotYourPost:
        abort(403)
    db.session.commit()
    flash(_("Je bericht is verwijderd. De reacties erop blijven staan."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


from forums.views import moderation, subscriptions  # noqa: E402, F401  (routes on bp)
