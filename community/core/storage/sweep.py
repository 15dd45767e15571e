"""The upload sweep: stored files no row names, and partial files, left by a killed worker.

An upload writes its file before the row that names it (``hooks.store_file``), through a
temporary file renamed into place (``LocalStorage.save``). A worker killed in between
(``kill -9``, a crash, a machine that goes down) leaves a file no row names, or a
partial temporary file; the session hooks that clean up after a failed transaction
never run. :func:`sweep_uploads` (``flask sweep-uploads``, daily from cron) removes both,
once they are older than a safe age (``UPLOAD_SWEEP_AFTER_HOURS``, default 24): a
younger file may belong to an upload whose transaction has not committed yet.

A file that a row names (the columns the features declared with
``Features.add_file_columns``) is never removed. To be sure of that while uploads go on,
a candidate is first moved aside (renamed to ``.sweep-<key>``), then the references and
its age are read once more: an upload of the same content in the meantime either
touched the file before the move (so it is young now and goes back) or found it gone
and wrote it again. Issue 13, item 7.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from community.core.storage.hooks import referenced_keys
from community.core.storage.local import LocalStorage, is_key

log = logging.getLogger(__name__)

#: Prefix of a stored file moved aside while the sweep checks it once more.
ASIDE_PREFIX = ".sweep-"


DEFAULT_AFTER = dt.timedelta(hours=24)


BATCH = 500  # keys per reference query


@dataclass
class SweepReport:
    """What one sweep did: files removed and files it kept, by reason."""

    unreferenced_removed: int = 0
    temporary_removed: int = 0
    referenced_kept: int = 0
    young_kept: int = 0


def sweep_uploads(
    storage: LocalStorage,
    connection: Connection,
    *,
    older_than: dt.timedelta = DEFAULT_AFTER,
    now: float | None = None,
) -> SweepReport:
    """Remove stored files no row names and partial files, both older than ``older_than``.

    ``connection`` reads the references (outside any long transaction, so it sees what
    other processes committed); ``now`` is a POSIX timestamp (default: the clock).
    Files are judged by their modification time. Only the storage's own folders
    (``root/00`` … ``root/ff``) are looked at; anything else in ``root`` stays.
    Returns a :class:`SweepReport`. Raises ``OSError`` when the folder cannot be read.
    """
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    report = SweepReport()
    candidates: list[Path] = []
    for shard in storage.shards():
        for path in sorted(shard.iterdir()):
            if path.name.startswith(ASIDE_PREFIX):
                path = _put_back(path)  # a sweep was stopped halfway: judge it again
            try:
                if not path.is_file() or path.is_symlink():
                    continue
                modified = path.stat().st_mtime
            except FileNotFoundError:
                continue  # removed meanwhile
            if modified > cutoff:
                report.young_kept += 1
            elif is_key(path.name) and path.name[:2] == shard.name:
                candidates.append(path)
            else:
                path.unlink(missing_ok=True)
                report.temporary_removed += 1
                log.info("upload sweep: partial file %s removed", path.name)
    for start in range(0, len(candidates), BATCH):
        _sweep_batch(candidates[start : start + BATCH], connection, cutoff, report)
    return report


def _sweep_batch(
    paths: list[Path], connection: Connection, cutoff: float, report: SweepReport
) -> None:
    named = referenced_keys(connection, {path.name for path in paths})
    report.referenced_kept += sum(path.name in named for path in paths)
    aside: list[tuple[Path, Path]] = []
    for path in paths:
        if path.name in named:
            continue
        moved = path.with_name(ASIDE_PREFIX + path.name)
        try:
            path.rename(moved)
        except FileNotFoundError:
            continue  # removed meanwhile (the session hooks of a failed upload)
        aside.append((path, moved))
    if not aside:
        return
    # Once more, now that no upload can find these files: one that touched or named a
    # file before it was moved is seen here.
    named = referenced_keys(connection, {path.name for path, _ in aside})
    for path, moved in aside:
        if path.name in named or moved.stat().st_mtime > cutoff:
            os.replace(moved, path)  # an upload may have written it again: same content
            report.referenced_kept += path.name in named
            report.young_kept += path.name not in named
            continue
        moved.unlink()
        report.unreferenced_removed += 1
        log.info("upload sweep: unreferenced file %s removed", path.name[:12])


def _put_back(moved: Path) -> Path:
    """Return a file moved aside by an interrupted sweep to its name; return that path."""
    path = moved.with_name(moved.name.removeprefix(ASIDE_PREFIX))
    if is_key(path.name):
        os.replace(moved, path)
        return path
    return moved
