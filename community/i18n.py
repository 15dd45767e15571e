"""Language and time zone selection (Flask-Babel) and date formatting for templates."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, format_time
from flask_login import current_user

from community.extensions import babel

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
    if chosen in languages:
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

    @app.after_request
    def _vary_on_language(response):
        # The language of a page follows Accept-Language: caches must key on it.
        response.vary.add("Accept-Language")
        return response
