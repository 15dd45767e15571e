"""Organiser pages of an activity's invitations (issue 17): invite, answers, remind, withdraw."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Organisation, User
from community.core.extensions import db
from community.core.forms import EmptyForm
from events import invitations
from events.models import Event, Invitation
from events.notifications import notify_promoted
from events.organising.door_forms import InviteForm, fill_invite_choices
from events.views.manage import bp, get_managed_event_or_404


def _invitation_of(event: Event, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        abort(404)
    return invitation


def _page(event: Event, form: InviteForm, status: int = 200, error: str | None = None):
    rows = invitations.invitations_for(event)
    return (
        render_template(
            "manage/invitations.html",
            event=event,
            form=form,
            button=EmptyForm(),
            invitations=rows,
            counts=invitations.status_counts(rows),
            can_invite=invitations.can_invite(event),
            error=error,
        ),
        status,
    )


def _invited_message(result: invitations.Invited) -> str:
    message = ngettext(
        "%(num)s uitnodiging verstuurd.", "%(num)s uitnodigingen verstuurd.", len(result.mailed)
    )
    if result.already:
        message += " " + _(
            "Al uitgenodigd (geen nieuwe mail): %(emails)s.", emails=", ".join(result.already)
        )
    return message


@bp.route("/<slug>/uitnodigingen", methods=["GET", "POST"])
@login_required
def invitations_page(slug):
    event = get_managed_event_or_404(slug)
    form = InviteForm()
    fill_invite_choices(form, event)
    if not form.is_submitted():
        return _page(event, form)
    if not form.validate():
        return _page(event, form, 422)
    members = db.session.scalars(select(User).where(User.id.in_(form.members.data or []))).all()
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(form.organisations.data or []))
    ).all()
    try:
        result = invitations.invite(
            event,
            invited_by=current_user,
            members=list(members),
            organisations=list(organisations),
            emails=form.addresses,
        )
    except invitations.InvitationError as error:
        db.session.rollback()
        return _page(event, form, error.status, error.message)
    db.session.commit()
    flash(_invited_message(result), "success")
    return redirect(url_for("manage.invitations_page", slug=event.slug))


@bp.post("/<slug>/uitnodigingen/herinneren")
@login_required
def remind_invitations(slug):
    event = get_managed_event_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count = invitations.remind_silent(event)
    except invitations.InvitationError as error:
        db.session.rollback()
        return _page(event, _filled_form(event), error.status, error.message)
    db.session.commit()
    flash(
        ngettext(
            "%(num)s genodigde kreeg een herinnering.",
            "%(num)s genodigden kregen een herinnering.",
            count,
        ),
        "success",
    )
    return redirect(url_for("manage.invitations_page", slug=event.slug))


def _filled_form(event: Event) -> InviteForm:
    form = InviteForm(formdata=None)
    fill_invite_choices(form, event)
    return form


@bp.post("/<slug>/uitnodigingen/<int:invitation_id>/herinneren")
@login_required
def remind_invitation(slug, invitation_id):
    event = get_managed_event_or_404(slug)
    invitation = _invitation_of(event, invitation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        invitations.remind(invitation)
    except invitations.InvitationError as error:
        db.session.rollback()
        return _page(event, _filled_form(event), error.status, error.message)
    db.session.commit()
    flash(_("%(email)s kreeg een herinnering.", email=invitation.email), "success")
    return redirect(url_for("manage.invitations_page", slug=event.slug))


@bp.post("/<slug>/uitnodigingen/<int:invitation_id>/intrekken")
@login_required
def withdraw_invitation(slug, invitation_id):
    event = get_managed_event_or_404(slug)
    invitation = _invitation_of(event, invitation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    for promoted in invitations.withdraw(invitation):
        notify_promoted(promoted)
    db.session.commit()
    flash(_("De uitnodiging van %(email)s is ingetrokken.", email=invitation.email), "success")
    return redirect(url_for("manage.invitations_page", slug=event.slug))
