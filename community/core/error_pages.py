"""Error pages (400, 403, 404, 413, 500) in the user's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from community.core.extensions import db
from community.core.filters import InvalidFilter, invalid_filter_response

log = logging.getLogger(__name__)

PAGES = (400, 403, 404, 405, 413, 500)


def _render(code: int, message: str | None = None):
    return render_template(f"errors/{code}.html", message=message), code


def init_app(app: Flask) -> None:
    """Register the error handlers; every page is a template ``errors/<code>.html``."""

    # An unknown value of a list filter (?regio=, ?thema=, ?pagina=): 400 naming it.
    app.register_error_handler(InvalidFilter, invalid_filter_response)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _(
                "Het formulier is verlopen of niet geldig (beveiligingscode ontbreekt). "
                "Laad de pagina opnieuw en probeer nog eens."
            ),
        )

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
