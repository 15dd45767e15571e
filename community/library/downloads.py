"""Download counts off the request path: counted in Redis or in the process, written in batches.

Issue 14: a download used to UPDATE ``materials.download_count`` and commit, a
write (an fsync on SQLite) for every file served. Now a download adds one to a
tally — a Redis hash shared by all processes when ``REDIS_URL`` is set, else a
counter in this process — and the tally is added to the column in one
transaction (one UPDATE per material) at most every ``DOWNLOAD_FLUSH_SECONDS``
(default 10), after a response has been sent (``Response.call_on_close``), when
the process exits, and whenever a page shows the figure of a material with
counts pending (:func:`settle`).

What the figures mean (the "Downloads" line of a material's page, the library's
"most downloaded" order):

* **Exact where shown.** The material page settles the tally before it reads the
  column, so it shows every download counted so far (with Redis: by any process;
  without: those of this process, see below).
* **Bounded lag elsewhere.** The column, and so the "most downloaded" order,
  lags by at most ``DOWNLOAD_FLUSH_SECONDS`` plus the time to the next response of
  a process holding counts.
* **Losses.** With Redis, none when a worker dies (the counts are in Redis; a
  failed database write puts them back). Without Redis each process keeps its
  own counts: a process killed without exiting (SIGKILL, out of memory) loses
  at most what it counted since its last flush. A Redis error falls back to the
  process's counter.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import threading
import time
from collections import Counter

from flask import Flask, Response, after_this_request, current_app
from sqlalchemy import bindparam, update
from werkzeug.wsgi import ClosingIterator

from community.core.extensions import db
from community.core.pagecache.versions import NOT_A_CHANGE_OF_PAGES
from community.library.models import Material

log = logging.getLogger(__name__)

EXTENSION = "bruggen_downloads"


class DownloadTally:
    """Downloads counted and not yet added to ``materials.download_count``, by material id."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config.get("DOWNLOAD_FLUSH_SECONDS", 10))
        self.local: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.flushed_at = time.monotonic()
        self.redis = None
        # One hash per database: two sites sharing a Redis never add up each other's counts.
        with app.app_context():
            url = db.engine.url.render_as_string(hide_password=True)
        self.key = "bruggen:downloads:" + hashlib.sha256(url.encode()).hexdigest()[:16]
        if app.config.get("REDIS_URL"):
            import redis

            self.redis = redis.Redis.from_url(
                app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1
            )

    def add(self, material_id: int) -> None:
        """Count one download of ``material_id`` (no database access)."""
        if self.redis is not None:
            try:
                self.redis.hincrby(self.key, str(material_id), 1)
                return
            except Exception as error:  # noqa: BLE001 - Redis down: count here instead
                log.warning("download tally: Redis failed (%s); counting in this process", error)
        with self.lock:
            self.local[material_id] += 1

    def pending(self, material_id: int) -> int:
        """Return the downloads of ``material_id`` counted and not yet written."""
        count = self.local.get(material_id, 0)
        if self.redis is not None:
            with contextlib.suppress(Exception):  # Redis down: what this process holds
                count += int(self.redis.hget(self.key, str(material_id)) or 0)
        return count

    def due(self) -> bool:
        """True when the last flush of this process is ``interval`` seconds ago or more."""
        return time.monotonic() - self.flushed_at >= self.interval

    def _take(self) -> Counter[int]:
        with self.lock:
            taken, self.local = self.local, Counter()
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=True)
                pipe.hgetall(self.key)
                pipe.delete(self.key)
                shared, _ = pipe.execute()
                taken.update({int(key): int(value) for key, value in shared.items()})
            except Exception as error:  # noqa: BLE001 - the shared counts wait for the next flush
                log.warning("download tally: could not read Redis (%s)", error)
        return taken

    def _give_back(self, counts: Counter[int]) -> None:
        with self.lock:
            self.local.update(counts)

    def flush(self) -> int:
        """Add every pending count to ``materials.download_count`` in one transaction of its
        own (not the request's session; not a change of pages). Returns the downloads written;
        on a database error the counts are kept for the next flush and 0 is returned."""
        self.flushed_at = time.monotonic()
        counts = self._take()
        if not counts:
            return 0
        table = Material.__table__  # Core: one executemany, no ORM bulk-update rules
        statement = (
            update(table)
            .where(table.c.id == bindparam("material_id"))
            .values(
                download_count=table.c.download_count + bindparam("added"),
                # A download is not an edit: keep ``updated_at`` (its onupdate would bump it).
                updated_at=table.c.updated_at,
            )
        )
        rows = [{"material_id": key, "added": value} for key, value in sorted(counts.items())]
        session = db.session.session_factory()  # not the request's unit of work
        try:
            session.execute(statement, rows, execution_options=NOT_A_CHANGE_OF_PAGES)
            session.commit()
        except Exception:  # noqa: BLE001 - never lose counts to a failed write
            log.exception("download tally: writing %s downloads failed; kept", counts.total())
            session.rollback()
            self._give_back(counts)
            return 0
        finally:
            session.close()
        log.info("download tally: %s downloads of %s materials written", counts.total(), len(rows))
        return counts.total()

    def discard(self) -> None:
        """Forget every pending count without writing it, as a new process (tests start clean)."""
        with self.lock:
            self.local.clear()
            self.flushed_at = time.monotonic()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                self.redis.delete(self.key)

    def flush_in_app(self) -> None:
        """:meth:`flush` inside an application context of its own (after a response, at exit)."""
        with self.app.app_context():
            self.flush()


def tally(app: Flask | None = None) -> DownloadTally:
    """The :class:`DownloadTally` of ``app`` (default: the current app), made on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if EXTENSION not in app.extensions:
        made = app.extensions[EXTENSION] = DownloadTally(app)
        atexit.register(made.flush_in_app)
    return app.extensions[EXTENSION]


def count_download(material: Material) -> None:
    """Count one download of ``material``; no database write on the request's path.

    When this process's last flush is ``DOWNLOAD_FLUSH_SECONDS`` ago, the tally is written
    after the response has been sent (when the server closes its body).
    """
    counter = tally()
    counter.add(material.id)
    log.info("material %s downloaded", material.slug)
    if counter.due():
        counter.flushed_at = time.monotonic()  # one flush per interval, not one per response

        @after_this_request
        def _flush_after_sending(response: Response) -> Response:
            if response.direct_passthrough and response.response is not None:
                # A file goes to the server as it is (wsgi.file_wrapper) and the response's
                # close callbacks never run: close the body with the flush instead. Only
                # this one response per interval gives up the server's sendfile.
                response.response = ClosingIterator(response.response, counter.flush_in_app)
            else:
                response.call_on_close(counter.flush_in_app)
            return response


def settle(material: Material) -> None:
    """Write the pending downloads when ``material`` has some, so that the figure read next
    (``material.download_count``, refreshed) counts them all; no write otherwise."""
    counter = tally()
    if counter.pending(material.id):
        counter.flush()
        db.session.refresh(material, ["download_count"])
