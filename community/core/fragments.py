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

_HOLE = "<!--bruggen-hole:{}-->"


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


def fragment_hole(name: str) -> Markup:
    """The mark a partial template writes at its start and end when it is one of the
    visitor's own parts inside a kept block (``events/_registration.html``): what lies
    between the two marks is left out of the kept block and rendered for each request.
    Empty unless :func:`render_shared` is rendering a page to keep its parts.
    """
    if not g.get("_fragment_capture"):
        return Markup("")
    return Markup(_HOLE.format(name))


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


def _cut(page: str, holes: Iterable[str] = ()) -> tuple[dict[str, str] | None, str]:
    """Split a page rendered with marks into its kept blocks and the page without marks.

    In the kept blocks each of ``holes`` (the text between its two marks) becomes one
    mark of the hole. Returns (None, page without marks) when a block's or a hole's
    marks are not exactly two (nothing is kept then).
    """
    holes = tuple(holes)
    plain = page
    for mark in [_MARK.format(block) for block in BLOCKS] + [_HOLE.format(h) for h in holes]:
        plain = plain.replace(mark, "")
    kept = page
    for hole in holes:
        mark = _HOLE.format(hole)
        pieces = kept.split(mark)
        if len(pieces) != 3:
            return None, plain
        kept = pieces[0] + mark + pieces[2]
    blocks = {}
    for block in BLOCKS:
        pieces = kept.split(_MARK.format(block))
        if len(pieces) != 3:
            return None, plain
        blocks[block] = pieces[1]
    return blocks, plain


def shared_key(
    template: str, scopes: Iterable[str], audience: str, parts: Iterable[object] = ()
) -> str | None:
    """The key of ``template``'s kept blocks for this request (:func:`fragment_key`), or
    None when parts are not kept for it (switched off, or the page cache keeps the page)."""
    if not _enabled():
        return None
    return fragment_key(template, scopes, audience, parts)


def kept(key: str | None) -> dict | None:
    """The blocks kept under ``key`` (from this process, else Redis), or None."""
    if key is None:
        return None
    return _store().get(key)


def render_kept(
    template: str,
    entry: dict,
    personal: Mapping[str, Any] | None = None,
    holes: Mapping[str, str] | None = None,
) -> str:
    """Render ``template`` around the kept blocks ``entry`` (from :func:`kept`).

    ``personal`` is the context of the visitor's own parts: the layout's and each of
    ``holes`` (``{name: partial template}``), whose partial is rendered with it in
    place of the hole's mark.
    """
    own = dict(personal or {})
    content = entry["content"]
    for name, partial in (holes or {}).items():
        content = content.replace(_HOLE.format(name), render_template(partial, **own))
    blocks = {block: Markup(entry[block]) for block in BLOCKS if block != "content"}
    blocks["content"] = Markup(content)
    return render_template(template, shared_blocks=blocks, **own)


def render_and_keep(
    template: str, key: str | None, context: Mapping[str, Any], holes: Iterable[str] = ()
) -> str:
    """Render ``template`` with ``context`` and keep its blocks under ``key`` (not when None).

    ``holes`` names the visitor's own parts inside the blocks (see :func:`render_kept`):
    they are left out of what is kept. Returns the page's HTML.
    """
    if key is None:
        return render_template(template, **context)
    g._fragment_capture = True
    try:
        page = render_template(template, **context)
    finally:
        g._fragment_capture = False
    blocks, page = _cut(page, holes)
    if blocks is not None:
        timeout = _timeout()
        entry = {**blocks, "body": blocks["content"], "expires": time.time() + timeout}
        _store().set(key, entry, timeout)
    return page


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
    key = shared_key(template, scopes, audience, parts)
    entry = kept(key)
    if entry is not None:
        return render_kept(template, entry)
    return render_and_keep(template, key, build())


STATIC_PARTS = 256  # kept per app: a few per language and visitor kind


def kept_static(name: str, *parts: object, caller: Callable[[], str]) -> Markup:
    """``{% call kept_static(name, *parts) %}…{% endcall %}``: the body rendered once per
    ``name``, ``parts``, language, host and script root, then kept by the process.

    For parts of the layout that show no data at all, only links and translated labels
    (the main menu, the footer): ``parts`` names everything else the body depends on
    (whether the visitor reads signals). Rendered every time with
    ``FRAGMENT_CACHE_ENABLED = False``. Returns the body's HTML.
    """
    if not current_app.config.get("FRAGMENT_CACHE_ENABLED", True):
        return Markup(caller())
    key = (name, *parts, selected_language(), request.host_url, request.script_root)
    kept_parts = current_app.extensions.setdefault("bruggen_static_parts", {})
    html = kept_parts.get(key)
    if html is None:
        html = str(caller())
        if len(kept_parts) >= STATIC_PARTS:
            kept_parts.clear()
        kept_parts[key] = html
    return Markup(html)


def forget_versions() -> None:
    """Read the data versions again for the rest of this request (after a commit in it)."""
    request.environ.pop(_ENVIRON_VERSIONS, None)


def init_app(app) -> None:
    """Export :func:`fragment_mark`, :func:`fragment_hole` and :func:`kept_static` to templates."""
    app.jinja_env.globals.update(
        fragment_mark=fragment_mark, fragment_hole=fragment_hole, kept_static=kept_static
    )
