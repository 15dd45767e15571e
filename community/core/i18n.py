"""Language and time zone selection (Flask-Babel) and date formatting for templates."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, request, session
from flask_babel import format_date, format_datetime, format_time, get_translations
from flask_login import current_user

from community.core.extensions import babel

# The UI language a user chooses ("nl", "en") and the Babel locale used for it:
# Flemish usage for Dutch (DESIGN.md, "Who uses it").
LOCALES = {"nl": "nl_BE", "en": "en_GB"}

# "donderdag 18 december 2026, 13:30" (issue 2, "Language and presentation").
DATETIME_FORMAT = "EEEE d MMMM y, HH:mm"
DATE_FORMAT = "EEEE d MMMM y"
TIME_FORMAT = "HH:mm"


def selected_language() -> str:
    """Return the UI language code ("nl" or "en") for the current request.

    Order: the signed-in user's profile choice, the choice made with the
    language switch (kept in the session), the browser's Accept-Language,
    then Dutch.
    """
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_locale() -> str:
    """Flask-Babel locale selector: the Babel locale of :func:`selected_language`."""
    return LOCALES[selected_language()]


def localdatetime(value: dt.datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """Format an aware UTC datetime in Europe/Brussels, e.g. "vrijdag 18 december 2026, 13:30"."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def localdate(value: dt.datetime | dt.date | None, fmt: str = DATE_FORMAT) -> str:
    """Format the local (Europe/Brussels) date of an aware datetime, or a date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def localtime(value: dt.datetime | None, fmt: str = TIME_FORMAT) -> str:
    """Format the local (Europe/Brussels) time of an aware datetime, e.g. "13:30"."""
    if value is None:
        return ""
    return format_time(value, fmt)


def request_translations():
    """The catalogue of the current request's locale, looked up once per request and locale.

    Flask-Babel finds the catalogue again for every string (several context lookups
    each); a thread page translates a few hundred. The cached catalogue is kept in
    Flask-Babel's own per-request namespace together with the locale it belongs to,
    so ``force_locale`` (mails in the recipient's language) still gets its own.
    """
    babel_ctx = g.get("_flask_babel")
    cached = getattr(babel_ctx, "bruggen_translations", None)
    if cached is not None and cached[0] is getattr(babel_ctx, "babel_locale", None):
        return cached[1]
    translations = get_translations()
    babel_ctx = g.get("_flask_babel")
    if babel_ctx is not None and getattr(babel_ctx, "babel_locale", None) is not None:
        babel_ctx.bruggen_translations = (babel_ctx.babel_locale, translations)
    return translations


def init_app(app: Flask) -> None:
    """Bind Flask-Babel (catalogues in ``translations/``) and the date filters."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters.update(
        localdatetime=localdatetime, localdate=localdate, localtime=localtime
    )
    app.jinja_env.globals.update(selected_language=selected_language)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.after_request
    def _vary_on_language(response):
        # The language of a page follows Accept-Language: caches must key on it.
        response.vary.add("Accept-Language")
        return response
