"""Upload storage behind one small interface; a local folder by default."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


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
