"""Error pages (400, 403, 404, 413, 500, 503) in the user's language."""

from __future__ import annotations

import logging

from flask import Flask, g, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from community.core.extensions import db, login_manager
from community.core.filters import InvalidFilter, invalid_filter_response

log = logging.getLogger(__name__)

PAGES = (400, 403, 404, 405, 409, 413, 500)

#: What the database driver raises when the database cannot be reached or cannot answer
#: now (down, restarting, a dropped connection, no free connection in the pool, a lock
#: that is not released in time): a request may succeed when tried again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)

#: Seconds a client is asked to wait (``Retry-After``) while the database is unavailable.
RETRY_AFTER = 30


# What went wrong with a form's CSRF token, by Flask-WTF's reason (``CSRFError.description``),
# so the visitor knows what to do: a missing code (a page from before, or something that
# stripped it) is not a code that no longer fits the session (signed out or in elsewhere),
# nor a session the browser did not keep (cookies refused), nor a form left open too long.
CSRF_MESSAGES = {
    "The CSRF token is missing.": _l(
        "De beveiligingscode ontbreekt in het formulier. Laad de pagina opnieuw en "
        "verstuur het formulier vanaf daar."
    ),
    "The CSRF session token is missing.": _l(
        "Je sessie is verlopen, of je browser bewaart geen cookies voor deze site: zo "
        "kunnen we het formulier niet controleren. Sta cookies toe, laad de pagina "
        "opnieuw en probeer nog eens."
    ),
    "The CSRF token has expired.": _l(
        "Het formulier is verlopen: het stond te lang open. Kopieer wat je typte, laad "
        "de pagina opnieuw en probeer nog eens."
    ),
    "The CSRF token is invalid.": _l(
        "De beveiligingscode van het formulier is niet (meer) geldig, bijvoorbeeld omdat "
        "je intussen in een ander venster af- of aanmeldde. Laad de pagina opnieuw en "
        "probeer nog eens."
    ),
    "The referrer header is missing.": _l(
        "Je browser zei niet van welke pagina dit formulier kwam, en daarom is het "
        "geweigerd. Open de pagina op deze site zelf en probeer het opnieuw."
    ),
    "The referrer does not match the host.": _l(
        "Dit formulier werd vanaf een andere website verstuurd en is daarom geweigerd. "
        "Open de pagina op deze site zelf en probeer het opnieuw."
    ),
}
CSRF_MESSAGES["The CSRF tokens do not match."] = CSRF_MESSAGES["The CSRF token is invalid."]


def csrf_message(reason: str | None) -> str:
    """Return the Dutch (or English) message for Flask-WTF's CSRF failure ``reason``."""
    message = CSRF_MESSAGES.get(reason or "")
    if message is None:
        return _("Het formulier is niet geldig. Laad de pagina opnieuw en probeer nog eens.")
    return str(message)


def _render(code: int, message: str | None = None):
    return render_template(f"errors/{code}.html", message=message), code


def init_app(app: Flask) -> None:
    """Register the error handlers; every page is a template ``errors/<code>.html``."""

    # An unknown value of a list filter (?regio=, ?thema=, ?pagina=): 400 naming it.
    app.register_error_handler(InvalidFilter, invalid_filter_response)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        log.info("form refused: %s", error.description)
        return _render(400, csrf_message(error.description))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code if error.code in PAGES else None
        if code is None:
            return error
        # abort(403, _("...")) gives a message of our own; Werkzeug's English default is not shown.
        custom = error.description if error.description != type(error).description else None
        return _render(code, custom)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500)

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)
    app.register_error_handler(IntegrityError, saved_at_the_same_time)


def saved_at_the_same_time(error: IntegrityError):
    """409 when a unique or foreign-key rule of the database refused a write.

    Edits lock their row first (issue 13, item 8), so this is the last line for what no
    lock can order: two requests creating the same thing at the same moment (a double
    click on "new activity", two coordinators adding the same category). Nothing of the
    request is stored (the transaction is rolled back); the visitor reloads and sees
    what the other request saved. Never a 500 for it.
    """
    db.session.rollback()
    log.warning("write refused by the database (%s): answering 409", error.orig)
    return _render(409)


def database_unavailable(error: Exception):
    """503 with ``Retry-After`` while the database cannot be reached (issue 13, item 6).

    The page needs no database: who is signed in cannot be read now, so it is shown as
    to a visitor (the session cookie stays). Pages the page cache holds are still served
    (``community.core.pagecache``); the app uses the database again as soon as it
    answers: the pool replaces the connections it lost.
    """
    log.warning(
        "database unavailable, answering 503: %s",
        str(error).splitlines()[0] if str(error) else type(error).__name__,
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone: nothing to roll back
        log.debug("rollback after a database fault failed", exc_info=True)
    g._login_user = login_manager.anonymous_user()
    response = make_response(render_template("errors/503.html"), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response
