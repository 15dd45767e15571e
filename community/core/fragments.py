"""Shared parts of signed-in visitors' pages, rendered once per data version (issue 14).

The page cache (:mod:`community.core.pagecache`) serves whole pages to anonymous
visitors only. A signed-in member's page holds parts that are theirs (the notification
count, the sign-out form with its CSRF token, flash messages, their name) around parts
that are the same for everyone who may see the same things (the agenda's listing, the
library's list, the forum index). :func:`render_shared` renders such a page with the
shared parts, the blocks ``title``, ``head`` and ``content`` of the page's template,
taken from a cache, and only the layout around them (``templates/base.html``) anew.

What a kept part is keyed on (:func:`fragment_key`), so that nobody gets a part that
differs from what the page would render for them now:

* the template, the URL (host, path and the query string, which the page cache already
  reduced to the parameters the page reads) and the UI language;
* the visitor's *audience* (``community.accounts.permissions.audience_of``): everything
  about them that decides what a listing may show (signed in, verified, admin, the
  regions they coordinate, their project-group role). Two plain members share a part;
  a member and a coordinator, or coordinators of two regions, never do;
* the data versions of the scopes the page shows (:mod:`~community.core.pagecache.versions`),
  read in the request's own transaction *before* the page's data: a commit that
  changes what the part shows raises a version in the same transaction, so the next
  request of any process makes a new key (a change shows at once, also to the member
  who made it and whose next request another worker serves). A part rendered from data
  newer than the versions read only ever lands under the older key, which no request
  after the commit asks for.

Kept parts also expire after ``FRAGMENT_CACHE_TIMEOUT`` seconds (default: the page
cache's ``PAGE_CACHE_TIMEOUT``), because some listings depend on the time as well (an
activity that ended leaves the agenda). They live in the page cache's layers: in the
process (bounded, least recently used out first) and in Redis when ``REDIS_URL`` is
set; with Redis away the process renders and keeps its own (``SharedLayer``).
``FRAGMENT_CACHE_ENABLED = False`` renders every page whole.

Only a template whose ``title``, ``head`` and ``content`` blocks show nothing tied to
the visitor beyond their audience may go through :func:`render_shared`; the member's
own parts belong in ``base.html`` (outside the blocks) or in a page rendered whole.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import current_app, g, render_template, request
from markupsafe import Markup

from community.core.i18n import selected_language
from community.core.pagecache.versions import current_versions

# The blocks of base.html whose output is kept; each is wrapped in two marks on a miss.
BLOCKS = ("title", "head", "content")

# Raised when the way parts are cut or keyed changes: old entries in Redis are then left alone.
FORMAT = "1"

_MARK = "<!--bruggen-fragment:{}-->"


def fragment_mark(block: str) -> Markup:
    """The mark ``base.html`` writes on either side of ``block`` while a part is being kept.

    Empty unless :func:`render_shared` is rendering a page to keep its parts. Text from
    users never carries it: titles are escaped (``<`` becomes ``&lt;``) and stored HTML
    is sanitised without comments (nh3).
    """
    if not g.get("_fragment_capture"):
        return Markup("")
    return Markup(_MARK.format(block))


_ENVIRON_VERSIONS = "bruggen.fragment.versions"


def _versions() -> dict[str, int]:
    """The data versions for this request, read once in its own transaction.

    Kept in the request's environ, not in ``g``: an app context (and its ``g``) may
    outlive one request (a test holds one around several).
    """
    environ = request.environ
    if _ENVIRON_VERSIONS not in environ:
        environ[_ENVIRON_VERSIONS] = current_versions()
    return environ[_ENVIRON_VERSIONS]


def fragment_key(
    template: str, scopes: Iterable[str], audience: str, parts: Iterable[object] = ()
) -> str:
    """The cache key of ``template``'s shared blocks for this request (see module docstring).

    ``scopes``: the data scopes the blocks show (names of ``versions.SCOPES``);
    ``audience``: the visitor's audience string; ``parts``: anything else the blocks
    depend on. Reads the data versions (one query, once per request).
    """
    versions = _versions()
    stamp = ".".join(f"{scope}{versions.get(scope, 0)}" for scope in sorted(set(scopes)))
    raw = "\x1f".join(
        (
            FORMAT,
            template,
            request.host_url,
            request.path,
            request.query_string.decode("latin-1"),
            selected_language(),
            audience,
            stamp,
            *(str(part) for part in parts),
        )
    )
    return "fragment:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _store():
    from community.core.pagecache.middleware import page_cache

    return page_cache()


def _enabled() -> bool:
    """Keep parts unless switched off, or the page cache is about to keep the whole page
    (an anonymous visitor without cookies: the page itself is the entry)."""
    from community.core.pagecache.middleware import ENVIRON_KEY

    if ENVIRON_KEY in request.environ:
        return False
    return bool(current_app.config.get("FRAGMENT_CACHE_ENABLED", True))


def _timeout() -> int:
    config = current_app.config
    return int(config.get("FRAGMENT_CACHE_TIMEOUT") or config.get("PAGE_CACHE_TIMEOUT") or 60)


def _cut(page: str) -> tuple[dict[str, str] | None, str]:
    """Split a page rendered with marks into its kept blocks and the page without marks.

    Returns (None, page without marks) when a block's marks are not exactly two.
    """
    blocks: dict[str, str] | None = {}
    for block in BLOCKS:
        mark = _MARK.format(block)
        pieces = page.split(mark)
        if len(pieces) != 3:
            blocks = None
            page = page.replace(mark, "")
            continue
        if blocks is not None:
            blocks[block] = pieces[1]
        page = "".join(pieces)
    return blocks, page


def render_shared(
    template: str,
    scopes: Iterable[str],
    build: Callable[[], Mapping[str, Any]],
    *,
    audience: str,
    parts: Iterable[object] = (),
) -> str:
    """Render ``template`` with its shared blocks from the cache when they are kept.

    ``build()`` loads the page's data and returns the template's context; it is only
    called when the blocks are not kept (it may raise, e.g. ``abort(404)``: nothing is
    kept then). ``scopes``, ``audience`` and ``parts`` make the key (:func:`fragment_key`).
    Returns the page's HTML, the same text as ``render_template(template, **build())``.
    """
    if not _enabled():
        return render_template(template, **build())
    key = fragment_key(template, scopes, audience, parts)
    store = _store()
    entry = store.get(key)
    if entry is not None:
        shared = {block: Markup(entry[block]) for block in BLOCKS}
        return render_template(template, shared_blocks=shared)
    context = build()
    g._fragment_capture = True
    try:
        page = render_template(template, **context)
    finally:
        g._fragment_capture = False
    blocks, page = _cut(page)
    if blocks is not None:
        timeout = _timeout()
        entry = {**blocks, "body": blocks["content"], "expires": time.time() + timeout}
        store.set(key, entry, timeout)
    return page


def forget_versions() -> None:
    """Read the data versions again for the rest of this request (after a commit in it)."""
    request.environ.pop(_ENVIRON_VERSIONS, None)


def init_app(app) -> None:
    """Export :func:`fragment_mark` to templates (``base.html``)."""
    app.jinja_env.globals["fragment_mark"] = fragment_mark
