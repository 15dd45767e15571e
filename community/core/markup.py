"""Markdown to sanitised HTML: the only way user text becomes HTML (DESIGN.md, "Text")."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from community.core.text import fold

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_TAGS = ALLOWED_TAGS | {"img"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_REL = "nofollow noopener noreferrer ugc"
# Images only from our own uploads (issue 5): a site-relative path under one of these.
IMAGE_PATH_PREFIXES = ("/materiaal/", "/uploads/")

# "@an.vermeulen": a mention of a member (not in an e-mail address or after a word).
MENTION = r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])"

# A bare http(s) or www. address in running text; trailing punctuation is not part of it.
BARE_URL = r"(?<![\w/@])((?:https?://|www\.)[^\s<>\"'`]+)"


class _BareUrlProcessor(InlineProcessor):
    """Turn a bare URL into a link (GitHub-style autolink); code spans are left alone."""

    # InlineProcessor's hook takes (m, data) where Pattern's takes (m): Markdown's own
    # design, which its stubs mark with the same ignore.
    def handleMatch(  # type: ignore[override]  # noqa: N802 - Markdown's hook name
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        url = m.group(1)
        trimmed = re.sub(r"[.,;:!?*_]+$", "", url)
        while trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
            trimmed = trimmed[:-1]
        link = etree.Element("a")
        link.set("href", trimmed if "://" in trimmed else "https://" + trimmed)
        link.text = trimmed
        return link, m.start(0), m.start(0) + len(trimmed)


class _MentionLinks(Treeprocessor):
    """Turn ``@handle`` into a link when ``links`` knows the handle (folded).

    A tree processor, run after the inline patterns, so that it sees the finished
    elements and leaves alone what is inside a link (no link in a link), code and
    preformatted text.
    """

    SKIP = {"a", "code", "pre"}

    def __init__(self, md: markdown.Markdown, links: Mapping[str, str]) -> None:
        super().__init__(md)
        self.links = links
        self.pattern = re.compile(MENTION)

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in self.SKIP:
            return
        if element.text:
            element.text, links = self._split(element.text)
            for index, link in enumerate(links):
                element.insert(index, link)
        for child in list(element):
            self._walk(child)
            if child.tail:
                child.tail, links = self._split(child.tail)
                index = list(element).index(child)
                for offset, link in enumerate(links, start=1):
                    element.insert(index + offset, link)

    def _split(self, text: str) -> tuple[str, list[etree.Element]]:
        """Return the text before the first known mention and the links (with their tails)."""
        head, position = text, 0
        links: list[etree.Element] = []
        for match in self.pattern.finditer(text):
            href = self.links.get(fold(match.group(1)))
            if href is None:
                continue
            before = text[position : match.start()]
            if links:
                links[-1].tail = before
            else:
                head = before
            link = etree.Element("a", {"href": href})
            link.text = match.group(0)
            links.append(link)
            position = match.end()
        if links:
            links[-1].tail = text[position:]
        return head, links


def _markdown(mentions: Mapping[str, str] | None = None) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists", "tables"])
    md.inlinePatterns.register(_BareUrlProcessor(BARE_URL, md), "bare_url", 95)
    if mentions:
        md.treeprocessors.register(_MentionLinks(md, mentions), "mentions", 5)
    return md


URL_SCHEMES = {"http", "https", "mailto"}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop URLs with another scheme once tabs and newlines are gone; images only from uploads.

    Browsers remove ASCII tab and newline anywhere in a URL (WHATWG URL
    Standard, "basic URL parser"), so ``java<TAB>script:`` is ``javascript:``
    to them, although an HTML sanitiser may take it for a relative URL; the
    scheme is therefore judged with all whitespace and control characters removed.
    """
    if attribute in ("href", "src"):
        value = re.sub(r"[\t\n\r]", "", value).strip("\x00 \x0c")
        # Judge the scheme with every space and control character gone, to be safe.
        compact = re.sub(r"[\x00-\x20\x7f]+", "", value)
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", compact)
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return None
    if tag == "img" and attribute == "src":
        path = value.strip()
        if not path.startswith(IMAGE_PATH_PREFIXES) or "//" in path or "\\" in path:
            return None
        return path
    return value


def render_markdown(text: str, mentions: Mapping[str, str] | None = None) -> str:
    """Return sanitised HTML for Markdown ``text``.

    Bare ``http(s)://`` and ``www.`` addresses become links; so does ``@handle`` when
    ``mentions`` maps the handle (folded, ``community.core.text.fold``) to a URL (not
    in code, nor in a link). The allow-list pass
    (nh3) removes raw HTML outside ``ALLOWED_TAGS`` (script and style with their
    content) and every attribute outside ``ALLOWED_ATTRIBUTES``: links may use http,
    https and mailto only and get ``rel="nofollow noopener noreferrer ugc"``;
    images survive only with a ``src`` under ``IMAGE_PATH_PREFIXES`` (our uploads).
    """
    html = _markdown(mentions).convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        clean_content_tags={"script", "style"},
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
