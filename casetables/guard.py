"""The strict personal-data guard of the case tables (issue 19, "Request").

A case request is about one vulnerable minor, so every free-text field passes a
stricter guard than the forums' (:func:`forums.pii_guard.find_personal_data`). It
finds everything that guard finds, plus:

* a given name from ``casetables/data/first_names.txt`` (common first names in
  Belgium) followed by a capitalised word, optionally after a name particle:
  "Jan Peeters", "Mohamed El Amrani", "Lotte van den Broeck";
* national register and BIS numbers in their written forms *whatever the check
  digit* (a mistyped number still identifies); python-stdnum (``stdnum.be.nn``,
  ``stdnum.be.bis``) recognises the valid ones;
* phone numbers through ``phonenumbers`` (libphonenumber's numbering plans, Belgian
  numbers without prefix, foreign ones with it) instead of our own patterns;
* the names of the schools the regional map knows (organisations of type school);
* initials ("J.P.", "J. Peeters") and double given names ("Emma-Lou Janssens");
* school names also in their short forms (:func:`school_name_forms`);
* dates of birth more widely: any full date between ``CHILD_AGE_YEARS`` and
  ``YOUNGEST_PUPIL_YEARS`` years ago (also with a two-digit year), and a birth cue
  followed by a year ("'12"), a day and month, or digits written together ("12032012").

Pure functions except :func:`known_school_names`, which reads the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import phonenumbers
from stdnum.be import bis, nn

from forums.pii_guard import (
    ADDRESS,
    BIRTH_CUE,
    BIRTH_DATE,
    CHILD_AGE_YEARS,
    EMAIL,
    MONTH_NAMES,
    NATIONAL_NUMBER,
    PHONE,
    Finding,
    as_seen,
    find_personal_data,
    in_original,
    plausible_date,
)

NAME = "name"
SCHOOL = "school"

#: Kinds of the strict guard, in the order in which overlapping findings win.
STRICT_KINDS = (NATIONAL_NUMBER, EMAIL, PHONE, BIRTH_DATE, SCHOOL, NAME, ADDRESS)

FIRST_NAMES_FILE = Path(__file__).parent / "data" / "first_names.txt"


@cache
def first_names() -> frozenset[str]:
    """The shipped given names, case-folded (``#`` lines are comments)."""
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


# --- names -----------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"  # Latin capitals incl. Ç, Ş, Ö...
_WORD = re.compile(rf"(?<![\w-])[{_UPPER}][\w'’-]*")
# Particles between a given name and a family name: van, de, van der, El, Ben, d'...
_PARTICLES = r"(?:(?:van|von|de|der|den|het|ter|te|ten|le|la|du|des|el|al|ben|bin|ibn|d['’])\s*)"
_AFTER_NAME = re.compile(rf"\s+{_PARTICLES}{{0,3}}[{_UPPER}][\w'’-]+", re.IGNORECASE)


# Initials: "J.P." (two, three letters) or "J. Peeters" (an initial before a capitalised
# word that is not a word a Dutch sentence starts with: "zie bijlage B. Daarna ...").
_INITIALS = re.compile(rf"(?<![\w.])[{_UPPER}]\.\s?[{_UPPER}]\.(?:\s?[{_UPPER}]\.)?(?![\w.])")
_INITIAL_THEN_NAME = re.compile(rf"(?<![\w.])[{_UPPER}]\.\s?([{_UPPER}][\w'’-]{{2,}})")
_NOT_INITIALS = {"o.k.", "n.b.", "p.s.", "t.o.", "b.v.", "m.a.w.", "a.u.b.", "i.p.v.", "o.a."}
_SENTENCE_STARTS = frozenset(
    [
        "de",
        "het",
        "een",
        "daarna",
        "dan",
        "ook",
        "er",
        "ze",
        "hij",
        "zij",
        "we",
        "wij",
        "ik",
        "in",
        "op",
        "met",
        "voor",
        "na",
        "bij",
        "als",
        "dit",
        "dat",
        "deze",
        "die",
        "zo",
        "nu",
        "toen",
        "want",
        "maar",
        "en",
        "of",
        "hun",
        "haar",
        "zijn",
        "sinds",
        "tijdens",
        "verder",
        "vervolgens",
        "daarom",
        "omdat",
        "wanneer",
        "waar",
        "wat",
        "wie",
        "hoe",
    ]
)


def _initials(text: str) -> list[Finding]:
    found = [
        Finding(m.start(), m.end(), NAME, m.group())
        for m in _INITIALS.finditer(text)
        if m.group().replace(" ", "").lower() not in _NOT_INITIALS
    ]
    for match in _INITIAL_THEN_NAME.finditer(text):
        if match.group(1).casefold() not in _SENTENCE_STARTS:
            found.append(Finding(match.start(), match.end(), NAME, match.group()))
    return found


def _names(text: str) -> list[Finding]:
    found = _initials(text)
    names = first_names()
    for match in _WORD.finditer(text):
        word = match.group().casefold()
        # "Emma-Lou", "Anne-Sophie": a double given name counts by its first part.
        if word not in names and word.split("-")[0] not in names:
            continue
        rest = _AFTER_NAME.match(text, match.end())
        # The family name itself must be capitalised, the particles may not be.
        if rest is None or not rest.group().split()[-1][:1].isupper():
            continue
        found.append(Finding(match.start(), rest.end(), NAME, text[match.start() : rest.end()]))
    return found


# --- national register / BIS numbers, any check digit -------------------------------

_NN_WRITTEN = re.compile(
    r"(?<!\d)(\d{2})([.\- ]?)(\d{2})\2(\d{2})[.\- ]?(\d{3})[.\- ]?(\d{2})(?![.\- ]?\d)"
)
_NN_SPACED = re.compile(r"(?<!\d)(?<!\d[.\- ])\d(?:[.\- ]\d){10}(?![.\- ]?\d)")


def _plausible_register_digits(digits: str) -> bool:
    """True when 11 digits have the shape YYMMDD SSS CC of a national register number
    (month 0-12) or a BIS number (month +20 or +40), whatever the check digits."""
    month, day = int(digits[2:4]), int(digits[4:6])
    return month % 20 <= 12 and month <= 52 and day <= 31


def is_register_number(digits: str) -> bool:
    """True when ``digits`` is a valid national register or BIS number (python-stdnum)."""
    return bool(nn.is_valid(digits) or bis.is_valid(digits))


def _register_numbers(text: str) -> list[Finding]:
    found = []
    for pattern in (_NN_WRITTEN, _NN_SPACED):
        for match in pattern.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if is_register_number(digits) or _plausible_register_digits(digits):
                found.append(Finding(match.start(), match.end(), NATIONAL_NUMBER, match.group()))
    return found


# --- phone numbers ------------------------------------------------------------------


def _phones(text: str) -> list[Finding]:
    """Phone numbers libphonenumber finds valid, Belgium as the default region."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "BE", leniency=phonenumbers.Leniency.VALID)
    return [Finding(m.start, m.end, PHONE, m.raw_string) for m in matcher]


# --- schools --------------------------------------------------------------------------


# Words that alone name no school: a short form made only of these is not looked for.
_GENERIC_SCHOOL_WORDS = frozenset(
    [
        "basisschool",
        "school",
        "scholen",
        "atheneum",
        "instituut",
        "college",
        "lyceum",
        "campus",
        "kleuterschool",
        "lagere",
        "middenschool",
        "secundaire",
        "secundair",
        "onderwijs",
        "buitengewoon",
        "gemeentelijke",
        "stedelijke",
        "vrije",
        "koninklijk",
        "koninklijke",
        "sint",
        "go!",
        "go",
        "de",
        "het",
        "van",
        "der",
        "den",
        "en",
        "t",
    ]
)


# A first word that says what kind of school it is: "Basisschool De Regenboog" is also
# written "De Regenboog".
_SCHOOL_KINDS = frozenset(
    ["basisschool", "school", "atheneum", "instituut", "college", "lyceum", "campus"]
    + ["kleuterschool", "middenschool", "scholengroep"]
)


def school_name_forms(name: str) -> list[list[str]]:
    """The ways ``name`` is written short, as word lists: the whole name; without a part in
    brackets ("Zaveldal (buitengewoon secundair onderwijs)" -> "Zaveldal"); without its
    last word, the place ("Topunt Gent" -> "Topunt"); without a first word naming the kind
    of school ("Basisschool De Regenboog" -> "De Regenboog"). A form of only generic words
    ("Basisschool", "Sint") or shorter than five letters is left out."""
    whole = name.replace("-", " ").split()
    bare = re.sub(r"\([^)]*\)", " ", name).replace("-", " ").split()
    kind_first = bare[1:] if len(bare) > 1 and bare[0].casefold() in _SCHOOL_KINDS else []
    forms = [whole, bare, bare[:-1] if len(bare) > 1 else [], kind_first]
    kept: list[list[str]] = []
    for words in forms:
        meaningful = [w for w in words if w.casefold() not in _GENERIC_SCHOOL_WORDS]
        if words and meaningful and len("".join(words)) >= 5 and words not in kept:
            kept.append(words)
    return kept


def _schools(text: str, school_names: Iterable[str]) -> list[Finding]:
    found = []
    for name in school_names:
        for words in school_name_forms(name):
            found.extend(_school_matches(text, words))
    return found


def _school_matches(text: str, words: list[str]) -> list[Finding]:
    found = []
    if words:
        pattern = r"(?<!\w)" + r"[\s-]+".join(re.escape(word) for word in words) + r"(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            found.append(Finding(match.start(), match.end(), SCHOOL, match.group()))
    return found


def known_school_names() -> list[str]:
    """The names of the organisations of type school on the regional map (retired ones
    too: a school that closed still identifies a pupil). Reads the database."""
    from sqlalchemy import select

    from community.accounts.models import Organisation, OrganisationType
    from community.core.extensions import db

    query = select(Organisation.name).where(
        Organisation.organisation_type == OrganisationType.SCHOOL.value
    )
    return [name for name in db.session.scalars(query) if name.strip()]


# --- dates of birth, wider ----------------------------------------------------------

_ANY_DATE = re.compile(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[./-]\d)")
_CUE_THEN_YEAR_OR_DAY = re.compile(
    rf"{BIRTH_CUE.pattern}\s*(?:op|in|on|le|en)?\s*"
    rf"(?:(?:\d{{1,2}}(?:e|ste|de)?\s+(?:{MONTH_NAMES})\b\.?(?:\s+\d{{4}})?)|"
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?)|(?:\d{{6}}(?:\d{{2}})?(?!\d))|"
    rf"(?:['’]\d{{2}}(?!\d))|(?:(?:19|20)\d{{2}}))",
    re.IGNORECASE,
)


#: A date this recent (in years) is no pupil's birth date without a cue: kindergarten
#: starts at two and a half, so "sinds 01/10/2026 afwezig" is a date of the case history.
YOUNGEST_PUPIL_YEARS = 2


def _birth_dates(text: str, today: dt.date) -> list[Finding]:
    found = []
    oldest = today.replace(year=today.year - CHILD_AGE_YEARS, day=min(today.day, 28))
    youngest = today.replace(year=today.year - YOUNGEST_PUPIL_YEARS, day=min(today.day, 28))
    for match in _ANY_DATE.finditer(text):
        day, _, month, year = match.groups()
        date = plausible_date(int(year), int(month), int(day), today)
        if date is not None and oldest <= date <= youngest:
            found.append(Finding(match.start(), match.end(), BIRTH_DATE, match.group()))
    for match in _CUE_THEN_YEAR_OR_DAY.finditer(text):
        found.append(Finding(match.start(), match.end(), BIRTH_DATE, match.group()))
    return found


# --- the strict guard -----------------------------------------------------------------


def find_personal_data_strict(
    text: str, school_names: Iterable[str] = (), today: dt.date | None = None
) -> list[Finding]:
    """Return the likely personal data in ``text`` for a case request, in order, without
    overlaps, positions in ``text`` itself (ready for :func:`forums.pii_guard.highlight`).

    ``school_names``: the names of the schools to look for (:func:`known_school_names`
    in a request; empty in pure tests). ``today`` (default: the current UTC date) anchors
    the age range of dates of birth. Kinds: those of the forums' guard plus ``NAME`` and
    ``SCHOOL``; overlapping findings resolve as there (earlier, then longer, then the
    order of :data:`STRICT_KINDS`).
    """
    original = text or ""
    seen, origin = as_seen(original)
    today = today or dt.datetime.now(dt.UTC).date()
    strict = (
        _register_numbers(seen)
        + _phones(seen)
        + _schools(seen, school_names)
        + _birth_dates(seen, today)
        + _names(seen)
    )
    candidates = [in_original(f, original, origin) for f in strict]
    candidates += find_personal_data(original, today=today)
    priority = {kind: n for n, kind in enumerate(STRICT_KINDS)}
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]))
    result: list[Finding] = []
    for finding in candidates:
        if result and finding.start < result[-1].end:
            continue
        result.append(finding)
    return result


def strict_kinds(findings: list[Finding]) -> list[str]:
    """The distinct kinds of ``findings`` in the order of :data:`STRICT_KINDS`."""
    present = {finding.kind for finding in findings}
    return [kind for kind in STRICT_KINDS if kind in present]
