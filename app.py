"""Application factory of Bruggen: ``flask --app app run`` or gunicorn ``"app:create_app()"``.

Everything is wired here, each kind in one list: the feature packages that register
with the base (:data:`FEATURES`), the blueprints (:data:`BLUEPRINTS`) and the
command-line commands (:data:`CLI_COMMANDS`).
"""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.utils import import_string

from community.core.config import (
    MISSING_SECRET_KEY,
    SHORT_SECRET_KEY,
    database_url,
    load_config,
)

__all__ = ["create_app", "database_url", "load_config", "MISSING_SECRET_KEY", "SHORT_SECRET_KEY"]

#: ``register(features)`` of each feature package, in order (``community.core.features``).
FEATURES = (
    "community.accounts.wiring:register",
    "community.library.wiring:register",
    "community.gdpr.wiring:register",
    "events.wiring:register",
    "forums.wiring:register",
    "signals.wiring:register",
    "reporting.wiring:register",
    "regionmap.wiring:register",
    "casetables.wiring:register",
)

#: Every blueprint, in order of registration.
BLUEPRINTS = (
    "community.site.views:bp",  # home, regions, a region
    "community.accounts.views:bp",  # sign-up, login, profile, admin
    "community.library.views:bp",  # materials, practices
    "community.gdpr.views:bp",  # privacy statement, data export, account deletion
    "events.views:bp",  # agenda, activities, registration, calendar feeds
    "events.views.manage:bp",  # organiser pages
    "forums.views:bp",  # forums, threads, posting, moderation, subscriptions
    "signals.views:bp",  # signals, recognitions, bundles, policy notes, answers
    "reporting.views:bp",  # statistics, progress reports, the project group
    "regionmap.views:bp",  # offer catalogue, organisations, consultation bodies, analyses
    "casetables.views:bp",  # case tables: request, intake, the table, notes, outcome
)

#: The ``COMMANDS`` of each package's ``cli`` module (``flask <command>``; cron: README).
CLI_COMMANDS = (
    "community.core.mail.cli:COMMANDS",  # send-mail
    "community.core.storage.cli:COMMANDS",  # sweep-uploads
    "community.accounts.cli:COMMANDS",  # create-admin, load-reference-data
    "community.gdpr.cli:COMMANDS",  # purge
    "events.cli:COMMANDS",  # send-reminders, release-expired-registrations
    "forums.cli:COMMANDS",  # send-forum-digest
    "signals.cli:COMMANDS",  # (none yet)
    "casetables.cli:COMMANDS",  # case follow-up reminders
    "demo.cli:COMMANDS",  # seed-demo
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Bruggen application.

    ``test_config`` (a dict) overrides every other source of configuration;
    tests pass their settings here and never change ``os.environ``.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from community.accounts import auth
    from community.core import (
        error_pages,
        features,
        fragments,
        i18n,
        input_guard,
        migrations,
        routing,
        security,
        templating,
    )
    from community.core.extensions import csrf, db, limiter, login_manager, mail
    from community.core.mail import outbox
    from community.core.pagecache import middleware as pagecache
    from community.core.storage import hooks as storage_hooks

    routing.init_app(app)
    input_guard.init_app(app)  # control characters: before any other hook (issue 13, item 9)
    db.init_app(app)
    # ``flask db``: Flask-Migrate and Alembic are imported when it runs (issue 14).
    app.cli.add_command(migrations.MIGRATION_COMMANDS)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    # Shared between instances through Redis when configured (DESIGN.md, "Scale-out").
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # A Redis that does not answer is given up on after 1 s (then: RATELIMIT_IN_MEMORY_FALLBACK).
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
    # The limiter is one object for every app of the process: say it explicitly, else an
    # app made with RATELIMIT_ENABLED=False (a test) switches the limits off for later apps.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    fragments.init_app(app)  # shared parts of members' pages (issue 14)
    error_pages.init_app(app)
    # Inside the proxy fix of ``security``: cache keys see the visitor's scheme and host.
    pagecache.init_app(app)
    security.init_app(app)
    outbox.init_app(app)
    storage_hooks.init_app(app)
    features.init_app(app, [import_string(name) for name in FEATURES])

    for name in BLUEPRINTS:
        app.register_blueprint(import_string(name))
    for name in CLI_COMMANDS:
        for command in import_string(name):
            app.cli.add_command(command)
    return app
