"""Full-text search over the offer catalogue: SQLite FTS5 or PostgreSQL (Dutch), as the forums.

The same machinery as ``forums.search``: on SQLite an FTS5 table ``offer_search`` kept
by triggers on ``offers``; on PostgreSQL GIN indexes on ``to_tsvector('dutch', ...)``.
``db.create_all()`` runs the statements through the ``after_create`` hook of the
offers table; the migration runs the same (:func:`search_ddl`).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, literal_column, text

from community.core.db import attach_dialect_ddl
from community.core.extensions import db
from forums.search import MAX_QUERY_LENGTH
from regionmap.models import Offer

_BODY_SQLITE = (
    "coalesce({p}.description, '') || ' ' || coalesce({p}.target_group, '') || ' ' || "
    "coalesce({p}.municipality, '') || ' ' || coalesce({p}.how_to_refer, '')"
)

_PG_DOCUMENT = (
    "to_tsvector('dutch'::regconfig, coalesce(offers.title, '') || ' ' || "
    "coalesce(offers.description, '') || ' ' || coalesce(offers.target_group, '') || ' ' || "
    "coalesce(offers.municipality, '') || ' ' || coalesce(offers.how_to_refer, ''))"
)

SEARCH_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS offer_search USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')",
        "CREATE TRIGGER IF NOT EXISTS offers_search_insert AFTER INSERT ON offers BEGIN "
        "INSERT INTO offer_search (rowid, title, body) VALUES (new.id, new.title, "
        + _BODY_SQLITE.format(p="new")
        + "); END",
        "CREATE TRIGGER IF NOT EXISTS offers_search_update AFTER UPDATE OF "
        "title, description, target_group, municipality, how_to_refer ON offers BEGIN "
        "DELETE FROM offer_search WHERE rowid = old.id; "
        "INSERT INTO offer_search (rowid, title, body) VALUES (new.id, new.title, "
        + _BODY_SQLITE.format(p="new")
        + "); END",
        "CREATE TRIGGER IF NOT EXISTS offers_search_delete AFTER DELETE ON offers BEGIN "
        "DELETE FROM offer_search WHERE rowid = old.id; END",
        "INSERT INTO offer_search (rowid, title, body) SELECT offers.id, offers.title, "
        + _BODY_SQLITE.format(p="offers")
        + " FROM offers WHERE offers.id NOT IN (SELECT rowid FROM offer_search)",
    ],
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS ix_offers_search ON offers USING gin ("
        + _PG_DOCUMENT.replace("offers.", "")
        + ")",
    ],
}

DROP_DDL: dict[str, list[str]] = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS offers_search_insert",
        "DROP TRIGGER IF EXISTS offers_search_update",
        "DROP TRIGGER IF EXISTS offers_search_delete",
        "DROP TABLE IF EXISTS offer_search",
    ],
    "postgresql": ["DROP INDEX IF EXISTS ix_offers_search"],
}

#: Schema objects made by the DDL above (registered in ``regionmap.wiring``).
UNMODELLED = ("offer_search*", "ix_offers_search")


def search_ddl(dialect: str) -> list[str]:
    """Return the statements that build the offer search index on ``dialect``."""
    return list(SEARCH_DDL.get(dialect, []))


def drop_ddl(dialect: str) -> list[str]:
    """Return the statements that remove the offer search index on ``dialect``."""
    return list(DROP_DDL.get(dialect, []))


attach_dialect_ddl(Offer.__table__, SEARCH_DDL, DROP_DDL)


def search_terms(query: str) -> list[str]:
    """Return the words of ``query`` (lower case, at most 20, letters and digits only)."""
    return re.findall(r"\w+", query[:MAX_QUERY_LENGTH].lower())[:20]


def offer_match(terms: list[str]) -> ColumnElement[bool] | None:
    """Return a WHERE clause: offers whose title or text match all ``terms``; None for none.

    Terms of 3+ letters match as prefix ("spijbel" finds "spijbelen"), on both databases:
    FTS5 ``"term"*`` on SQLite, ``to_tsquery('dutch', 'term:*')`` on PostgreSQL. Terms are
    ``\\w+`` only (:func:`search_terms`), so no query syntax gets through.
    """
    if not terms:
        return None
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"{t}:*" if len(t) >= 3 else t for t in terms)
        # the indexed expression, so the index serves
        document: ColumnElement[str] = literal_column(_PG_DOCUMENT)
        tsquery = func.to_tsquery(literal_column("'dutch'::regconfig"), query)
        return document.op("@@")(tsquery)
    fts_query = " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms)
    return Offer.id.in_(
        text("SELECT rowid FROM offer_search WHERE offer_search MATCH :offer_query")
        .bindparams(offer_query=fts_query)
        .columns(literal_column("rowid"))
    )
