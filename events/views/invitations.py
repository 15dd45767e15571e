"""The invitee's page (issue 17): the activity and the answer, by the signed link in the mail.

No login: the signed token is the permission. A GET only shows (mail scanners open
links); the POST answers. An invite-only activity is shown here to the holder of the
link, whether or not they have an account.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from community.core.extensions import db
from community.core.i18n import selected_language
from events import invitations
from events import registration as seats
from events.models import Invitation, InvitationStatus, RegistrationState
from events.notifications import notify_promoted, notify_registered
from events.organising.door_forms import AnswerForm, GuestAnswerFields
from events.registration.forms import add_answer_errors, answers_from, registration_form
from events.views import bp


def _forms(invitation: Invitation, formdata=None):
    """The accept form (questions, workshops) and, without an account, the guest fields."""
    event = invitation.event
    taken = seats.workshop_seats_taken(event) if seats.workshops_of(event) else {}
    details = registration_form(event, as_guest=False, workshop_taken=taken, formdata=formdata)
    guest = None
    if invitations.account_of(invitation) is None:
        guest = (
            GuestAnswerFields(formdata=formdata)
            if formdata is not None
            else GuestAnswerFields(data={"guest_name": invitation.name})
        )
    return details, guest


def _page(invitation: Invitation, token: str, *, details=None, guest=None, error=None, status=200):
    if details is None:
        details, guest = _forms(invitation)
    registration = invitations.live_registration_of(invitation)
    return (
        render_template(
            "events/invitation.html",
            invitation=invitation,
            event=invitation.event,
            token=token,
            details=details,
            guest=guest,
            registration=registration,
            can_answer=invitations.can_answer(invitation),
            wanted=request.args.get("antwoord", ""),
            error=error,
        ),
        status,
    )


def _link_problem(error: invitations.InvitationError):
    return render_template("events/link_problem.html", message=error.message), error.status


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token):
    try:
        invitation = invitations.invitation_from_token(token)
    except invitations.InvitationError as error:
        return _link_problem(error)
    if invitation.status == InvitationStatus.WITHDRAWN:
        return _link_problem(invitations.InvitationWithdrawn())
    if request.method == "GET":
        return _page(invitation, token)
    answer = AnswerForm()
    if not answer.validate_on_submit():
        abort(400)
    if answer.answer.data == "nee":
        return _decline(invitation, token)
    return _accept(invitation, token)


def _decline(invitation: Invitation, token: str):
    try:
        promoted = invitations.decline(invitation)
    except invitations.InvitationError as error:
        db.session.rollback()
        return _page(invitation, token, error=error.message, status=error.status)
    for other in promoted:
        notify_promoted(other)
    db.session.commit()
    flash(_("Bedankt om het te laten weten: je komt niet."), "success")
    return redirect(url_for("events.invitation", token=token))


def _accept(invitation: Invitation, token: str):
    details, guest = _forms(invitation, request.form)
    valid = details.validate()
    if guest is not None:
        valid = guest.validate() and valid
    if not valid:
        return _page(invitation, token, details=details, guest=guest, status=422)
    event = invitation.event
    try:
        accepted = invitations.accept(
            invitation,
            name=guest.guest_name.data if guest is not None else "",
            organisation_name=(guest.guest_organisation.data or "") if guest is not None else "",
            answers=answers_from(details, event),
            workshop_ids=(details["workshops"].data or []) if "workshops" in details else [],
            is_listed=details.is_listed.data,
            language=selected_language(),
        )
    except seats.InvalidAnswers as error:
        db.session.rollback()
        add_answer_errors(details, event, error.errors)
        return _page(
            invitation, token, details=details, guest=guest, error=error.message, status=422
        )
    except (invitations.InvitationError, seats.RegistrationError) as error:
        db.session.rollback()
        return _page(invitation, token, error=error.message, status=error.status)
    if accepted.is_new:
        notify_registered(accepted.registration)
    db.session.commit()
    if accepted.registration.state == RegistrationState.WAITLISTED:
        flash(_("Bedankt! De activiteit is volzet: je staat op de wachtlijst."), "success")
    else:
        flash(_("Bedankt! Je bent ingeschreven. Je krijgt een bevestiging per mail."), "success")
    return redirect(url_for("events.invitation", token=token))
