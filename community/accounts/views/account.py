"""Account pages: sign-up, e-mail verification, login, password reset, profile, language."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from community.accounts import auth
from community.accounts.auth import (
    AccountInactive,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    TokenExpired,
    TokenInvalid,
    WrongPassword,
)
from community.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    fill_profile_choices,
)
from community.accounts.models import Organisation, Region, Theme, User
from community.accounts.views import bp
from community.core.extensions import csrf, db, limiter
from community.core.forms import EmptyForm
from community.core.i18n import selected_language
from community.core.mail.outbox import queue_mail
from community.core.routing import safe_next
from community.core.security import (
    address_and_email,
    failed_login,
    protect_form_of_public_page,
    remote_address,
)

BAD_CREDENTIALS = _l("E-mailadres of wachtwoord klopt niet.")


# Rate limits (issue 7, "Security"); keys in community/security.py.
TOO_MANY_LOGINS = _l(
    "Te veel mislukte aanmeldpogingen. Wacht een minuut en probeer het opnieuw, "
    "of vraag een nieuw wachtwoord."
)


TOO_MANY_SIGNUPS = _l("Er werden van hieruit te veel accounts gemaakt. Probeer het later opnieuw.")


TOO_MANY_SIGNUP_MAILS = _l(
    "We stuurden al meerdere mails naar dit e-mailadres. Kijk in je mailbox (ook bij "
    "ongewenste mail) of probeer het later opnieuw."
)


TOO_MANY_RESETS = _l(
    "Je vroeg al meerdere keren een nieuw wachtwoord. Kijk in je mailbox (ook bij ongewenste "
    "mail): elke link die we stuurden werkt. Probeer het anders later opnieuw."
)


TOO_MANY_VERIFICATIONS = _l(
    "We stuurden je al meerdere bevestigingsmails. Kijk in je mailbox (ook bij ongewenste "
    "mail) of probeer het later opnieuw."
)


def _form_page(template: str, form, **context):
    """Render a form page: 200 on GET, 422 when a submitted form did not validate."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _start_session(user: User, remember: bool) -> None:
    """Sign ``user`` in with a fresh session (against session fixation), keeping the language."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user, remember=remember)
    auth.record_login(user)


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def _queue_verification_mail(user: User) -> None:
    link = _absolute(url_for("accounts.verify", token=auth.verification_token(user)))
    queue_mail(
        user.email,
        _l("Bevestig je e-mailadres voor Bruggen"),
        "verify",
        language=user.locale,
        user=user,
        link=link,
    )


def _queue_account_exists_mail(user: User) -> None:
    """Tell the owner of ``user`` that someone tried to sign up with their address."""
    link = _absolute(url_for("accounts.reset_password", token=auth.reset_token(user)))
    queue_mail(
        user.email,
        _l("Je hebt al een account bij Bruggen"),
        "account_exists",
        language=user.locale,
        user=user,
        login_link=_absolute(url_for("accounts.login")),
        reset_link=link,
        hours=current_app.config["RESET_TOKEN_MAX_AGE"] // 3600,
    )


def _queue_reset_mail(user: User) -> None:
    link = _absolute(url_for("accounts.reset_password", token=auth.reset_token(user)))
    queue_mail(
        user.email,
        _l("Een nieuw wachtwoord voor Bruggen"),
        "reset_password",
        language=user.locale,
        user=user,
        link=link,
        hours=current_app.config["RESET_TOKEN_MAX_AGE"] // 3600,
    )


def _profile_data(user: User) -> dict:
    """The profile form's initial values for ``user``."""
    return {
        "display_name": user.display_name,
        "region": user.region_id,
        "organisation": user.organisation_id,
        "sector": user.sector,
        "job_title": user.job_title,
        "themes": [t.id for t in user.themes],
        "language": user.locale,
    }


def _profile_values(form) -> dict:
    """Load the objects chosen in a profile form, as keyword arguments for the domain."""
    theme_ids = form.themes.data or []
    return {
        "display_name": form.display_name.data,
        "region": db.session.get(Region, form.region.data) if form.region.data else None,
        "organisation": (
            db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
        ),
        "sector": form.sector.data,
        "job_title": form.job_title.data or "",
        "themes": db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids))).all(),
        "locale": form.language.data,
    }


def _link_problem(error: TokenInvalid, kind: str):
    """Render the page for an expired (410) or forged/used (400) mail link of ``kind``."""
    if isinstance(error, TokenExpired):
        return render_template("accounts/link_expired.html", kind=kind, form=EmptyForm()), 410
    return render_template("accounts/link_invalid.html", kind=kind), 400


def _signup_email() -> str:
    """Rate-limit key: the e-mail address of the sign-up form (lowercase)."""
    return "signup|" + (request.form.get("email") or "").strip().lower()[:254]


def _accepted(response) -> bool:
    return response.status_code == 302


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute;30 per hour",
    key_func=remote_address,
    methods=["POST"],
    error_message=TOO_MANY_SIGNUPS,
)
@limiter.limit(  # each accepted sign-up mails the address: no flooding of one mailbox
    "3 per hour",
    key_func=_signup_email,
    methods=["POST"],
    deduct_when=_accepted,
    error_message=TOO_MANY_SIGNUP_MAILS,
)
def signup():
    """Make an account, or tell the owner of the address that they have one.

    Both answer the same (issue 13, "No account enumeration at sign-up"): no one is
    signed in, the same message, the same page; only the mail differs, and only the
    owner of the address reads it: a verification link for a new account, for an
    existing one a note with links to sign in and to choose a new password.
    """
    form = SignupForm()
    fill_profile_choices(form)
    if not form.is_submitted():
        form.language.data = selected_language()
    if not form.validate_on_submit():
        return _form_page("accounts/signup.html", form)
    values = _profile_values(form)
    try:
        user = auth.sign_up(form.email.data, password=form.password.data, **values)
    except InvalidEmail:
        form.email.errors.append(_("Dit is geen geldig e-mailadres."))
        return _form_page("accounts/signup.html", form)
    except EmailTaken as taken:
        if taken.user.is_active:  # a deactivated account cannot sign in or reset: no mail
            _queue_account_exists_mail(taken.user)
    else:
        _queue_verification_mail(user)
    db.session.commit()
    flash(
        _(
            "Bedankt. We stuurden een mail naar %(email)s: volg de link erin om verder te "
            "gaan. Geen mail gekregen? Kijk ook bij je ongewenste mail.",
            email=auth.normalise_email(form.email.data),
        ),
        "success",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/bevestigen/<token>", methods=["GET", "POST"])
def verify(token: str):
    """GET shows a button, POST verifies: mail scanners that prefetch links change nothing."""
    try:
        user = auth.user_for_verification_token(token)
    except TokenInvalid as error:
        return _link_problem(error, "verify")
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("accounts/verify.html", user=user, form=form)
    auth.verify_email(token)
    db.session.commit()
    flash(_("Je e-mailadres is bevestigd. Welkom bij Bruggen!"), "success")
    return redirect(
        url_for("accounts.account" if current_user.is_authenticated else "accounts.login")
    )


def _user_key() -> str:
    return f"user:{current_user.id}"


@bp.post("/account/bevestigingsmail")
@login_required
@limiter.limit("5 per hour", key_func=_user_key, error_message=TOO_MANY_VERIFICATIONS)
def resend_verification():
    if current_user.is_verified:
        flash(_("Je e-mailadres is al bevestigd."), "info")
        return redirect(url_for("accounts.account"))
    _queue_verification_mail(current_user)
    db.session.commit()
    flash(
        _("We stuurden een nieuwe bevestigingsmail naar %(email)s.", email=current_user.email),
        "info",
    )
    return redirect(url_for("accounts.account"))


@bp.route("/aanmelden", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute",
    key_func=remote_address,
    methods=["POST"],
    deduct_when=failed_login,
    error_message=TOO_MANY_LOGINS,
)
@limiter.limit(
    "5 per minute",
    key_func=address_and_email,
    methods=["POST"],
    deduct_when=failed_login,
    error_message=TOO_MANY_LOGINS,
)
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and not form.is_submitted():
        return redirect(next_url or url_for("site.home"))
    if not form.validate_on_submit():
        return _form_page("accounts/login.html", form, next_url=next_url)
    try:
        user = auth.authenticate(form.email.data, form.password.data)
    except InvalidCredentials:
        error = BAD_CREDENTIALS
        return render_template(
            "accounts/login.html", form=form, next_url=next_url, error=error
        ), 401
    except AccountInactive:
        error = _(
            "Dit account is gedeactiveerd: je kunt er niet meer mee aanmelden. "
            "Neem contact op met de coördinator van je regio als dit een vergissing is."
        )
        return render_template(
            "accounts/login.html", form=form, next_url=next_url, error=error
        ), 403
    _start_session(user, remember=form.remember.data)
    db.session.commit()
    flash(_("Welkom, %(name)s. Je bent aangemeld.", name=user.display_name), "success")
    return redirect(next_url or url_for("site.home"))


@bp.after_app_request
def _drop_lone_freshness_marker(response):
    """Let an anonymous session that only held a message empty out (issue 13).

    Flask-Login's "basic" session protection writes ``_fresh = False`` into every
    non-empty session without an identifier, also an anonymous one that only held a
    message ("Je bent afgemeld"). Without ``_user_id`` it means nothing; dropping it
    lets the session empty out, so the browser loses the cookie and gets the cached
    public pages again.
    """
    if "_user_id" not in session and session.get("_fresh") is False:
        session.pop("_fresh")
    return response


def _browser_language() -> str:
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or languages[0]


@bp.post("/afmelden")
def logout():
    """Sign out on every device (the account's session token changes) and forget the session.

    The session keeps only a language the browser would not choose by itself, so a
    visitor who reads in their browser's language is left without session cookie
    (and gets the cached public pages) once the "signed out" message is shown.
    """
    language = selected_language()
    if current_user.is_authenticated:
        auth.sign_out_everywhere(current_user)
        db.session.commit()
    session.clear()
    if language != _browser_language():
        session["language"] = language
    logout_user()  # after clear(): it marks the remember-me cookie for removal
    flash(_("Je bent afgemeld, op al je toestellen."), "info")
    return redirect(url_for("site.home"))


@bp.post("/taal")
@csrf.exempt  # the switch is on cached pages: checked by protect_form_of_public_page
def set_language():
    """Switch the UI language ("nl" or "en"); stored on the profile when signed in."""
    protect_form_of_public_page()
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    if current_user.is_authenticated:
        auth.set_language(current_user, language)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("site.home"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(
    "5 per minute;20 per hour",
    key_func=remote_address,
    methods=["POST"],
    error_message=TOO_MANY_RESETS,
)
@limiter.limit(
    "3 per hour", key_func=address_and_email, methods=["POST"], error_message=TOO_MANY_RESETS
)
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return _form_page("accounts/forgot_password.html", form)
    user = auth.find_user_by_email(form.email.data)
    if user is not None and user.is_active:
        _queue_reset_mail(user)
        db.session.commit()
    # The same answer whether or not the account exists (no account enumeration).
    flash(
        _(
            "Als er een account bestaat met dit e-mailadres, krijg je binnen enkele minuten "
            "een mail met een link om een nieuw wachtwoord te kiezen."
        ),
        "info",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        auth.user_for_reset_token(token)
    except TokenInvalid as error:
        return _link_problem(error, "reset")
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _form_page("accounts/reset_password.html", form)
    auth.reset_password(token, form.password.data)
    db.session.commit()
    flash(_("Je nieuwe wachtwoord is ingesteld. Meld je ermee aan."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _form_page("accounts/change_password.html", form)
    try:
        auth.change_password(current_user, form.current_password.data, form.password.data)
    except WrongPassword:
        form.current_password.errors.append(_("Je huidige wachtwoord klopt niet."))
        return _form_page("accounts/change_password.html", form)
    db.session.commit()
    login_user(current_user._get_current_object())  # this session goes on, others end
    flash(_("Je wachtwoord is gewijzigd. Andere sessies zijn afgemeld."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(data=_profile_data(current_user))
    fill_profile_choices(form)
    if not form.validate_on_submit():
        return _form_page("accounts/account.html", form, resend_form=EmptyForm())
    auth.update_profile(current_user, **_profile_values(form))
    db.session.commit()
    flash(_("Je gegevens zijn bewaard."), "success")
    return redirect(url_for("accounts.account"))
