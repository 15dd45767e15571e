"""Rendered posts kept per process, for the thread page of members (issue 8, "Targets").

A post as a member who neither wrote nor moderates it sees it (author, date, the stored
sanitised HTML, the "quote" and "report" links) is the same for every such member. Its
HTML is rendered once and kept under a key made of *everything it shows*: the post's
id, text, edit mark and author's name, the thread's place and lock, the page, the
language and the site's address. A change to any of them makes a new key, so nothing
is ever stale; old entries simply age out.

What differs per visitor stays outside: the "unread" mark of the list item, and every
post the visitor wrote (edit and delete with a CSRF token) or moderates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from cachelib import SimpleCache
from flask import request
from markupsafe import Markup

from community.core.i18n import selected_language
from forums.models import Post, Thread

ENTRIES = 4000  # about 1 KB each, per process
TIMEOUT = 24 * 3600  # seconds; a key never goes stale, this only frees memory

_rendered = SimpleCache(threshold=ENTRIES, default_timeout=TIMEOUT)


def _key(post: Post, thread: Thread, page: int, language: str) -> str:
    author = post.author.display_name if post.author else ""
    shown = "\x1f".join(
        (
            str(post.id),
            post.created_at.isoformat(),
            post.edited_at.isoformat() if post.edited_at else "",
            author,
            post.body_html,
            thread.forum.slug,
            str(thread.id),
            "locked" if thread.is_locked else "open",
            str(page),
            language,
            request.host_url,
        )
    )
    return "post:" + hashlib.sha256(shown.encode()).hexdigest()


def reader_fragments(
    user, thread: Thread, posts: Iterable[Post], page: int, *, moderator: bool
) -> tuple[dict[int, Markup], Callable[[int, str], str] | None]:
    """Return the kept HTML of ``posts`` as ``user`` reads them, and a function to keep more.

    Only for a signed-in ``user`` who does not moderate ``thread``, and only for posts
    not written by them, not deleted and not hidden. ``({}, None)`` otherwise. The
    returned ``keep(post_id, html)`` stores what the template rendered for such a post
    and returns "" (so a template can call it in ``{% do %}``).
    """
    if not user.is_authenticated or moderator:
        return {}, None
    language = selected_language()
    keys = {
        post.id: _key(post, thread, page, language)
        for post in posts
        if not post.is_deleted and not post.is_hidden and post.author_id != user.id
    }
    found = {}
    for post_id, key in keys.items():
        html = _rendered.get(key)
        if html is not None:
            found[post_id] = Markup(html)

    def keep(post_id: int, html: str) -> str:
        key = keys.get(post_id)
        if key is not None and post_id not in found:
            _rendered.set(key, str(html))
        return ""

    return found, keep


def forget_all() -> None:
    """Drop every kept post (tests; a change of templates needs a restart anyway)."""
    _rendered.clear()
