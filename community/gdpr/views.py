"""Privacy pages: the privacy statement, the data export, account deletion."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired

from community.accounts.auth import WrongPassword
from community.core.extensions import db
from community.gdpr import rights as privacy

bp = Blueprint("gdpr", __name__)


class DeleteAccountForm(FlaskForm):
    """Delete the signed-in account: the password confirms it is really the member."""

    password = PasswordField(
        _l("Je wachtwoord"),
        validators=[DataRequired(message=_l("Vul je wachtwoord in om te bevestigen."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Mijn account definitief verwijderen"))


@bp.get("/privacy")
def policy():
    config = current_app.config
    return render_template(
        "gdpr/policy.html",
        guest_days=config["GUEST_RETENTION_DAYS"],
        mail_days=config["MAIL_RETENTION_DAYS"],
    )


@bp.get("/account/gegevens.json")
@login_required
def export():
    """All the member's data as a JSON download (GDPR art. 15 and 20)."""
    data = privacy.export_member_data(current_user)
    response = make_response(json.dumps(data, ensure_ascii=False, indent=2))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="bruggen-mijn-gegevens.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/delete_account.html", form=form), status
    try:
        privacy.delete_account(current_user, form.password.data)
    except WrongPassword:
        form.password.errors.append(_("Dit wachtwoord klopt niet. Je account is niet verwijderd."))
        return render_template("accounts/delete_account.html", form=form), 422
    except privacy.LastAdmin:
        error = _(
            "Je bent de enige beheerder. Maak eerst iemand anders beheerder; "
            "daarna kun je je account verwijderen."
        )
        return render_template("accounts/delete_account.html", form=form, error=error), 409
    db.session.commit()
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(
        _("Je account en je persoonsgegevens zijn verwijderd. Bedankt voor je bijdragen."), "info"
    )
    return redirect(url_for("site.home"))
