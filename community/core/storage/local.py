"""Upload storage behind one small interface; a local folder by default."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

#: Names of the partial files :meth:`LocalStorage.save` writes before the atomic rename.
TEMP_PREFIX, TEMP_SUFFIX = ".upload-", ".part"


_SHARD = re.compile(r"[0-9a-f]{2}")


_KEY = re.compile(r"[0-9a-f]{64}")


class LocalStorage:
    """Files in one folder, each stored under the SHA-256 of its content.

    The key is made by the server (64 hex characters), never from a user's file
    name, so no upload can write or remove outside ``root``. A file is stored in
    ``root/<first two characters of its key>/<key>``.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Return the path of ``key``; raises ``ValueError`` for anything but a SHA-256 hex key."""
        if not is_key(key):
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key

    @staticmethod
    def key_for(data: bytes) -> str:
        """Return the key ``data`` is stored under: its SHA-256 in lowercase hex."""
        return hashlib.sha256(data).hexdigest()

    def save(self, data: bytes) -> str:
        """Store ``data`` (written atomically) and return its key; storing twice is harmless.

        A file already stored gets its modification time set to now instead: the upload
        sweep (:mod:`community.core.storage.sweep`) never removes a file that young, so
        a row committed just after this call always finds its file.
        """
        key = self.key_for(data)
        target = self.path(key)
        try:
            os.utime(target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return key

    def exists(self, key: str) -> bool:
        """Return True when a file is stored under ``key``."""
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        """Remove the file stored under ``key``, if any."""
        self.path(key).unlink(missing_ok=True)

    def shards(self) -> Iterator[Path]:
        """The folders files are stored in (``root/00`` … ``root/ff``) that exist."""
        if not self.root.is_dir():
            return
        for entry in sorted(self.root.iterdir()):
            if _SHARD.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
                yield entry


def is_key(name: str) -> bool:
    """Return True when ``name`` is a storage key (64 lowercase hex characters)."""
    return _KEY.fullmatch(name) is not None


def get_storage() -> LocalStorage:
    """Return the storage of the current app (``UPLOAD_FOLDER``)."""
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])
