"""Markdown to sanitised HTML: the only way user text becomes HTML (DESIGN.md, "Text")."""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
LINK_REL = "nofollow noopener noreferrer ugc"


def render_markdown(text: str) -> str:
    """Return sanitised HTML for Markdown ``text``.

    Raw HTML in the input is escaped by the allow-list pass (nh3): only the
    tags of ``ALLOWED_TAGS`` survive, links may use http, https and mailto
    only, and get ``rel="nofollow noopener noreferrer ugc"``.
    """
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    )
