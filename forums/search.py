"""Full-text search over thread titles and posts: SQLite FTS5 or PostgreSQL (Dutch), one function.

The schema objects the ORM does not model are in ``SEARCH_DDL`` (one list per
dialect); ``db.create_all()`` runs them through the ``after_create`` hook of the
posts table, and a migration runs the same statements (``search_ddl(dialect)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import joinedload

from community.accounts.models import Region, Theme, User
from community.accounts.permissions import can_read_members_content
from community.core.db import attach_dialect_ddl
from community.core.extensions import db
from forums.models import Category, Forum, Post, Thread
from forums.permissions import visible_forums_filter

RESULTS_PER_PAGE = 20
SNIPPET_CHARACTERS = 200  # of a post listed without search words (a member's posts)
MAX_QUERY_LENGTH = 200
# Highlight markers: Unicode private-use characters, replaced by <mark> after escaping.
START, STOP = "\ue000", "\ue001"

SEARCH_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS post_search USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')",
        "CREATE TRIGGER IF NOT EXISTS posts_search_insert AFTER INSERT ON posts BEGIN "
        "INSERT INTO post_search (rowid, title, body) "
        "SELECT new.id, threads.title, new.body FROM threads WHERE threads.id = new.thread_id; "
        "END",
        "CREATE TRIGGER IF NOT EXISTS posts_search_update AFTER UPDATE OF body, thread_id "
        "ON posts BEGIN "
        "DELETE FROM post_search WHERE rowid = old.id; "
        "INSERT INTO post_search (rowid, title, body) "
        "SELECT new.id, threads.title, new.body FROM threads WHERE threads.id = new.thread_id; "
        "END",
        "CREATE TRIGGER IF NOT EXISTS posts_search_delete AFTER DELETE ON posts BEGIN "
        "DELETE FROM post_search WHERE rowid = old.id; "
        "END",
        "CREATE TRIGGER IF NOT EXISTS threads_search_title AFTER UPDATE OF title ON threads "
        "BEGIN "
        "UPDATE post_search SET title = new.title "
        "WHERE rowid IN (SELECT id FROM posts WHERE thread_id = new.id); "
        "END",
        # Fill the index with the posts that exist already (a no-op on a new database).
        "INSERT INTO post_search (rowid, title, body) "
        "SELECT posts.id, threads.title, posts.body FROM posts "
        "JOIN threads ON threads.id = posts.thread_id "
        "WHERE posts.id NOT IN (SELECT rowid FROM post_search)",
    ],
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS ix_posts_body_search "
        "ON posts USING gin (to_tsvector('dutch'::regconfig, body))",
        "CREATE INDEX IF NOT EXISTS ix_threads_title_search "
        "ON threads USING gin (to_tsvector('dutch'::regconfig, title))",
    ],
}

DROP_DDL: dict[str, list[str]] = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS threads_search_title",
        "DROP TRIGGER IF EXISTS posts_search_insert",
        "DROP TRIGGER IF EXISTS posts_search_update",
        "DROP TRIGGER IF EXISTS posts_search_delete",
        "DROP TABLE IF EXISTS post_search",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS ix_threads_title_search",
    ],
}


# The FTS5 table as SQLAlchemy Core sees it (SQLite only; not part of the metadata).
post_search = table("post_search", column("rowid"), column("title"), column("body"))


def search_ddl(dialect: str) -> list[str]:
    """Return the statements that build the search index on ``dialect`` ("sqlite", "postgresql")."""
    return list(SEARCH_DDL.get(dialect, []))


attach_dialect_ddl(Post.__table__, SEARCH_DDL, DROP_DDL)
#: Schema objects the DDL above makes outside the models (registered in ``forums.wiring``).
UNMODELLED = ("post_search*", "ix_posts_body_search", "ix_threads_title_search")


@dataclass
class SearchHit:
    """One found post: ``title_html`` and ``snippet_html`` are escaped with ``<mark>``s."""

    post: Post
    title_html: Markup
    snippet_html: Markup


@dataclass
class SearchPage:
    """One page of results, best first; ``total`` counts every match."""

    hits: list[SearchHit]
    total: int
    page: int
    pages: int


def _marked(value: str | None) -> Markup:
    """Escape ``value`` and turn the highlight markers into ``<mark>`` elements."""
    html = str(escape(value or ""))
    return Markup(html.replace(START, "<mark>").replace(STOP, "</mark>"))


def _terms(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())[:20]


def _fts5_query(terms: list[str]) -> str:
    """Return an FTS5 query matching all ``terms`` (quoted, so no syntax gets through).

    Terms of 3+ letters match as prefix ("spijbel" finds "spijbelen"), a light
    stand-in for Dutch stemming.
    """
    return " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms)


def search_posts(
    query: str,
    *,
    theme: Theme | None = None,
    region: Region | None = None,
    category: Category | None = None,
    author_id: int | None = None,
    user: User | None,
    page: int = 1,
) -> SearchPage:
    """Search the visible posts of the forums ``user`` may read for ``query``; best first.

    Titles and posts are matched: SQLite FTS5 (bm25 ranking, title weighted 10×)
    or PostgreSQL full-text search with the 'dutch' configuration (ts_rank, title
    weight A). ``theme``, ``region``, ``category`` and ``author_id`` (the posts one
    member wrote) narrow the results. Deleted and hidden posts are never found;
    without sign-in only public forums are searched. An empty query gives no results,
    unless ``author_id`` is given: then all of that member's posts, newest first (where
    a mention of the member links to). ``page`` counts from 1.
    """
    terms = _terms(query[:MAX_QUERY_LENGTH])
    if not terms and author_id is None:
        return SearchPage([], 0, 1, 1)
    dialect = db.engine.dialect.name
    filters = [Post.is_deleted.is_(False), Post.is_hidden.is_(False)]
    if not can_read_members_content(user):
        filters.append(Forum.is_public.is_(True))
    filters.append(visible_forums_filter(user))  # the project group's forum: its members
    if theme is not None:
        filters.append(Forum.theme_id == theme.id)
    if region is not None:
        filters.append(Thread.region_id == region.id)
    if category is not None:
        filters.append(Thread.category_id == category.id)
    if author_id is not None:
        filters.append(Post.author_id == author_id)

    if not terms:
        rank = Post.created_at
        title_html = Thread.title
        snippet = func.substr(Post.body, 1, SNIPPET_CHARACTERS)
        base = select(Post.id).join(Post.thread).join(Thread.forum)
    elif dialect == "postgresql":
        config = literal_column("'dutch'::regconfig")
        tsquery = func.websearch_to_tsquery(config, " ".join(terms))
        body_vector = func.to_tsvector(config, Post.body)
        title_vector = func.to_tsvector(config, Thread.title)
        filters.append(or_(body_vector.op("@@")(tsquery), title_vector.op("@@")(tsquery)))
        options = f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=30, MinWords=10"
        rank = func.ts_rank(
            func.setweight(title_vector, literal_column("'A'::\"char\"")).op("||")(
                func.setweight(body_vector, literal_column("'B'::\"char\""))
            ),
            tsquery,
        )
        title_html = func.ts_headline(config, Thread.title, tsquery, f"{options}, HighlightAll=1")
        snippet = func.ts_headline(config, Post.body, tsquery, options)
        base = select(Post.id).join(Post.thread).join(Thread.forum)
    else:
        fts = literal_column("post_search")
        rank = func.bm25(fts, 10.0, 1.0) * -1
        title_html = func.highlight(fts, 0, START, STOP)
        snippet = func.snippet(fts, 1, START, STOP, "…", 30)
        filters.append(
            text("post_search MATCH :fts_query").bindparams(fts_query=_fts5_query(terms))
        )
        base = (
            select(Post.id)
            .join(post_search, post_search.c.rowid == Post.id)
            .join(Post.thread)
            .join(Thread.forum)
        )
    where = base.where(*filters)
    total = db.session.scalar(select(func.count()).select_from(where.subquery()))
    pages = max(1, -(-total // RESULTS_PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        where.add_columns(title_html.label("title_html"), snippet.label("snippet"))
        .order_by(rank.desc(), Post.id.desc())
        .limit(RESULTS_PER_PAGE)
        .offset((page - 1) * RESULTS_PER_PAGE)
    ).all()
    posts = {
        post.id: post
        for post in db.session.scalars(
            select(Post)
            .where(Post.id.in_([row[0] for row in rows]))
            .options(
                joinedload(Post.author),
                joinedload(Post.thread).joinedload(Thread.forum),
                joinedload(Post.thread).joinedload(Thread.region),
            )
        )
    }
    hits = [SearchHit(posts[row[0]], _marked(row[1]), _marked(row[2])) for row in rows]
    return SearchPage(hits, total, page, pages)
