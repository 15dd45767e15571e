"""Watching, notifications, mail preference, one-click unsubscribe, search and the digest CLI."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Region, Theme, User
from community.core.extensions import csrf, db
from community.core.filters import InvalidFilter, page_arg, whole_number
from community.core.forms import EmptyForm
from community.core.tokens import TokenExpired, TokenInvalid
from forums import notifications as notices
from forums import subscriptions
from forums.forms import PreferenceForm
from forums.models import Category, Forum, MailMode, Notification, Post, Subscription, Thread
from forums.permissions import can_read_forum
from forums.search import search_posts
from forums.views import bp

NOTIFICATIONS_SHOWN = 50


def _watch_target(kind: str, target_id: str):
    """Return (thread, category, forum) for a watch request; 404 unknown, login/403 unreadable."""
    if whole_number(target_id) is None:
        abort(400)
    model = {"gesprek": Thread, "categorie": Category, "forum": Forum}[kind]
    target = db.get_or_404(model, int(target_id))
    forum = target if kind == "forum" else target.forum
    if not can_read_forum(current_user, forum):
        abort(403)
    return (
        target if kind == "gesprek" else None,
        target if kind == "categorie" else None,
        target if kind == "forum" else None,
    )


WATCH_URL = (
    "/forum/<any(gesprek,categorie,forum):kind>/<target_id>/<any(volgen,'niet-volgen'):action>"
)


@bp.post(WATCH_URL)
@login_required
def watch(kind, target_id, action):
    thread, category, forum = _watch_target(kind, target_id)
    if not EmptyForm().validate():
        abort(400)
    if action == "volgen":
        subscriptions.subscribe(current_user, thread=thread, category=category, forum=forum)
        message = _("Je volgt dit nu: nieuwe berichten krijg je als melding.")
    else:
        subscriptions.stop_watching(current_user, thread=thread, category=category, forum=forum)
        message = _("Je volgt dit niet meer.")
    db.session.commit()
    flash(message, "success")
    target = thread or category or forum
    back = _watch_back_url(thread, category, forum) if target else url_for("forums.index")
    return redirect(back, 303)


def _watch_back_url(thread, category, forum) -> str:
    if thread is not None:
        return url_for("forums.thread", forum_slug=thread.forum.slug, thread_id=thread.id)
    if category is not None:
        return url_for("forums.forum", slug=category.forum.slug, categorie=category.slug)
    return url_for("forums.forum", slug=forum.slug)


@bp.route("/forum/meldingen", methods=["GET", "POST"])
@login_required
def notifications():
    form = PreferenceForm(data={"mail_mode": subscriptions.mail_mode(current_user).value})
    if request.method == "POST":
        form = PreferenceForm()
        if form.validate():
            subscriptions.set_mail_mode(current_user, MailMode(form.mail_mode.data))
            db.session.commit()
            flash(_("Je voorkeur voor mail is bewaard."), "success")
            return redirect(url_for("forums.notifications"), 303)
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .options(
            joinedload(Notification.post).joinedload(Post.author),
            joinedload(Notification.thread).joinedload(Thread.forum),
        )
        .order_by(Notification.id.desc())
        .limit(NOTIFICATIONS_SHOWN)
    ).all()
    watched = db.session.scalars(
        select(Subscription)
        .where(Subscription.user_id == current_user.id)
        .options(
            joinedload(Subscription.thread).joinedload(Thread.forum),
            joinedload(Subscription.category).joinedload(Category.forum),
            joinedload(Subscription.forum),
        )
        .order_by(Subscription.id)
    ).all()
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "forums/notifications.html",
            items=items,
            watched=watched,
            form=form,
            button=EmptyForm(),
        ),
        status,
    )


@bp.post("/forum/meldingen/gelezen")
@login_required
def notifications_read():
    if not EmptyForm().validate():
        abort(400)
    notices.mark_all_read(current_user.id)
    db.session.commit()
    flash(_("Alle meldingen zijn als gelezen gemarkeerd."), "success")
    return redirect(url_for("forums.notifications"), 303)


@bp.route("/forum/uitschrijven/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click"; the token signs it
def unsubscribe(token):
    try:
        user, subscription_id = subscriptions.read_unsubscribe_token(token)
    except TokenExpired:
        return render_template("forums/unsubscribe.html", state="expired"), 410
    except TokenInvalid:
        return render_template("forums/unsubscribe.html", state="invalid"), 404
    subscription = db.session.get(Subscription, subscription_id) if subscription_id else None
    if request.method == "GET":
        state = "confirm" if subscription_id is None or subscription else "gone"
        return render_template(
            "forums/unsubscribe.html", state=state, subscription=subscription, token=token
        )
    done = subscriptions.apply_unsubscribe(user, subscription_id)
    db.session.commit()
    return render_template("forums/unsubscribe.html", state="done" if done else "gone")


@bp.get("/forum/zoeken")
def search():
    query = request.args.get("q", "").strip()
    theme, region = theme_arg(request.args), region_arg(request.args)
    category = _category_filter(request.args.get("categorie", "").strip())
    author_id = _author_filter(request.args.get("auteur", "").strip())
    page = page_arg(request.args)
    results = search_posts(
        query,
        theme=theme,
        region=region,
        category=category,
        author_id=author_id,
        user=current_user,
        page=page,
    )
    return render_template(
        "forums/search.html",
        query=query,
        results=results,
        theme=theme,
        region=region,
        category=category,
        author_id=author_id,
        author=db.session.get(User, author_id) if author_id is not None else None,
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        regions=db.session.scalars(select(Region).order_by(Region.position)).all(),
        categories=db.session.scalars(
            select(Category).options(joinedload(Category.forum)).order_by(Category.id)
        ).all(),
    )


def _author_filter(value: str) -> int | None:
    """The id of the member whose posts are asked (``?auteur=<id>``, where mentions link to).

    An account that no longer exists is no error: a mention in an older post still
    links here, and finds nothing. Raises ``InvalidFilter`` for anything but a number.
    """
    if not value:
        return None
    author_id = whole_number(value)
    if author_id is None:
        raise InvalidFilter("auteur", value)
    return author_id


def _category_filter(value: str) -> Category | None:
    if not value:
        return None
    category = db.session.get(Category, int(value)) if whole_number(value) is not None else None
    if category is None:
        raise InvalidFilter("categorie", value)
    return category
