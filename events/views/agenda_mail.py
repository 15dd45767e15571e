"""The "nieuw in de agenda" mail: choosing (``/agenda/nieuw-per-mail``), confirming an address,
one-click unsubscribing (``events.agenda_mail``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Region, Theme
from community.accounts.permissions import is_signed_in
from community.core.db import utcnow
from community.core.extensions import csrf, db, limiter
from community.core.forms import EmptyForm
from community.core.i18n import selected_language
from community.core.security import address_and_email, remote_address
from events import agenda_mail
from events.models import EventType
from events.views import bp

REQUESTS_PER_ADDRESS = "10 per hour"
REQUESTS_PER_EMAIL = "3 per hour"  # each request mails the address: no flooding of a mailbox


def _member() -> bool:
    """True for a signed-in member whose address is verified (no confirmation mail needed)."""
    return is_signed_in(current_user) and current_user.is_verified


def _page(choice=None, *, status: int = 200, error: str | None = None, email: str = ""):
    subscription = agenda_mail.find_subscription(current_user.email) if _member() else None
    if choice is None:
        choice = agenda_mail.choice_of(subscription) if subscription else agenda_mail.AgendaChoice()
    return render_template(
        "events/agenda_mail.html",
        choice=choice,
        subscription=subscription,
        is_member=_member(),
        email=email,
        error=error,
        form=EmptyForm(),
        regions=db.session.scalars(select(Region).order_by(Region.position)).all(),
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        types=list(EventType),
    ), status


def _sent(response) -> bool:
    return response.status_code == 303


@bp.route("/agenda/nieuw-per-mail", methods=["GET", "POST"])
@limiter.limit(
    REQUESTS_PER_ADDRESS,
    key_func=remote_address,
    methods=["POST"],
    exempt_when=_member,
    error_message=_l("Te veel aanvragen van hieruit. Probeer het over een uur opnieuw."),
)
@limiter.limit(
    REQUESTS_PER_EMAIL,
    key_func=address_and_email,
    methods=["POST"],
    exempt_when=_member,
    deduct_when=_sent,
    error_message=_l("Voor dit adres werden net bevestigingsmails gestuurd. Kijk in je mailbox."),
)
def agenda_mail_choose():
    """Choose regions, themes and types; a member is subscribed at once, anyone else gets a
    confirmation mail (nothing is stored before the link is followed)."""
    if request.method == "GET":
        return _page()
    if not EmptyForm().validate_on_submit():
        abort(400)
    email = request.form.get("email", "")[:300]
    try:
        choice = agenda_mail.read_choice(
            request.form.getlist("regio"),
            request.form.getlist("thema"),
            request.form.getlist("type"),
        )
        if _member():
            agenda_mail.subscribe(
                current_user.email,
                choice,
                utcnow(),
                user=current_user,
                language=current_user.locale,
            )
        else:
            agenda_mail.request_confirmation(email, choice, selected_language())
    except agenda_mail.AgendaMailError as error:
        db.session.rollback()
        return _page(status=error.status, error=error.message, email=email)
    db.session.commit()
    if _member():
        flash(_("Je keuze is bewaard. Je krijgt wekelijks de nieuwe activiteiten."), "success")
    else:
        flash(_("We stuurden je een mail. Klik op de link erin om je inschrijving te bevestigen."))
    return redirect(url_for("events.agenda_mail_choose"), 303)


@bp.post("/agenda/nieuw-per-mail/stoppen")
@login_required
def agenda_mail_stop():
    """A member ends their agenda mail."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    subscription = agenda_mail.find_subscription(current_user.email)
    if subscription is not None:
        agenda_mail.unsubscribe(subscription)
        db.session.commit()
    flash(_("Je krijgt geen mail meer over nieuwe activiteiten."), "success")
    return redirect(url_for("events.agenda_mail_choose"), 303)


@bp.route("/agenda/nieuw-per-mail/bevestigen/<token>", methods=["GET", "POST"])
def agenda_mail_confirm(token):
    """GET shows a button (mail scanners follow links); POST makes the subscription."""
    try:
        email, choice, language = agenda_mail.read_confirmation(token)
    except agenda_mail.AgendaMailError as error:
        return render_template("events/link_problem.html", message=error.message), error.status
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("events/agenda_mail_confirm.html", email=email, form=form)
    agenda_mail.subscribe(email, choice, utcnow(), language=language)
    db.session.commit()
    return render_template("events/agenda_mail_confirm.html", email=email, done=True)


@bp.route("/agenda/nieuw-per-mail/uitschrijven/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click"; the token signs it
def agenda_mail_unsubscribe(token):
    """GET asks to confirm; POST (also the mail client's one-click) ends the subscription."""
    try:
        subscription = agenda_mail.subscription_from_unsubscribe_token(token)
    except agenda_mail.AgendaMailError as error:
        return render_template("events/link_problem.html", message=error.message), error.status
    if subscription is None:
        return render_template("events/agenda_mail_unsubscribe.html", state="gone")
    if request.method == "GET":
        return render_template("events/agenda_mail_unsubscribe.html", state="confirm", token=token)
    agenda_mail.unsubscribe(subscription)
    db.session.commit()
    return render_template("events/agenda_mail_unsubscribe.html", state="done")
