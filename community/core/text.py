"""Text helpers: one ``slugify`` for web addresses, one ``fold`` for matching words, one
``one_line`` for single-line text (titles, names, mail subjects) and one ``clean_text``
for the control characters form text must not carry (``community.core.input_guard``)."""

from __future__ import annotations

import re
import unicodedata
from typing import overload

#: Any control character (Unicode category Cc: C0, DEL and C1), tab, CR and LF included.
ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: Control characters removed from form text: Cc without tab, LF and CR.
FORM_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: Controls that stand for a line break in pasted text (Word, old encodings).
LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}


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


@overload
def one_line(text: str) -> str: ...
@overload
def one_line(text: None) -> None: ...
def one_line(text: str | None) -> str | None:
    """Return ``text`` as one line: line breaks, tabs and every other run of white space
    (also U+2028, NEL, no-break space) become one space, none at either end; other
    control characters are removed. ``None`` stays ``None`` (a WTForms filter sees it for
    a field that was not sent).

    Single-line text ends up in places that take no line break: a mail's Subject header
    (RFC 5322 2.2: a line break there ends the header, so a title with one would let a
    sender add headers, and the mail library refuses it), an .ics SUMMARY, a page title.
    A browser never sends a line break in an ``<input type="text">`` (HTML's value
    sanitisation strips them), so only a forged or scripted request loses anything here.
    """
    if text is None:
        return None
    return " ".join(clean_text(text).split())


def has_control(text: str) -> bool:
    """True when ``text`` holds any control character (tab, CR and LF included)."""
    return ANY_CONTROL.search(text) is not None


def clean_text(text: str) -> str:
    """Return ``text`` without the control characters a form field must not carry.

    Vertical tab, form feed and NEL (U+0085) become ``\\n``; the other C0 and C1
    controls and DEL are removed; tab, CR and LF are kept. Text without control
    characters comes back unchanged (the same object).
    """
    if FORM_CONTROL.search(text) is None:
        return text
    return FORM_CONTROL.sub(lambda match: LINE_BREAKS.get(match.group(), ""), text)
