"""Text helpers: the one ``slugify`` for web addresses and the one ``fold`` for matching words."""

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


# Letters that are no letter plus accent in Unicode, so NFKD does not take them apart.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th"}
)


def fold(text: str) -> str:
    """Return ``text`` folded for matching what people type: no accents, no case.

    "Coördinator" -> "coordinator", "Élise" -> "elise", "Straße" -> "strasse",
    "Søren" -> "soren", "ﬁche" -> "fiche". Case is folded with ``str.casefold``
    (Unicode's full case folding), then compatibility decomposition (NFKD) splits
    letters from their accents and the accents (combining marks) are dropped; other
    scripts keep their letters, lowercased. Everything that compares a typed name or
    word with stored text folds both sides with this one function: mentions
    (``forums.posting``), the library and good-practice search (their folded copy
    columns, kept by ``community.core.db.keep_folded_copy``).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
