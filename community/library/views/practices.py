"""Good-practice pages: list with overview per region and theme, a record, submit, review."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import String, cast, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Organisation, Region, Sector, Theme
from community.core.extensions import db
from community.core.filters import choice_arg
from community.core.forms import EmptyForm
from community.core.pagecache.middleware import cached_page
from community.core.text import fold
from community.library.forms import PracticeForm, PracticeReviewForm, fill_practice_choices
from community.library.models import Practice, PracticeAttachment, PracticeStatus
from community.library.practices import (
    PracticeFields,
    PracticeStateError,
    add_practice_attachment,
    archive_practice,
    can_edit_practice,
    can_review_practice,
    can_submit_practice,
    can_view_practice,
    create_practice,
    is_author,
    own_or_reviewable_filter,
    practice_counts,
    publish_practice,
    remove_practice_attachment,
    send_back_practice,
    submit_practice,
    update_practice,
)
from community.library.uploads import UploadRefused, read_upload
from community.library.views import bp
from community.library.views.materials import refuse, send_stored_file


def _practice_options():
    return (
        selectinload(Practice.themes),
        joinedload(Practice.region),
        joinedload(Practice.contact_organisation),
    )


def get_practice_or_404(slug: str) -> Practice:
    """Return the practice ``slug``; 404 when unknown or not visible to the current user."""
    query = (
        select(Practice)
        .where(Practice.slug == slug)
        .options(*_practice_options(), selectinload(Practice.attachments))
    )
    practice = db.session.scalar(query)
    if practice is None or not can_view_practice(current_user, practice):
        abort(404)
    return practice


def practice_fields(form: PracticeForm) -> PracticeFields:
    """Return the fields of a validated :class:`PracticeForm`."""
    themes = []
    if form.themes.data:
        themes = db.session.scalars(
            select(Theme).where(Theme.id.in_(form.themes.data)).order_by(Theme.number)
        ).all()
    organisation = None
    if form.contact_organisation.data:
        organisation = db.session.get(Organisation, form.contact_organisation.data)

    def text(f) -> str:
        return (f.data or "").strip()

    return PracticeFields(
        title=text(form.title),
        region=db.session.get(Region, form.region.data),
        summary=text(form.summary),
        themes=themes,
        age_group=text(form.age_group),
        target_group=text(form.target_group),
        partners=form.partners.data or "",
        partner_sectors=list(form.partner_sectors.data or []),
        approach=text(form.approach),
        results=text(form.results),
        needs=text(form.needs),
        contact_organisation=organisation,
        contact_name=text(form.contact_name),
        contact_address=text(form.contact_address),
        contact_email=text(form.contact_email),
        contact_website=text(form.contact_website),
        links=form.links.data or "",
    )


def _fill_form(form: PracticeForm, practice: Practice) -> None:
    form.process(obj=practice)
    form.themes.data = [t.id for t in practice.themes]
    form.region.data = practice.region_id
    form.contact_organisation.data = practice.contact_organisation_id
    form.partners.data = "\n".join(practice.partners or [])
    form.partner_sectors.data = list(practice.partner_sectors or [])
    form.links.data = "\n".join(practice.links or [])


@bp.get("/praktijkvoorbeelden")
@cached_page("library", "members", "site", params=("regio", "thema", "sector", "q"))
def practices():
    region = region_arg(request.args)
    theme = theme_arg(request.args)
    sector = choice_arg(request.args, "sector", Sector)
    text = " ".join(request.args.get("q", "").split())[:200]
    query = select(Practice).where(Practice.status == PracticeStatus.PUBLISHED)
    if region is not None:
        query = query.where(Practice.region_id == region.id)
    if theme is not None:
        query = query.where(Practice.themes.any(Theme.id == theme.id))
    if sector is not None:
        query = query.where(cast(Practice.partner_sectors, String).contains(f'"{sector.value}"'))
    for word in fold(text).split()[:10]:  # accents and case ignored, as everywhere
        query = query.where(Practice.search_text.contains(word, autoescape=True))
    listed = db.session.scalars(query.options(*_practice_options()).order_by(Practice.title)).all()
    own = []
    if current_user.is_authenticated:
        own = db.session.scalars(
            select(Practice)
            .where(own_or_reviewable_filter(current_user))
            .options(joinedload(Practice.region))
            .order_by(Practice.status, Practice.title)
        ).all()
    return render_template(
        "library/practices.html",
        practices=listed,
        own=own,
        filters={"regio": region, "thema": theme, "sector": sector, "q": text},
        regions=db.session.scalars(select(Region).order_by(Region.position)).all(),
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        sectors=list(Sector),
        counts=practice_counts(),
    )


@bp.get("/praktijkvoorbeelden/<slug>")
def practice(slug):
    practice = get_practice_or_404(slug)
    return render_template(
        "library/practice.html",
        practice=practice,
        review_form=PracticeReviewForm(),
        action_form=EmptyForm(),
    )


@bp.route("/praktijkvoorbeelden/nieuw", methods=["GET", "POST"])
@login_required
def practice_new():
    if not can_submit_practice(current_user):
        abort(403)
    form = PracticeForm()
    fill_practice_choices(form)
    if form.validate_on_submit():
        try:
            practice = create_practice(current_user, practice_fields(form))
            upload = read_upload(form.attachment.data)
            if upload is not None:
                add_practice_attachment(practice, current_user, upload)
            if form.submit_for_review.data:
                submit_practice(practice)
        except UploadRefused as error:
            refuse(
                form, error if error.field != "file" else UploadRefused(error.message, "attachment")
            )
        else:
            db.session.commit()
            flash(_submitted_message(practice), "success")
            return redirect(url_for("library.practice", slug=practice.slug))
    status = 422 if form.errors else 200
    return render_template("library/practice_form.html", form=form, practice=None), status


def _submitted_message(practice: Practice) -> str:
    if practice.status == PracticeStatus.IN_REVIEW:
        return _("Je praktijkvoorbeeld is ingediend. De coördinatoren van de regio bekijken het.")
    return _("Je praktijkvoorbeeld is bewaard als ontwerp.")


@bp.route("/praktijkvoorbeelden/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def practice_edit(slug):
    practice = get_practice_or_404(slug)
    if not can_edit_practice(current_user, practice):
        abort(403)
    form = PracticeForm()
    fill_practice_choices(form)
    if request.method == "GET":
        _fill_form(form, practice)
    if form.validate_on_submit():
        try:
            update_practice(practice, practice_fields(form))
            upload = read_upload(form.attachment.data)
            if upload is not None:
                add_practice_attachment(practice, current_user, upload)
            if form.submit_for_review.data and practice.status == PracticeStatus.DRAFT:
                submit_practice(practice)
        except UploadRefused as error:
            refuse(
                form, error if error.field != "file" else UploadRefused(error.message, "attachment")
            )
            practice = get_practice_or_404(slug)
        else:
            db.session.commit()
            flash(_submitted_message(practice), "success")
            return redirect(url_for("library.practice", slug=practice.slug))
    status = 422 if form.errors else 200
    return render_template("library/practice_form.html", form=form, practice=practice), status


def _state_step(slug: str, step) -> object:
    """Run ``step(practice)`` for a POST button; 409 with the message when the state forbids it."""
    practice = get_practice_or_404(slug)
    try:
        step(practice)
    except PracticeStateError as error:
        db.session.rollback()
        return render_template("errors/400.html", message=str(error.message)), 409
    db.session.commit()
    return redirect(url_for("library.practice", slug=practice.slug))


@bp.post("/praktijkvoorbeelden/<slug>/indienen")
@login_required
def practice_submit(slug):
    if not EmptyForm().validate_on_submit():
        abort(400)

    def step(practice):
        if not (is_author(current_user, practice) or can_review_practice(current_user, practice)):
            abort(403)
        submit_practice(practice)
        flash(_submitted_message(practice), "success")

    return _state_step(slug, step)


@bp.post("/praktijkvoorbeelden/<slug>/beoordelen")
@login_required
def practice_review(slug):
    practice = get_practice_or_404(slug)
    if not can_review_practice(current_user, practice):
        abort(403)
    form = PracticeReviewForm()
    if not form.validate_on_submit():
        return render_template(
            "library/practice.html", practice=practice, review_form=form, action_form=EmptyForm()
        ), 422
    try:
        if form.publish.data:
            publish_practice(practice, current_user, form.note.data or "")
            message = _("Het praktijkvoorbeeld is gepubliceerd; de indiener krijgt een mail.")
        else:
            send_back_practice(practice, current_user, form.note.data or "")
            message = _("Het praktijkvoorbeeld is teruggestuurd; de indiener krijgt een mail.")
    except PracticeStateError as error:
        db.session.rollback()
        form.note.errors = [*form.note.errors, str(error.message)]
        practice = get_practice_or_404(slug)
        return render_template(
            "library/practice.html", practice=practice, review_form=form, action_form=EmptyForm()
        ), 409
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("library.practice", slug=practice.slug))


@bp.post("/praktijkvoorbeelden/<slug>/archiveren")
@login_required
def practice_archive(slug):
    if not EmptyForm().validate_on_submit():
        abort(400)

    def step(practice):
        if not can_review_practice(current_user, practice):
            abort(403)
        archive_practice(practice, current_user)
        flash(_("Het praktijkvoorbeeld is gearchiveerd."), "success")

    return _state_step(slug, step)


@bp.post("/praktijkvoorbeelden/<slug>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def practice_attachment_remove(slug, attachment_id):
    practice = get_practice_or_404(slug)
    if not can_edit_practice(current_user, practice) or not EmptyForm().validate_on_submit():
        abort(403)
    attachment = next((a for a in practice.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    remove_practice_attachment(attachment)
    db.session.commit()
    flash(_("De bijlage is verwijderd."), "success")
    return redirect(url_for("library.practice", slug=practice.slug))


@bp.get("/praktijkvoorbeelden/<slug>/bijlagen/<int:attachment_id>")
def practice_attachment(slug, attachment_id):
    practice = get_practice_or_404(slug)
    attachment = db.first_or_404(
        select(PracticeAttachment).where(
            PracticeAttachment.id == attachment_id, PracticeAttachment.practice_id == practice.id
        )
    )
    return send_stored_file(
        attachment.file_key,
        attachment.file_name,
        attachment.content_type,
        private=practice.status != PracticeStatus.PUBLISHED,
    )
