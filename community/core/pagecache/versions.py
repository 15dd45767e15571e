"""Data versions: a commit raises the version of each scope of data it wrote, in one transaction.

Every table belongs to a *scope* (``events``, ``library``, ``forums``, ``members``,
``site``; see :data:`SCOPE_OF_TABLE`). Session hooks (:func:`track_writes`, installed on
``db.session`` by :func:`init_app`, which ``create_app`` calls through the page cache's
``init_app``) see the unit of work's writes and raise the scope's counter in the table
``data_versions`` before the commit, so a reader that sees the new rows also sees the
new version, on SQLite and on PostgreSQL, whatever process wrote. The page cache
(:mod:`community.core.pagecache.middleware`) keys its entries on these versions.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import BigInteger, String, case, event, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.selectable import ScalarSelect

from community.core.db import Base, utcnow
from community.core.extensions import db

# Which part of the site a table's rows show up in. Tables not named here count as
# "site" (regions, themes, organisations, ...: shown everywhere), so a new table
# invalidates too much rather than too little.
SCOPE_OF_TABLE: dict[str, str | None] = {
    **dict.fromkeys(
        (
            "events",
            "event_materials",
            "event_organisations",
            "event_questions",
            "event_themes",
            "invitations",
            "programme_items",
            "registrations",
            "workshop_choices",
        ),
        "events",
    ),
    **dict.fromkeys(
        (
            "materials",
            "material_versions",
            "material_tags",
            "material_tag_links",
            "material_themes",
            "practices",
            "practice_attachments",
            "practice_themes",
        ),
        "library",
    ),
    **dict.fromkeys(
        ("forums", "forum_categories", "threads", "posts", "post_revisions", "moderation_log"),
        "forums",
    ),
    # The public page of signals passed on (issue 16): published bundles and their answers.
    **dict.fromkeys(
        ("signal_bundles", "signal_answers", "signal_answer_bundles"),
        "signals",
    ),
    # The regional map (issue 15): shown on its own pages and on the region pages.
    **dict.fromkeys(
        (
            "offers",
            "offer_themes",
            "offer_providers",
            "consultation_bodies",
            "consultation_members",
            "regional_analyses",
            "analysis_points",
            "analysis_actions",
        ),
        "site",
    ),
    # Member names show on activity pages (listed participants), in the library and in
    # forum threads shown on the home page.
    "users": "members",
    # Personal or bookkeeping rows no cached page shows: writing them invalidates nothing.
    **dict.fromkeys(
        (
            "data_versions",
            "user_themes",
            "coordinator_regions",
            "outbox_messages",
            "thread_reads",
            "forum_notifications",
            "forum_preferences",
            "forum_subscriptions",
            "forum_suspensions",
            "post_reports",
            "privacy_overrides",
            # issue 17: follow-up after an activity and the agenda mail; no cached page shows them
            "evaluation_forms",
            "evaluation_requests",
            "evaluations",
            "certificates",
            "agenda_subscriptions",
            "agenda_mail_items",
            # Signals are members-only (issue 16): no cached page shows them.
            "signals",
            "signal_themes",
            "signal_recognitions",
            "signal_follows",
            "signal_log",
            "signal_links",
            "policy_notes",
            "policy_note_bundles",
            # Reporting (issue 18): for signed-in coordinators and the project group only.
            "progress_report_sections",
            "progress_reports",
            "final_reports",
            "directory_entries",  # the member directory: members only, never cached
            # Case tables (issue 19): never on a cached page.
            "case_requests",
            "case_reads",
        ),
        None,
    ),
}


SCOPES = ("events", "forums", "library", "members", "signals", "site")


DEFAULT_SCOPE = "site"


_CHANGED = "bruggen_changed_scopes"


_OPTION = "bruggen_changes_pages"


# ``statement.execution_options(**NOT_A_CHANGE_OF_PAGES)``: a write that raises no version
# (a counter whose display may lag by PAGE_CACHE_TIMEOUT, such as download counts).
NOT_A_CHANGE_OF_PAGES = {_OPTION: False}


class DataVersion(Base):
    """The version of one scope of data: raised by one on every commit that writes to it.

    ``changed_at`` is the time of that commit (aware UTC); it never goes back, also when
    a clock does. HTTP validators that must never decrease (a feed's Last-Modified, issue
    13 item 11) use it for data that has no time of its own, such as a region's name.
    """

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    changed_at: Mapped[dt.datetime | None]


def scope_of(table_name: str) -> str | None:
    """Return the scope of ``table_name``: a name of :data:`SCOPES`, or None (none)."""
    return SCOPE_OF_TABLE.get(table_name, DEFAULT_SCOPE)


def _remember(session_: Session, table_names: Iterable[str]) -> None:
    scopes = {scope_of(name) for name in table_names} - {None}
    if scopes:
        session_.info.setdefault(_CHANGED, set()).update(scopes)


def _before_flush(session_: Session, flush_context, instances) -> None:
    tables = [type(obj).__table__.name for obj in session_.new]
    tables += [type(obj).__table__.name for obj in session_.deleted]
    tables += [
        type(obj).__table__.name
        for obj in session_.dirty
        if session_.is_modified(obj, include_collections=True)
    ]
    _remember(session_, tables)


def _do_orm_execute(state) -> None:
    if state.execution_options.get(_OPTION, True) is False:
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None):
            _remember(state.session, [table.name])


def _before_commit(session_: Session) -> None:
    session_.flush()
    scopes = session_.info.pop(_CHANGED, None)
    if scopes:
        bump(session_, sorted(scopes))
        session_.info[_BUMPED] = True


def _after_commit(session_: Session) -> None:
    global _local_commits
    if session_.info.pop(_BUMPED, False):
        _local_commits += 1


def _forget(session_: Session, *args) -> None:
    session_.info.pop(_CHANGED, None)
    session_.info.pop(_BUMPED, None)


_BUMPED = "bruggen_bumped_versions"
# Commits of this process that raised a version, counted after they committed (issue 14):
# the page cache reads the versions again whenever this moved since it last read them.
_local_commits = 0


def local_commits() -> int:
    """Return how many commits of this process raised a data version so far.

    Counted in ``after_commit``: a reader that takes this number *before* it reads the
    versions and finds it unchanged later knows no commit of this process came after its
    read (the page cache's memo of the versions, ``PAGE_CACHE_VERSIONS_SECONDS``).
    """
    return _local_commits


def bump(session_: Session, scopes: Iterable[str]) -> None:
    """Raise the version of each of ``scopes`` by one in ``session_``'s transaction.

    Runs an upsert (``INSERT … ON CONFLICT DO UPDATE``, SQLite ≥ 3.24 and PostgreSQL),
    so a database made with ``create_all`` needs no rows beforehand; a new row starts
    at the current time in microseconds. ``changed_at`` becomes now, unless it is
    already later (a clock that went back). One statement for
    all scopes, rows in sorted order: two committing transactions lock them in the same
    order (no deadlock on PostgreSQL).
    """
    # Either dialect's insert() has the same on_conflict_do_update().
    dialect_insert: Callable[..., Any]
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    # A new row starts at the time in microseconds, not at 1: a database made anew (a
    # test, a restore) never repeats versions that a shared cache may still hold.
    start = time.time_ns() // 1000
    now = utcnow()
    statement = dialect_insert(DataVersion).values(
        [{"scope": scope, "version": start, "changed_at": now} for scope in sorted(scopes)]
    )
    later = case(
        (DataVersion.changed_at > now, DataVersion.changed_at),
        else_=literal(now, DataVersion.changed_at.type),
    )
    statement = statement.on_conflict_do_update(
        index_elements=["scope"], set_={"version": DataVersion.version + 1, "changed_at": later}
    )
    session_.execute(statement)


def track_writes(session_factory) -> None:
    """Make every commit of ``session_factory``'s sessions raise the versions it changed.

    Writes are seen in the unit of work (new, changed and deleted objects) and in
    ORM-executed INSERT/UPDATE/DELETE statements (bulk updates such as the seat lock of
    a registration). Writes through a bare engine connection are not seen.
    """
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "do_orm_execute", _do_orm_execute)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_rollback", _forget)
    event.listen(session_factory, "after_soft_rollback", _forget)


VERSIONS_SQL = "SELECT scope, version FROM data_versions"


def read_versions(connection) -> dict[str, int]:
    """Return ``{scope: version}`` read through ``connection`` (a missing scope is 0).

    ``connection`` is a SQLAlchemy ``Connection`` (the middleware: the plain SQL
    text, no statement to build on every request) or a ``Session``.
    """
    if hasattr(connection, "exec_driver_sql"):
        rows = connection.exec_driver_sql(VERSIONS_SQL).all()
    else:
        rows = connection.execute(select(DataVersion.scope, DataVersion.version)).all()
    versions = dict.fromkeys(SCOPES, 0)
    versions.update({scope: version for scope, version in rows})
    return versions


def changed_at(scope: str) -> ScalarSelect[dt.datetime | None]:
    """The time of the last commit that wrote to ``scope`` (aware UTC), as a scalar subquery
    to put in another statement (None while nothing was written)."""
    return select(DataVersion.changed_at).where(DataVersion.scope == scope).scalar_subquery()


def version_of(scope: str) -> ScalarSelect[int]:
    """The version of ``scope`` as a scalar subquery (None while nothing was written)."""
    return select(DataVersion.version).where(DataVersion.scope == scope).scalar_subquery()


def current_versions() -> dict[str, int]:
    """The versions as the current request's database session sees them."""
    return read_versions(db.session)


_tracking = False


def init_app(app) -> None:
    """Install :func:`track_writes` on ``db.session`` (once per process; ``app`` unused)."""
    global _tracking
    if not _tracking:
        track_writes(db.session)
        _tracking = True
