"""Declarative base, constraint naming convention, the UTC datetime type, folded copies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DDL, DateTime, FromClause, MetaData, TypeDecorator, event, inspect
from sqlalchemy.orm import DeclarativeBase, registry

from community.core.text import fold

# Alembic needs named constraints to alter tables on SQLite (batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def iso_utc(value: dt.datetime | None) -> str | None:
    """An aware datetime as ISO 8601 with its offset ("2027-03-04T09:30:00+00:00"); None stays
    None. For data exports (GDPR art. 20: machine-readable)."""
    return value.isoformat() if value is not None else None


class UTCDateTime(TypeDecorator):
    """A datetime stored in UTC and always returned timezone-aware (tzinfo=UTC).

    SQLite keeps no offset and PostgreSQL's ``timestamptz`` returns the session's
    zone; this type normalises both to UTC. Naive datetimes are refused with
    ``ValueError``: every time in Bruggen is aware (DESIGN.md, "Storage").
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Bruggen stores aware UTC datetimes only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base of all models: named constraints and aware UTC datetimes."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def keep_folded_copy(model: type, target: str, sources: tuple[str, ...]) -> None:
    """Keep column ``target`` of ``model`` equal to ``fold`` of its ``sources``, on every write.

    The copy is the ``sources``' text joined by newlines and folded
    (:func:`community.core.text.fold`), written on insert and on any update that
    changes a source (an update of other columns, a download count say, costs
    nothing). Searching compares a folded word with it (``LIKE``), so accents and
    case are ignored the same way on SQLite and PostgreSQL: neither database
    folds like Python does (SQLite's ``lower`` knows ASCII only; PostgreSQL's
    ``unaccent`` is an extension with its own rules). Rows written by Core
    ``INSERT`` statements (the benchmark's seed) must fill the copy themselves.
    """

    def folded(row) -> str:
        return fold("\n".join(getattr(row, name) or "" for name in sources))

    @event.listens_for(model, "before_insert")
    def _on_insert(mapper, connection, row) -> None:
        setattr(row, target, folded(row))

    @event.listens_for(model, "before_update")
    def _on_update(mapper, connection, row) -> None:
        state = inspect(row)
        if any(state.attrs[name].history.has_changes() for name in sources):
            setattr(row, target, folded(row))


def attach_dialect_ddl(
    table: FromClause, create: dict[str, list[str]], drop: dict[str, list[str]]
) -> None:
    """Run ``create[dialect]`` after ``table`` is made and ``drop[dialect]`` before it is dropped.

    For schema objects the models do not describe (full-text search tables, triggers and
    indexes per database: ``forums.search``, ``regionmap.search``); each statement runs
    only on its own dialect ("sqlite", "postgresql"). The migrations make the same objects.
    ``table`` is a model's ``__table__`` (a :class:`sqlalchemy.Table`).
    """
    for dialect, statements in create.items():
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
    for dialect, statements in drop.items():
        for statement in statements:
            event.listen(table, "before_drop", DDL(statement).execute_if(dialect=dialect))
