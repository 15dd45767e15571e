"""Configuration of Bruggen: defaults, ``instance/config.py``, environment, test settings.

Read once by :func:`load_config` in ``create_app`` (DESIGN.md, "Factory and wiring").
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # set from instance/ when not configured
    "BRUGGEN_ENV": "development",
    "BRUGGEN_BASE_URL": "http://127.0.0.1:5000",
    "BABEL_DEFAULT_LOCALE": "nl_BE",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
    "LANGUAGES": ["nl", "en"],
    "MAIL_BACKEND": "console",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "Bruggen <no-reply@bruggen.example.org>",
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "UPLOAD_FOLDER": None,  # instance/uploads when not configured
    "REDIS_URL": None,
    "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,  # seconds
    "RESET_TOKEN_MAX_AGE": 2 * 3600,  # seconds
    "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,  # seconds
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    # Werkzeug's generate_password_hash method for new passwords; tests use a cheap one.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Privacy (issue 7): days kept before ``flask purge`` anonymises or removes.
    "GUEST_RETENTION_DAYS": 365,  # guest registrations, counted from the activity's end
    "MAIL_RETENTION_DAYS": 90,  # sent mails in the outbox
    "CERTIFICATE_RETENTION_DAYS": 3 * 365,  # attendance certificates, from the activity's end
    "CASE_RETENTION_DAYS": 90,  # case texts, from the case's closing; at most 365 (issue 19)
    # ``flask sweep-uploads`` removes unreferenced and partial upload files older than this.
    "UPLOAD_SWEEP_AFTER_HOURS": 24,
    "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
    # Redis down (issue 13, item 5): Flask-Limiter logs a warning and counts in this
    # process until Redis answers its health check again (it retries, backing off to
    # 32 s); an error of the limit storage never fails a request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "PROXY_COUNT": 0,  # reverse proxies in front (X-Forwarded-For), for limits per IP address
    # Issue 14: downloads are tallied and written at most this often per process (seconds).
    "DOWNLOAD_FLUSH_SECONDS": 10,
    # Issue 14: the page cache trusts data versions it read this long ago (seconds; 0: never).
    "PAGE_CACHE_VERSIONS_SECONDS": 1.0,
}

# Environment variables read in production (README, "Production").
ENV_SETTINGS = {
    "SECRET_KEY": str,
    "BRUGGEN_ENV": str,
    "BRUGGEN_BASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_BACKEND": str,
    "REDIS_URL": str,
    "UPLOAD_FOLDER": str,
    "PROXY_COUNT": int,
    "GUEST_RETENTION_DAYS": int,
    "CERTIFICATE_RETENTION_DAYS": int,
    "CASE_RETENTION_DAYS": int,
}

MISSING_SECRET_KEY = (
    "Bruggen start niet: in productie (BRUGGEN_ENV=production) is de omgevingsvariabele "
    "SECRET_KEY verplicht, zodat sessies en links in mails niet te vervalsen zijn."
)


SHORT_SECRET_KEY = (
    "Bruggen start niet: SECRET_KEY is te kort voor productie (minstens {n} tekens, "
    "bv. de uitvoer van: python -c 'import secrets; print(secrets.token_hex(32))')."
)
MIN_SECRET_KEY_LENGTH = 24

# gunicorn stops (instead of restarting workers forever) when a worker exits with 3.
EXIT_CONFIG_ERROR = 3


def refuse_to_start(message: str) -> None:
    """Print ``message`` (one line) on stderr and exit with status 3 (gunicorn halts)."""
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_CONFIG_ERROR)


def database_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver for PostgreSQL URLs.

    Hosting platforms give ``postgres://`` or ``postgresql://``; SQLAlchemy
    needs ``postgresql+psycopg://`` to pick psycopg 3. Other URLs pass unchanged.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config``: defaults, ``instance/config.py``, environment, ``test_config``.

    In production mode (``BRUGGEN_ENV=production``, any case) a missing or short
    SECRET_KEY prints a one-line reason and exits with status 3. Outside
    production a key is generated once and kept in ``instance/secret_key``.
    """
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, kind in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = kind(os.environ[name])
    if "MAIL_USE_TLS" in os.environ:
        app.config["MAIL_USE_TLS"] = _env_bool(os.environ["MAIL_USE_TLS"])
    if "DATABASE_URL" in os.environ:
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("MAIL_SERVER") and "MAIL_BACKEND" not in os.environ:
        app.config["MAIL_BACKEND"] = "smtp"
    if test_config:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = str(app.config["BRUGGEN_ENV"]).strip().lower() == "production"
    app.config["BRUGGEN_ENV"] = "production" if production else app.config["BRUGGEN_ENV"]
    if production and len(app.config.get("SECRET_KEY") or "") < MIN_SECRET_KEY_LENGTH:
        if not app.config.get("SECRET_KEY"):
            refuse_to_start(MISSING_SECRET_KEY)
        refuse_to_start(SHORT_SECRET_KEY.format(n=MIN_SECRET_KEY_LENGTH))
    if not app.config.get("SECRET_KEY"):
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if production:
        # Flask's defaults are False; production serves over HTTPS only.
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if name not in (test_config or {}):
                app.config[name] = True
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or f"sqlite:///{instance / 'bruggen.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(uri)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Registrations take SQLite's write lock and wait for it (issue 3, "No overbooking").
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that does not answer: give up after 5 s and answer 503, rather
        # than hold the worker for the system's TCP timeout (issue 13, item 6).
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"connect_timeout": 5}})
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
