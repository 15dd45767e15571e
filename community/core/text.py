"""Text helpers: the one ``slugify`` every part of Bruggen makes web addresses with."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_length: int = 100, fallback: str = "", whole_words: bool = True) -> str:
    """Return a web-address part for ``text``: lowercase ASCII letters, digits, single hyphens.

    Accents are dropped ("Coördinatie – één" -> "coordinatie-een"); every run of other
    characters becomes one hyphen, none at either end. Longer than ``max_length``
    characters, the slug is cut at the last hyphen before the limit when ``whole_words``
    (a word is never cut in two), else at the limit itself. ``fallback`` is returned
    when nothing usable remains (e.g. a title of only emoji).
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if whole_words else slug[:max_length]
        slug = slug.rstrip("-")
    return slug or fallback
