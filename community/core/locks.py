"""Row locks for edits that replace association rows (issue 13, item 8, "Double submit").

An edit that sets a collection backed by an association table (``user.themes =
[...]``, ``event.organisations = [...]``) makes SQLAlchemy compare the rows it loaded
with the new list and write the difference. Two such edits of one object at the same
moment (a double click) both compare against the same old rows: both insert the same
new row (a unique violation) or both delete the same old one (``StaleDataError``),
and on PostgreSQL one request answers 500. The same holds for rows an edit creates
once per owner (a member's forum preference, a subscription).

:func:`lock_for_update` makes such edits take turns: the second waits until the first
commits, then reads the rows as the first left them. A double click saves twice with
the same values; two people editing one object one after the other each see their
own edit saved, as without concurrency.
"""

from __future__ import annotations

from sqlalchemy import and_, inspect, select, update
from sqlalchemy.orm import Session, object_session

from community.core.extensions import db


def lock_for_update(obj: object, session: Session | None = None) -> None:
    """Wait for and take the lock of ``obj``'s row until the transaction ends; then every
    attribute of ``obj`` (its collections too) is read again, as the lock found it.

    PostgreSQL: ``SELECT ... FOR UPDATE`` of the row. SQLite has no row locks: an
    ``UPDATE`` that changes nothing takes its database write lock, which serialises
    writers all the same. Call it before changing ``obj``: changes not yet flushed to
    ``obj`` itself are discarded. ``obj`` must be persistent (loaded or flushed).
    """
    # current_user is a proxy of the signed-in User: lock the User itself.
    obj = getattr(obj, "_get_current_object", lambda: obj)()
    session = session or object_session(obj) or db.session()
    state = inspect(obj)
    mapper = state.mapper
    identity = state.identity
    assert identity is not None, "lock_for_update needs a persistent object"
    key = [column == value for column, value in zip(mapper.primary_key, identity, strict=True)]
    connection = session.connection(bind_arguments={"mapper": mapper})
    if connection.dialect.name == "postgresql":
        connection.execute(select(*mapper.primary_key).where(and_(*key)).with_for_update())
    else:
        first = mapper.primary_key[0]
        table = mapper.local_table
        connection.execute(update(table).where(and_(*key)).values({first.name: first}))
    session.expire(obj)
