"""Writing in the forums: new thread, reply, edit and delete a post (personal-data guard first)."""

from __future__ import annotations

from flask import (
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
from sqlalchemy import select

from community.accounts.models import Region
from community.accounts.permissions import is_signed_in
from community.core.extensions import db, limiter
from community.core.filters import whole_number
from community.core.forms import EmptyForm
from forums.forms import PostForm, ThreadForm
from forums.models import Post
from forums.notifications import notify_new_post
from forums.pii_guard import highlight
from forums.posting import PersonalDataFound, PostingError, mentioned_users, quote, render_post
from forums.views import (
    POSTS_PER_MINUTE,
    _request_cache,
    bp,
    get_forum_or_404,
    get_post_or_404,
    get_thread_or_404,
    thread_url,
)


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
    """Highlights of personal data per field (escaped HTML with <mark>) for a refused text.

    The findings come with the error (the text was scanned once, in ``forums.posting``).
    """
    if not isinstance(error, PersonalDataFound):
        return {}
    highlights = {
        name: highlight(*error.by_field[name]) for name in fields if name in error.by_field
    }
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

    return Markup(render_post(body or ""))  # as it will be saved, mentions linked


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
