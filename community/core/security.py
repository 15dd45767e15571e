"""Security headers on every response (issue 7, "Security")."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# Nothing inline: every script and style comes from /static (no 'unsafe-inline').
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

# The pages made to be shown inside other sites (issue 17: the embeddable agenda) may be
# framed by any site; nothing else changes. All other pages keep frame-ancestors 'none'.
FRAMEABLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)


def allow_framing(response):
    """Let other sites show ``response`` in an ``<iframe>``: ``frame-ancestors *`` instead of
    ``'none'``, and no ``X-Frame-Options`` (which has no "any site" value). Returns it."""
    response.headers["Content-Security-Policy"] = FRAMEABLE_CONTENT_SECURITY_POLICY
    return response


# Features the site never uses are switched off for it and for anything it embeds.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Permissions-Policy": PERMISSIONS_POLICY,
}

# RFC 6797: one year, subdomains included; sent in production only (HTTPS there).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Add the security headers to every response; HSTS too when ``BRUGGEN_ENV`` is production.

    A plain ``after_request`` rather than Flask-Talisman: the headers are fixed
    strings, HTTPS is enforced by the reverse proxy, and cookie flags are set in
    the configuration (``app.load_config``). A view that set a header itself
    (a stricter policy for a download, say) keeps its own value.
    """
    production = app.config.get("BRUGGEN_ENV") == "production"
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind N reverse proxies the client's address is in X-Forwarded-For; rate
        # limits per IP address need it (else every visitor is the proxy).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # WSGI middleware, as Flask documents
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    @app.errorhandler(429)
    def too_many_requests(error):
        if getattr(error, "response", None) is not None:
            return error.response  # a page made by the limit's own ``on_breach`` (forum posts)
        message = error.description if getattr(error, "limit", None) else None
        return render_template("errors/429.html", message=message), 429

    @app.after_request
    def add_security_headers(response):
        framed = (
            response.headers.get("Content-Security-Policy") == FRAMEABLE_CONTENT_SECURITY_POLICY
        )
        for name, value in HEADERS.items():
            if framed and name == "X-Frame-Options":
                continue
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response


# --- rate limits (Flask-Limiter) ----------------------------------------------------------
#
# Keys never name only the attacked account: a limit per e-mail address alone would let
# one attacker keep a member locked out by failing on purpose. Limits count per source
# address, or per (address, e-mail) pair; windows are at most an hour.


def remote_address() -> str:
    """The client's IP address (``X-Forwarded-For`` is trusted only through ``PROXY_COUNT``)."""
    return get_remote_address()


def address_and_email() -> str:
    """Rate-limit key: the client's address and the e-mail address in the form (lowercase)."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{remote_address()}|{email}"


def failed_login(response) -> bool:
    """Count a login attempt against the limits only when it failed (wrong password, inactive)."""
    return response.status_code in (401, 403)


# --- forms on cached public pages ---------------------------------------------------------


def protect_form_of_public_page() -> None:
    """CSRF check for a POST that anonymous visitors send from a cached public page.

    Cached pages carry nothing tied to one visitor, so no CSRF token (issue 8). A
    CSRF attack borrows the victim's signed-in session; an anonymous POST (a guest
    registration, a language choice) carries no such authority. So: a signed-in
    visitor's POST needs the token as everywhere (Flask-WTF's ``protect``, a 400 when
    it is missing); an anonymous POST must not come from another site — an ``Origin``
    header (browsers send it on cross-site POSTs) naming another host is refused with
    a 400. The login form is not such a page: it keeps its token (login CSRF).
    """
    from flask import abort
    from flask_login import current_user

    from community.core.extensions import csrf

    if current_user.is_authenticated:
        csrf.protect()
        return
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(400, description=CROSS_SITE_POST)


CROSS_SITE_POST = _l(
    "Dit formulier werd vanaf een andere website verstuurd en is daarom geweigerd. "
    "Open de pagina op Bruggen zelf en probeer het opnieuw."
)
