"""Shared page cache for anonymous visitors, keyed by the version of the data a page shows.

Issue 8 ("Targets"): public pages are rendered once per change of the data under them
and then served from a cache, shared between processes through Redis when ``REDIS_URL``
is set, with an ETag so browsers and proxies revalidate.

How it fits together:

* **Data versions.** Every table belongs to a *scope* (``events``, ``library``,
  ``forums``, ``site``; see :data:`SCOPE_OF_TABLE`). A unit of work that writes to a
  table raises its scope's counter in ``data_versions`` *in the same transaction*
  (``versions.track_writes``), so a reader that sees the new rows also sees the new
  version, on SQLite and on PostgreSQL, whatever process wrote.
* **The middleware.** :class:`PageCache` sits in front of the Flask app. A GET or HEAD
  without a session or remember-me cookie, for an endpoint declared with
  :func:`cached_page`, is looked up under a key made of the URL, the language chosen
  from ``Accept-Language`` and the versions of the page's scopes. The URL's query string
  is first reduced to the parameters the page declares it reads (``params``), for every
  visitor: a parameter the page does not read never reaches it and never makes a new
  entry (issue 13, item 12: ``?junk=1``, ``?junk=2``... and every tracking parameter a
  newsletter or social site adds would each have been an entry of its own). A hit is answered
  without entering Flask (a 304 when ``If-None-Match``/``If-Modified-Since`` match).
  A miss goes through Flask; the response is kept only when it is a 200 that holds
  nothing tied to the visitor (no ``Set-Cookie``, session untouched: no CSRF token,
  no flash message, nobody signed in; see :func:`_mark_storable`).
* **Storage.** A cache per process (cachetools ``TLRUCache``: entries kept as objects,
  at most :data:`LOCAL_BYTES` of bodies) in front of a shared cachelib ``RedisCache``
  when ``REDIS_URL`` is set. Entries also expire after ``PAGE_CACHE_TIMEOUT`` seconds
  (default 60), because some pages depend on the time as well as on the data (an
  activity that ended leaves the agenda, a held place that expires frees a seat).

Faults (issue 13, items 5 and 6):

* **Redis down.** A failed Redis call is logged once as a warning and Redis is left
  alone for ``PAGE_CACHE_REDIS_RETRY`` seconds (default 5; :class:`SharedLayer`): the
  process serves and keeps pages in its own layer meanwhile, and shares them again as
  soon as Redis answers, without a restart.
* **Database down.** When the data versions cannot be read, the versions this process
  read last stand in for them, and an entry under them is served even past its time
  (``X-Page-Cache: stale``), up to ``PAGE_CACHE_STALE_IF_ERROR`` seconds (default 3600;
  RFC 5861's *stale-if-error*). The process's own layer keeps entries that long for
  this; Redis keeps them no longer than their time. A page the cache does not hold
  goes to Flask, which answers 503 (``community.core.error_pages``).

Visitors with a session cookie (signed in, or anonymous with a language choice or a
flash message) always get a freshly rendered page.

Reading the versions (issue 14): they are one query per request, a round trip that
costs a third of a cached page on PostgreSQL. Each process keeps the versions it read
for ``PAGE_CACHE_VERSIONS_SECONDS`` (default 1 s; 0 turns this off) and reads them
again sooner when a commit of this process raised a version (counted after the commit,
``versions.local_commits``). Hence:

* after a commit in this process, the next request of this process sees the new
  versions: nobody who just saved something gets the page from before from this
  process (and someone who just saved something has a session cookie anyway);
* a commit in *another* process (another worker, another instance) shows in this
  process's cached pages at most ``PAGE_CACHE_VERSIONS_SECONDS`` later (counted from
  the start of the read that preceded the commit); anonymous visitors may see the page
  from before the change for that long.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cachelib import RedisCache
from cachetools import LRUCache, TLRUCache
from flask import Flask, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import Engine
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, is_resource_modified, parse_accept_header
from werkzeug.wrappers import Response

from community.core.extensions import db
from community.core.pagecache import versions
from community.core.pagecache.versions import SCOPES, local_commits, read_versions

log = logging.getLogger(__name__)


ENVIRON_KEY = "bruggen.page_cache.key"


ENVIRON_STORABLE = "bruggen.page_cache.storable"


DEFAULT_TIMEOUT = 60  # seconds


DEFAULT_STALE_IF_ERROR = 3600  # seconds an entry may serve past its time while the database is down


DEFAULT_REDIS_RETRY = 5  # seconds Redis is left alone after a failed call


ENVIRON_REMEMBERED = "bruggen.page_cache.remembered"  # versions from the memo, not read
ENVIRON_STALE_OK = "bruggen.page_cache.stale_ok"  # the database is down: stale entries may serve


LOCAL_BYTES = 32 * 1024 * 1024  # of page bodies, per process


Params = Iterable[str] | Callable[[], Iterable[str]]


def cached_page(*scopes: str, timeout: int | None = None, params: Params = ()) -> Callable:
    """Declare a view's page cacheable for anonymous visitors; it shows data of ``scopes``.

    ``timeout`` (seconds) overrides ``PAGE_CACHE_TIMEOUT`` for this page: how long
    an entry may serve while only the time, not the data, changes. ``params`` names the
    query parameters the page reads (or is a function returning them, called once with
    the app's context, for parameters that features register): the view sees only these,
    each with its first value, surrounding and repeated spaces removed, empty ones
    dropped (:func:`canonical_query`), whoever asks, so an entry serves every URL that
    differs only in what the page does not read. The view itself runs unchanged for
    everyone the cache does not serve. Raises ``ValueError`` at import time for an
    unknown scope.
    """
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown data scope(s): {sorted(unknown)}")
    if isinstance(params, str):
        raise ValueError("params is a list of names, not one name")

    def decorate(view):
        # Marks on the view itself; the middleware reads them from app.view_functions.
        view.page_cache_scopes = tuple(sorted(scopes))
        view.page_cache_timeout = timeout
        view.page_cache_params = params
        return view

    return decorate


def canonical_query(query: str, names: frozenset[str]) -> str:
    """Return ``query`` reduced to the parameters in ``names``, in one spelling.

    Each named parameter keeps its first value (what ``request.args.get`` reads), with
    runs of white space made one space and none at either end; empty values and every
    other parameter are dropped; the rest is sorted by name and percent-encoded again.
    ``"thema=1&x=9&regio=+noord&regio=zuid"`` with names {regio, thema} gives
    ``"regio=noord&thema=1"``. Bytes that are not UTF-8 become U+FFFD.
    """
    if not query:
        return ""
    kept: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if name in names and name not in kept:
            kept[name] = " ".join(value.split())
    return urlencode(sorted((name, value) for name, value in kept.items() if value))


class PageCache:
    """WSGI middleware: answers cacheable pages for anonymous visitors from the cache.

    ``app`` is the Flask application; the middleware replaces ``app.wsgi_app``.
    Configuration: ``PAGE_CACHE_ENABLED`` (default True), ``PAGE_CACHE_TIMEOUT``
    (seconds, default 60), ``REDIS_URL`` (shared storage; without it each process
    keeps its own entries), ``PAGE_CACHE_REDIS_RETRY`` and ``PAGE_CACHE_STALE_IF_ERROR``
    (seconds; see the module's "Faults").
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.timeout = int(app.config.get("PAGE_CACHE_TIMEOUT", DEFAULT_TIMEOUT))
        self.stale_if_error = int(
            app.config.get("PAGE_CACHE_STALE_IF_ERROR", DEFAULT_STALE_IF_ERROR)
        )
        # Objects, not pickles: a 304 for a 1 MB feed must not copy the feed. An entry
        # stays past its time for stale-if-error (least recently used goes first); the
        # kept parts of members' pages (community.core.fragments) are never served stale
        # and go at their time.
        self.local: TLRUCache = TLRUCache(
            maxsize=LOCAL_BYTES,
            ttu=lambda key, entry, now: (
                _expiry(key, entry, now)
                + (0 if key.startswith("fragment:") else self.stale_if_error)
            ),
            getsizeof=lambda entry: len(entry["body"]) + 1024,
        )
        self.lock = threading.Lock()  # cachetools is not thread-safe (gthread workers)
        self.endpoint_of: LRUCache = LRUCache(maxsize=4096)
        self.language_of: LRUCache = LRUCache(maxsize=256)
        self.shared = _redis_cache(
            app.config.get("REDIS_URL"),
            self.timeout,
            retry=float(app.config.get("PAGE_CACHE_REDIS_RETRY", DEFAULT_REDIS_RETRY)),
        )
        self.languages = list(app.config["LANGUAGES"])
        self.personal_cookies = {
            app.config.get("SESSION_COOKIE_NAME", "session"),
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        }
        self.endpoints: dict[str, tuple[tuple[str, ...], int]] | None = None
        self.params: dict[str, frozenset[str]] = {}
        self._engine: Engine | None = None
        self.last_versions: dict[str, int] | None = None  # read by this process, last
        # (versions, time.monotonic() before reading them, local_commits() then)
        self.versions_memo: tuple[dict[str, int], float, int] | None = None
        self.versions_seconds = float(app.config.get("PAGE_CACHE_VERSIONS_SECONDS", 1.0))
        self.database_down = False

    # The endpoints are known once every blueprint is registered (first request).
    def _cacheable_endpoints(self) -> dict[str, tuple[tuple[str, ...], int]]:
        if self.endpoints is None:
            views: dict[str, Any] = self.app.view_functions  # marked by @cached_page
            marked = {e: v for e, v in views.items() if getattr(v, "page_cache_scopes", None)}
            with self.app.app_context():  # parameters that features register come from the app
                self.params = {e: _names(v.page_cache_params) for e, v in marked.items()}
            self.endpoints = {
                endpoint: (view.page_cache_scopes, view.page_cache_timeout or self.timeout)
                for endpoint, view in marked.items()
            }
        return self.endpoints

    def canonicalise(self, environ: dict) -> str | None:
        """Reduce the query string of a GET or HEAD of a cached page to what the page reads
        (:func:`canonical_query`), in ``environ`` itself; return the page's endpoint."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        endpoint = self._endpoint(environ)
        if endpoint not in self._cacheable_endpoints():
            return None
        query = environ.get("QUERY_STRING", "")
        environ["QUERY_STRING"] = canonical_query(query, self.params[endpoint])
        return endpoint

    def _engine_(self) -> Engine:
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def key(self, environ: dict) -> tuple[str, int] | None:
        """The cache key of this request and its entry's timeout (seconds), or None when
        the cache must not answer it. Call :meth:`canonicalise` first."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        cookies = environ.get("HTTP_COOKIE", "")
        if cookies and any(f"{name}=" in cookies for name in self.personal_cookies):
            return None
        endpoints = self._cacheable_endpoints()
        endpoint = self._endpoint(environ)
        if endpoint not in endpoints:
            return None
        scopes, timeout = endpoints[endpoint]
        language = self._language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        versions = self._versions(environ)
        if versions is None:
            return None
        stamp = ".".join(f"{scope}{versions[scope]}" for scope in scopes)
        raw = "|".join(
            (
                environ.get("wsgi.url_scheme", "http"),
                environ.get("HTTP_HOST", ""),
                environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
                language,
                stamp,
            )
        )
        digest = hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()
        return "page:" + digest, timeout

    def _versions(self, environ: dict) -> dict[str, int] | None:
        """The data versions now; while the database cannot be read, those this process
        read last (and ``environ`` says stale entries may serve). None when there are none.

        Issue 14: versions read less than ``PAGE_CACHE_VERSIONS_SECONDS`` ago (default 1;
        0 reads them for every request) are used again without a query, unless a commit
        of this process raised a version since (:func:`versions.local_commits`). So a
        page is never stale after a commit in the same process; a commit in another
        process shows at most that many seconds later (module docstring). A miss under
        remembered versions reads them again before it renders (:meth:`__call__`).
        """
        memo = self.versions_memo
        if memo is not None and not self.database_down:
            remembered, read_at, commits = memo
            if commits == local_commits() and time.monotonic() - read_at < self.versions_seconds:
                environ[ENVIRON_REMEMBERED] = True
                return remembered
        commits, read_at = local_commits(), time.monotonic()  # before the read
        try:
            with self._engine_().connect() as connection:
                versions = read_versions(connection)
        except Exception as error:  # down, or not migrated: Flask answers what the cache can't
            if not self.database_down:
                self.database_down = True
                log.warning(
                    "page cache: cannot read the data versions (%s); serving the pages "
                    "this process holds until the database answers again",
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
            if self.last_versions is None:
                return None
            environ[ENVIRON_STALE_OK] = True
            return self.last_versions
        if self.database_down:
            self.database_down = False
            log.warning("page cache: the database answers again")
        self.last_versions = versions
        if self.versions_seconds > 0:
            self.versions_memo = (versions, read_at, commits)
        return versions

    def forget_versions(self) -> None:
        """Read the data versions again at the next request (tests; after a restore)."""
        self.versions_memo = None

    def _endpoint(self, environ: dict) -> str | None:
        """The endpoint of the request's URL (GET), remembered per host and path."""
        where = (environ.get("HTTP_HOST", ""), environ.get("PATH_INFO", ""))
        if where not in self.endpoint_of:
            try:
                endpoint, _args = self.app.url_map.bind_to_environ(environ).match()
            except HTTPException:
                endpoint = None
            with self.lock:
                self.endpoint_of[where] = endpoint
        return self.endpoint_of.get(where)

    def _language(self, header: str) -> str:
        """The UI language ``Accept-Language: header`` asks for (as ``selected_language``)."""
        if header not in self.language_of:
            accept = parse_accept_header(header or None, LanguageAccept)
            with self.lock:
                self.language_of[header] = accept.best_match(self.languages) or self.languages[0]
        return self.language_of.get(header) or self.languages[0]

    def get(self, key: str, *, stale_ok: bool = False) -> dict | None:
        """The entry under ``key`` from this process, else from Redis; None when neither.

        An entry past its time is only returned with ``stale_ok`` (the database is down).
        """
        now = time.time()
        with self.lock:
            entry = self.local.get(key)
        if entry is not None and entry["expires"] <= now and not stale_ok:
            entry = None
        if entry is None and self.shared is not None:
            entry = self.shared.get(key)
            if entry is not None and entry.get("expires", 0) > now:
                self._keep(key, entry)
            else:
                entry = None
        return entry

    def _keep(self, key: str, entry: dict) -> None:
        if len(entry["body"]) + 1024 > LOCAL_BYTES:
            return
        with self.lock:
            self.local[key] = entry

    def set(self, key: str, entry: dict, timeout: int) -> None:
        """Keep ``entry`` under ``key`` here and in Redis; it expires after ``timeout`` s."""
        self._keep(key, entry)
        if self.shared is not None:
            self.shared.set(key, entry, timeout)

    def __call__(self, environ: dict, start_response):
        self.canonicalise(environ)  # also with the cache off: the page reads the same
        if not self.app.config.get("PAGE_CACHE_ENABLED", True):
            return self.wsgi_app(environ, start_response)
        found = self.key(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        key, timeout = found
        entry = self.get(key, stale_ok=ENVIRON_STALE_OK in environ)
        if entry is None and environ.pop(ENVIRON_REMEMBERED, False):
            # A miss under remembered versions: read them now (a database that went away
            # meanwhile still gets its stale entries), then look again.
            self.forget_versions()
            found = self.key(environ)
            if found is None:
                return self.wsgi_app(environ, start_response)
            key, timeout = found
            entry = self.get(key, stale_ok=ENVIRON_STALE_OK in environ)
        if entry is not None:
            stale = entry["expires"] <= time.time()
            return _serve(entry, environ, start_response, hit=True, stale=stale)
        environ[ENVIRON_KEY] = key
        if environ["REQUEST_METHOD"] != "GET":  # a HEAD is answered but not kept
            return self.wsgi_app(environ, start_response)
        captured: dict[str, Any] = {}
        # Ask for the whole page even when the browser holds a copy: a 304 cannot be
        # kept, and a process whose visitors all revalidate would never fill its cache.
        # ``_serve`` still answers 304 when the browser's copy is this one.
        unconditional = {
            name: value for name, value in environ.items() if name not in CONDITIONAL_HEADERS
        }
        body_iter = self.wsgi_app(unconditional, _Deferred(captured))
        try:
            body = b"".join(body_iter)
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        headers = captured["headers"]
        storable = unconditional.get(ENVIRON_STORABLE) and captured["status"].startswith("200 ")
        storable = storable and not any(name.lower() == "set-cookie" for name, _ in headers)
        if not storable:
            start_response(captured["status"], headers)
            return [body]
        entry = _entry(headers, body, expires=time.time() + timeout)
        self.set(key, entry, timeout)
        return _serve(entry, environ, start_response, hit=False)


class _Deferred:
    """A start_response that only records: the middleware answers once it has the body."""

    def __init__(self, captured: dict) -> None:
        self.captured = captured

    def __call__(self, status, headers, exc_info=None):
        self.captured["status"] = status
        self.captured["headers"] = list(headers)
        return lambda data: None


KEEP_ON_304 = {"etag", "cache-control", "vary", "last-modified", "content-location", "expires"}


CONDITIONAL_HEADERS = {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"}


SKIPPED_HEADERS = {"content-length", "date", "set-cookie", "x-page-cache"}


def _expiry(key: str, entry: dict, now: float) -> float:
    """cachetools' time-to-use: the entry's wall-clock expiry on the monotonic clock."""
    return now + (entry["expires"] - time.time())


def _entry(headers: list[tuple[str, str]], body: bytes, *, expires: float) -> dict:
    kept = [(name, value) for name, value in headers if name.lower() not in SKIPPED_HEADERS]
    names = {name.lower() for name, _ in kept}
    etag = next((value for name, value in kept if name.lower() == "etag"), None)
    if etag is None:
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
        kept.append(("ETag", etag))
    if "cache-control" not in names:
        # Anyone may keep it, but must ask again before using it (a 304 when unchanged).
        kept.append(("Cache-Control", "no-cache"))
    last_modified = next((v for n, v in kept if n.lower() == "last-modified"), None)
    return {
        "headers": kept,
        "body": body,
        "etag": etag,
        "last_modified": last_modified,
        "expires": expires,  # time.time() after which the entry is not served
    }


def _serve(entry: dict, environ: dict, start_response, *, hit: bool, stale: bool = False):
    etag = entry["etag"].strip('"').removeprefix("W/").strip('"')
    modified = is_resource_modified(environ, etag=etag, last_modified=entry["last_modified"])
    state = "stale" if stale else "hit" if hit else "miss"
    stamp = [("Date", http_date()), ("X-Page-Cache", state)]
    if not modified:
        # RFC 9110, 15.4.5: a 304 repeats the validators and caching headers only.
        headers = [(name, value) for name, value in entry["headers"] if name.lower() in KEEP_ON_304]
        start_response("304 Not Modified", headers + stamp)
        return []
    body = entry["body"]
    headers = [*entry["headers"], *stamp, ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def _names(params: Params) -> frozenset[str]:
    return frozenset(params() if callable(params) else params)


class SharedLayer:
    """The Redis layer of the page cache; while Redis is down, the process does without.

    A call that fails because Redis cannot be reached is logged once as a warning, and
    for ``retry`` seconds after it no call is tried (a Redis that is down is not asked
    on every request, nor waited for: the client gives up after 1 s). The first call
    that works again is logged too. ``get`` answers None and ``set`` does nothing while
    Redis is away.
    """

    def __init__(self, cache: RedisCache, retry: float) -> None:
        self.cache = cache
        self.retry = retry
        self.down_since: float | None = None  # time.monotonic() of the first failure
        self.next_try = 0.0

    def get(self, key: str) -> dict | None:
        return self._call(self.cache.get, key)

    def set(self, key: str, entry: dict, timeout: int) -> None:
        self._call(self.cache.set, key, entry, timeout)

    def _call(self, method: Callable, *args: Any) -> Any:
        import redis

        if self.down_since is not None and time.monotonic() < self.next_try:
            return None
        try:
            result = method(*args)
        except (redis.RedisError, OSError) as error:
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.warning(
                    "page cache: Redis unreachable (%s); this process keeps its own pages "
                    "and tries Redis again every %g s",
                    error,
                    self.retry,
                )
            self.next_try = time.monotonic() + self.retry
            return None
        except Exception:  # noqa: BLE001 - an entry that cannot be read is a miss
            log.exception("page cache: Redis %s failed", getattr(method, "__name__", "call"))
            return None
        if self.down_since is not None:
            log.warning(
                "page cache: Redis answers again after %.0f s; pages are shared again",
                time.monotonic() - self.down_since,
            )
            self.down_since = None
        return result


def _redis_cache(url: str | None, timeout: int, *, retry: float) -> SharedLayer | None:
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    cache = RedisCache(host=client, key_prefix="bruggen:", default_timeout=timeout)
    return SharedLayer(cache, retry)


def _mark_storable(response: Response) -> Response:
    """after_request: allow the middleware to keep this response (see module docstring)."""
    environ = request.environ
    if ENVIRON_KEY not in environ:
        return response
    personal = (
        current_user.is_authenticated
        or session.modified
        or response.status_code != 200
        or response.direct_passthrough
        or "Set-Cookie" in response.headers
        or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g  # a token made
    )
    if not personal:
        environ[ENVIRON_STORABLE] = True
    return response


def init_app(app: Flask) -> None:
    """Track data versions on ``db.session`` and put :class:`PageCache` in front of ``app``."""
    versions.init_app(app)
    app.after_request(_mark_storable)
    app.wsgi_app = PageCache(app)  # type: ignore[method-assign]  # WSGI middleware, as Flask documents
    app.extensions["bruggen_page_cache"] = app.wsgi_app


def page_cache(app: Flask | None = None) -> PageCache:
    """The :class:`PageCache` of ``app`` (default: the current app)."""
    return (app or current_app).extensions["bruggen_page_cache"]
