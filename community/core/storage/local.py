"""Upload storage behind one small interface; a local folder by default."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class LocalStorage:
    """Files in one folder, each stored under the SHA-256 of its content.

    The key is made by the server (64 hex characters), never from a user's file
    name, so no upload can write or remove outside ``root``.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Return the path of ``key``; raises ``ValueError`` for anything but a SHA-256 hex key."""
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key

    @staticmethod
    def key_for(data: bytes) -> str:
        """Return the key ``data`` is stored under: its SHA-256 in lowercase hex."""
        return hashlib.sha256(data).hexdigest()

    def save(self, data: bytes) -> str:
        """Store ``data`` (written atomically) and return its key; storing twice is harmless."""
        key = self.key_for(data)
        target = self.path(key)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        return key

    def exists(self, key: str) -> bool:
        """Return True when a file is stored under ``key``."""
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        """Remove the file stored under ``key``, if any."""
        self.path(key).unlink(missing_ok=True)


def get_storage() -> LocalStorage:
    """Return the storage of the current app (``UPLOAD_FOLDER``)."""
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


# --- files and rows together ---------------------------------------------------
#
# A file is written before its row (content-addressed, so writing twice is
# harmless) and removed after the transaction that drops its last reference
# commits. The session remembers what it wrote and what it released:
# - a file this transaction created is removed again when the transaction ends
#   without a commit (a failed flush, a failed commit, an error page), unless a
#   committed row refers to it after all;
# - a released file is removed after the commit, if no row refers to it then.
# Issue 6, "Database row and file are written together".

_WRITTEN = "bruggen.storage.written"
_RELEASED = "bruggen.storage.released"


def _file_reference_columns():
    from community.library.models import Material, MaterialVersion, PracticeAttachment

    return (Material.file_key, MaterialVersion.file_key, PracticeAttachment.file_key)


def referenced_keys(connection, keys: set[str]) -> set[str]:
    """Return those of ``keys`` that a material, version or attachment row refers to."""
    found: set[str] = set()
    for column in _file_reference_columns():
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
        bind = session.get_bind()
        # The app's sessions are bound to its Engine; a Connection bind (which has no
        # connect()) ends in the except below, as it always did.
        assert isinstance(bind, Engine)
        with bind.connect() as connection:
            keep = referenced_keys(connection, keys)
    except Exception:  # noqa: BLE001 - when in doubt, keep the file
        log.exception("could not check file references; keeping %d file(s)", len(keys))
        return
    for root, key in pending:
        if key not in keep:
            LocalStorage(root).delete(key)
            log.info("stored file %s removed", key[:12])


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    released = session.info.pop(_RELEASED, None)
    if released:
        _remove_unreferenced(session, released)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_RELEASED, None)
    written = session.info.pop(_WRITTEN, None)
    if written:
        log.info("transaction ended without commit: removing %d new file(s)", len(written))
        _remove_unreferenced(session, written)
