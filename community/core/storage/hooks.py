"""Files and rows together: session hooks that remove files a transaction wrote or released.

A file is written before its row (content-addressed, so writing twice is
harmless) and removed after the transaction that drops its last reference
commits. The session remembers what it wrote and what it released:

- a file this transaction created is removed again when the transaction ends
  without a commit (a failed flush, a failed commit, an error page), unless a
  committed row refers to it after all;
- a released file is removed after the commit, if no row refers to it then.

Issue 6, "Database row and file are written together". The hooks are installed on
every SQLAlchemy ``Session`` by :func:`init_app`, which ``create_app`` calls.
"""

from __future__ import annotations

import logging

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from community.core.features import features
from community.core.storage.local import LocalStorage, get_storage

log = logging.getLogger(__name__)


_WRITTEN = "bruggen.storage.written"


_RELEASED = "bruggen.storage.released"


def referenced_keys(connection, keys: set[str]) -> set[str]:
    """Return those of ``keys`` that a row refers to, in the columns the features declared.

    (``Features.add_file_columns``: the library's materials, versions and attachments.)
    """
    found: set[str] = set()
    for columns in features().file_columns:
        for column in columns():
            found.update(connection.execute(select(column).where(column.in_(keys))).scalars())
    return found


def store_file(session: Session, data: bytes) -> str:
    """Save ``data`` in the app's storage and return its key (64 hex characters).

    When the file is new, it is removed again if ``session``'s transaction
    ends without a commit. Raises ``OSError`` when the disk write fails.
    """
    storage = get_storage()
    key = storage.key_for(data)
    is_new = not storage.exists(key)
    storage.save(data)
    if is_new:
        session.info.setdefault(_WRITTEN, set()).add((str(storage.root), key))
    return key


def release_file(session: Session, key: str | None) -> None:
    """Remove the file ``key`` after ``session`` commits, if no row refers to it then."""
    if key:
        root = str(get_storage().root)
        session.info.setdefault(_RELEASED, set()).add((root, key))


def _remove_unreferenced(session: Session, pending: set[tuple[str, str]]) -> None:
    keys = {key for _, key in pending}
    try:
        # A connection of its own: the session's transaction has ended. The app's sessions
        # are bound to its Engine (the tests lend theirs one connection, see tests/conftest.py).
        with session.get_bind().connect() as connection:  # type: ignore[union-attr]
            keep = referenced_keys(connection, keys)
    except Exception:  # noqa: BLE001 - when in doubt, keep the file
        log.exception("could not check file references; keeping %d file(s)", len(keys))
        return
    for root, key in pending:
        if key not in keep:
            LocalStorage(root).delete(key)
            log.info("stored file %s removed", key[:12])


def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    released = session.info.pop(_RELEASED, None)
    if released:
        _remove_unreferenced(session, released)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_RELEASED, None)
    written = session.info.pop(_WRITTEN, None)
    if written:
        log.info("transaction ended without commit: removing %d new file(s)", len(written))
        _remove_unreferenced(session, written)


def init_app(app) -> None:
    """Install the hooks on every SQLAlchemy ``Session`` (once per process; ``app`` unused)."""
    for name, hook in (
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
