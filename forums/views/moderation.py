"""Moderation pages: thread tools, hide/restore, reports and the queue, suspensions, categories."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.extensions import db
from community.core.forms import EmptyForm
from forums import moderation
from forums.forms import (
    CategoryForm,
    MoveForm,
    ReasonForm,
    RenameForm,
    SuspendForm,
)
from forums.models import (
    Category,
    Forum,
    ModerationLog,
    Post,
    PostRevision,
    PrivacyOverride,
    Report,
    Thread,
)
from forums.permissions import (
    can_make_public,
    can_manage_categories,
    can_moderate,
    can_moderate_thread,
    can_suspend,
)
from forums.views import bp, get_forum_or_404, get_post_or_404, thread_url

QUEUE_LOG_ENTRIES = 50


def _thread_for_moderator(thread_id: int) -> Thread:
    thread = db.get_or_404(Thread, thread_id)
    if not can_moderate_thread(current_user, thread):
        abort(403)
    return thread


def _forums_with_categories() -> list[Forum]:
    query = select(Forum).options(joinedload(Forum.categories)).order_by(Forum.position)
    return db.session.scalars(query).unique().all()


def _tools_page(thread, rename=None, move=None, status=200, error=None):
    rename = rename or RenameForm(data={"title": thread.title})
    move = move or MoveForm(data={"destination": f"{thread.forum_id}"})
    move.fill_choices(_forums_with_categories())
    return (
        render_template(
            "forums/moderate_thread.html",
            thread=thread,
            rename=rename,
            move=move,
            button=EmptyForm(),
            error=error,
        ),
        status,
    )


@bp.get("/forum/gesprek/<int:thread_id>/beheer")
@login_required
def moderate_thread(thread_id):
    return _tools_page(_thread_for_moderator(thread_id))


@bp.post("/forum/gesprek/<int:thread_id>/<any(vastzetten,losmaken,sluiten,openen):action>")
@login_required
def toggle_thread(thread_id, action):
    thread = _thread_for_moderator(thread_id)
    if not EmptyForm().validate():
        abort(400)
    if action in ("vastzetten", "losmaken"):
        moderation.set_pinned(thread, current_user, action == "vastzetten")
    else:
        moderation.set_locked(thread, current_user, action == "sluiten")
    db.session.commit()
    messages = {
        "vastzetten": _("Het gesprek staat nu bovenaan."),
        "losmaken": _("Het gesprek staat niet langer bovenaan."),
        "sluiten": _("Het gesprek is gesloten."),
        "openen": _("Het gesprek is weer open."),
    }
    flash(messages[action], "success")
    return redirect(thread_url(thread), 303)


@bp.post("/forum/gesprek/<int:thread_id>/hernoemen")
@login_required
def rename_thread(thread_id):
    thread = _thread_for_moderator(thread_id)
    form = RenameForm()
    if not form.validate():
        return _tools_page(thread, rename=form, status=422)
    moderation.rename_thread(thread, current_user, form.title.data)
    db.session.commit()
    flash(_("Het gesprek heeft een nieuwe titel."), "success")
    return redirect(thread_url(thread), 303)


@bp.post("/forum/gesprek/<int:thread_id>/verplaatsen")
@login_required
def move_thread(thread_id):
    thread = _thread_for_moderator(thread_id)
    form = MoveForm()
    form.fill_choices(_forums_with_categories())
    if not form.validate():
        return _tools_page(thread, move=form, status=422)
    forum_id, _sep, category_id = form.destination.data.partition("/")
    forum = db.session.get(Forum, int(forum_id))
    category = db.session.get(Category, int(category_id)) if category_id else None
    moderation.move_thread(thread, current_user, forum, category)
    db.session.commit()
    flash(_("Het gesprek is verplaatst naar %(forum)s.", forum=forum.name), "success")
    return redirect(thread_url(thread), 303)


def _post_for_moderator(post_id: int) -> Post:
    post = get_post_or_404(post_id)
    if not can_moderate_thread(current_user, post.thread):
        abort(403)
    return post


@bp.route("/forum/bericht/<int:post_id>/verbergen", methods=["GET", "POST"])
@login_required
def hide_post(post_id):
    post = _post_for_moderator(post_id)
    form = ReasonForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("forums/reason.html", post=post, form=form, kind="hide"), status
    moderation.hide_post(post, current_user, form.reason.data)
    db.session.commit()
    flash(_("Het bericht is verborgen."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


@bp.post("/forum/bericht/<int:post_id>/herstellen")
@login_required
def restore_post(post_id):
    post = _post_for_moderator(post_id)
    if not EmptyForm().validate():
        abort(400)
    moderation.restore_post(post, current_user)
    db.session.commit()
    flash(_("Het bericht is weer zichtbaar."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


@bp.get("/forum/bericht/<int:post_id>/versies")
@login_required
def post_revisions(post_id):
    post = _post_for_moderator(post_id)
    revisions = db.session.scalars(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .options(joinedload(PostRevision.editor))
        .order_by(PostRevision.id.desc())
    ).all()
    return render_template("forums/revisions.html", post=post, revisions=revisions)


@bp.route("/forum/bericht/<int:post_id>/melden", methods=["GET", "POST"])
@login_required
def report_post(post_id):
    post = get_post_or_404(post_id)
    form = ReasonForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("forums/reason.html", post=post, form=form, kind="report"), status
    try:
        moderation.report_post(post, current_user, form.reason.data)
    except moderation.ModerationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("forums.post_link", post_id=post.id), 303)
    db.session.commit()
    flash(_("Bedankt. Een moderator bekijkt je melding."), "success")
    return redirect(url_for("forums.post_link", post_id=post.id), 303)


@bp.get("/forum/moderatie")
@login_required
def moderation_queue():
    if not can_moderate(current_user):
        abort(403)
    reports = db.session.scalars(
        select(Report)
        .where(Report.resolved_at.is_(None))
        .options(
            joinedload(Report.reporter),
            joinedload(Report.post).joinedload(Post.author),
            joinedload(Report.post)
            .joinedload(Post.thread)
            .options(joinedload(Thread.forum), joinedload(Thread.region)),
        )
        .order_by(Report.created_at)
    ).all()
    reports = [r for r in reports if can_moderate_thread(current_user, r.post.thread)]
    entries = db.session.scalars(
        select(ModerationLog)
        .options(
            joinedload(ModerationLog.moderator),
            joinedload(ModerationLog.target_user),
            joinedload(ModerationLog.thread).joinedload(Thread.forum),
        )
        .order_by(ModerationLog.id.desc())
        .limit(QUEUE_LOG_ENTRIES)
    ).all()
    overrides = db.session.scalars(
        select(PrivacyOverride).order_by(PrivacyOverride.id.desc()).limit(QUEUE_LOG_ENTRIES)
    ).all()
    return render_template(
        "forums/moderation_queue.html",
        reports=reports,
        entries=entries,
        overrides=overrides,
        button=EmptyForm(),
    )


@bp.post("/forum/meldingen-beheer/<int:report_id>/afhandelen")
@login_required
def resolve_report(report_id):
    report = db.get_or_404(Report, report_id)
    if not can_moderate_thread(current_user, report.post.thread) or not EmptyForm().validate():
        abort(403)
    moderation.resolve_report(report, current_user)
    db.session.commit()
    flash(_("De melding is afgehandeld; het bericht blijft zichtbaar."), "success")
    return redirect(url_for("forums.moderation_queue"), 303)


@bp.route("/forum/leden/<int:user_id>/schorsen", methods=["GET", "POST"])
@login_required
def suspend_member(user_id):
    member = db.get_or_404(User, user_id)
    if not can_suspend(current_user, member):
        abort(403)
    form = SuspendForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("forums/suspend.html", member=member, form=form), status
    try:
        suspension = moderation.suspend_member(
            member, current_user, form.days.data, form.reason.data
        )
    except moderation.ModerationError as error:
        db.session.rollback()
        form.days.errors = [str(error.message)]
        return render_template("forums/suspend.html", member=member, form=form), 422
    db.session.commit()
    flash(
        _(
            "%(name)s kan tot %(until)s geen berichten plaatsen.",
            name=member.display_name,
            until=_local(suspension.ends_at),
        ),
        "success",
    )
    return redirect(url_for("forums.moderation_queue"), 303)


def _local(moment) -> str:
    from community.core.i18n import localdatetime

    return localdatetime(moment)


def _forum_for_category_manager(slug: str) -> Forum:
    forum = get_forum_or_404(slug)
    if not can_manage_categories(current_user, forum):
        abort(403)
    return forum


def _category_of(forum: Forum, category_id: int) -> Category:
    for category in forum.categories:
        if category.id == category_id:
            return category
    abort(404)


@bp.route("/forum/<slug>/categorieen", methods=["GET", "POST"])
@login_required
def categories(slug):
    forum = _forum_for_category_manager(slug)
    form = CategoryForm()
    if request.method == "POST" and form.validate():
        try:
            category = moderation.add_category(
                forum, current_user, form.name.data, form.description.data or ""
            )
        except moderation.CategoryNameTaken as error:
            form.name.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Categorie „%(name)s” toegevoegd.", name=category.name), "success")
            return redirect(url_for("forums.categories", slug=forum.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forums/categories.html", forum=forum, form=form), status


@bp.route("/forum/<slug>/categorieen/<int:category_id>", methods=["GET", "POST"])
@login_required
def category_edit(slug, category_id):
    """Rename a category or change its description; its threads and address stay."""
    forum = _forum_for_category_manager(slug)
    category = _category_of(forum, category_id)
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    if request.method == "POST" and form.validate():
        try:
            moderation.rename_category(
                category, current_user, form.name.data, form.description.data or ""
            )
        except moderation.CategoryNameTaken as error:
            form.name.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Categorie „%(name)s” gewijzigd.", name=category.name), "success")
            return redirect(url_for("forums.categories", slug=forum.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "forums/category_edit.html", forum=forum, category=category, form=form
    ), status


@bp.route("/forum/<slug>/categorieen/<int:category_id>/verwijderen", methods=["GET", "POST"])
@login_required
def category_remove(slug, category_id):
    """GET asks to confirm (saying how many threads lose the category); POST removes it."""
    forum = _forum_for_category_manager(slug)
    category = _category_of(forum, category_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate():
        name = category.name
        moderation.remove_category(category, current_user)
        db.session.commit()
        flash(
            _(
                "Categorie „%(name)s” verwijderd. Haar gesprekken staan nog in het forum, "
                "zonder categorie.",
                name=name,
            ),
            "success",
        )
        return redirect(url_for("forums.categories", slug=forum.slug), 303)
    threads = db.session.scalar(
        select(func.count(Thread.id)).where(Thread.category_id == category.id)
    )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "forums/category_remove.html", forum=forum, category=category, form=form, threads=threads
    ), status


@bp.post("/forum/<slug>/<any(openbaar,besloten):visibility>")
@login_required
def set_public(slug, visibility):
    forum = get_forum_or_404(slug)
    if not can_make_public(current_user, forum) or not EmptyForm().validate():
        abort(403)
    forum.is_public = visibility == "openbaar"
    moderation.log_action(
        current_user, "public" if forum.is_public else "members_only", detail=forum.name
    )
    db.session.commit()
    if forum.is_public:
        flash(_("Iedereen kan dit forum nu lezen, ook zonder aanmelden."), "success")
    else:
        flash(_("Alleen aangemelde leden kunnen dit forum nu lezen."), "success")
    return redirect(url_for("forums.forum", slug=forum.slug), 303)
