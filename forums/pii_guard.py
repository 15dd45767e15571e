"""Privacy guard: find likely identifying data about a person in forum text (pure functions).

The people discussed on Bruggen are vulnerable minors (DESIGN.md, "Privacy comes
with the domain"; issue 5, "Privacy guard"). Before a post, thread or edit is
saved, :func:`find_personal_data` looks for national register numbers, phone
numbers, e-mail addresses, dates of birth and street addresses. The rules aim at
few false positives: an ordinary number (a year, "15 deelnemers", a time, an
11-digit number whose checksum is wrong) is never flagged.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

NATIONAL_NUMBER = "national_number"
PHONE = "phone"
EMAIL = "email"
BIRTH_DATE = "birth_date"
ADDRESS = "address"

KINDS = (NATIONAL_NUMBER, PHONE, EMAIL, BIRTH_DATE, ADDRESS)


@dataclass(frozen=True, order=True)
class Finding:
    """One match: ``text[start:end]`` is likely personal data of ``kind`` (one of ``KINDS``)."""

    start: int
    end: int
    kind: str
    text: str


# --- national register number (rijksregisternummer) ---------------------------------

_SEP = r"[.\- ]?"
_NATIONAL = re.compile(
    rf"(?<![\d])(?<!\d[.\- ])(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{3}}){_SEP}(\d{{2}})"
    r"(?![.\- ]?\d)"
)


def is_valid_national_number(digits: str) -> bool:
    """True when the 11 ``digits`` form a valid Belgian national register number.

    Structure YYMMDD SSS CC (Koninklijk besluit van 3 april 1984, rijksregister):
    CC = 97 - (YYMMDDSSS mod 97); for births from 2000 the checksum is computed
    over "2" + YYMMDDSSS. The month may be 0 (date unknown) and is raised by 20 or
    40 for BIS numbers (persons not in the register); the day may be 0.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if month % 20 > 12 or month > 52 or day > 31:
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - int("2" + digits[:9]) % 97)


# Written one digit at a time ("8 5 0 7 3 0 0 3 3 2 8"): eleven digits, one separator each.
_NATIONAL_SPACED = re.compile(r"(?<!\d)(?<!\d[.\- ])\d(?:[.\- ]\d){10}(?![.\- ]?\d)")


def _national_numbers(text: str) -> list[Finding]:
    found = []
    for match in _NATIONAL.finditer(text):
        if is_valid_national_number("".join(match.groups())):
            found.append(Finding(match.start(), match.end(), NATIONAL_NUMBER, match.group()))
    for match in _NATIONAL_SPACED.finditer(text):
        if is_valid_national_number(re.sub(r"\D", "", match.group())):
            found.append(Finding(match.start(), match.end(), NATIONAL_NUMBER, match.group()))
    return found


# --- numbers typed with the letter O --------------------------------------------------

# A run of digits, the letter O and separators with at least six real digits: "O47O 12 34
# 56" is a phone number to a reader. Same length, so positions stay valid.
_O_NUMBER = re.compile(r"(?<![\w])[\dOo](?:[\s./-]?[\dOo]){7,}(?![\w])")


def _o_as_zero(text: str) -> str:
    """``text`` with the letter O read as the digit 0 inside number-like runs that hold at
    least six digits (the other runs unchanged; same length)."""

    def zero(match: re.Match[str]) -> str:
        run = match.group()
        if sum(char.isdigit() for char in run) < 6:
            return run
        return run.replace("O", "0").replace("o", "0")

    return _O_NUMBER.sub(zero, text)


# --- phone numbers --------------------------------------------------------------------

_PHONE_SEP = r"[\s./-]?"
# A run of digits that starts with 0 and may be split by one separator between digits.
_LOCAL_PHONE = re.compile(r"(?<![\d+])(?<!\d[\s./-])0(?:" + _PHONE_SEP + r"\d){8,9}(?![\s./-]?\d)")
# +32 470 12 34 56, 0032 2 123 45 67, +31 (0)6 1234 5678, +33 6 12 34 56 78
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\s?[1-9]\d{0,2}(?:\s?\(0\))?(?:[\s./-]{0,2}\d){6,13}(?![\s./-]?\d)"
)


def _phones(text: str) -> list[Finding]:
    found = []
    for match in _LOCAL_PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # Belgian numbering plan: mobile 04xx xx xx xx (10 digits), fixed 0x xxx xx xx (9).
        mobile = len(digits) == 10 and digits.startswith("04")
        fixed = len(digits) == 9 and not digits.startswith(("04", "00"))
        if mobile or fixed:
            found.append(Finding(match.start(), match.end(), PHONE, match.group()))
    for match in _INTERNATIONAL_PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 8 <= len(digits) <= 15:  # ITU-T E.164: at most 15 digits
            found.append(Finding(match.start(), match.end(), PHONE, match.group()))
    return found


# --- e-mail addresses ---------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


# Written to slip past a robot: "naam [at] domein.be", "naam(at)domein(dot)be",
# "naam at domein punt be", "naam apenstaartje domein.be".
_AT = (
    r"(?:\s*[\[({<]\s*(?:at|@|apenstaartje|apenstaart)\s*[\])}>]\s*"
    r"|\s+(?:at|apenstaartje|apenstaart)\s+)"
)
_DOT = r"(?:\.|\s*[\[({<]\s*(?:dot|punt)\s*[\])}>]\s*|\s+(?:dot|punt)\s+)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.%+-])[\w.%+-]+{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}[A-Za-z]{{2,}}\b",
    re.IGNORECASE,
)


def _emails(text: str) -> list[Finding]:
    found = [Finding(m.start(), m.end(), EMAIL, m.group()) for m in _EMAIL.finditer(text)]
    for match in _SPELLED_EMAIL.finditer(text):
        # The bare word "at" is English too ("meet at school.be"?): only with a spelled dot
        # or brackets does it read as an address.
        spelled = re.search(r"[\[({<]|\s(?:dot|punt)\s|apenstaart", match.group(), re.I)
        if spelled:
            found.append(Finding(match.start(), match.end(), EMAIL, match.group()))
    return found


# --- dates of birth -----------------------------------------------------------------

MONTHS = {
    "januari": 1, "jan": 1, "janvier": 1,
    "februari": 2, "feb": 2, "febr": 2, "février": 2, "fevrier": 2,
    "maart": 3, "mrt": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4,
    "mei": 5, "mai": 5,
    "juni": 6, "jun": 6, "juin": 6,
    "juli": 7, "jul": 7, "juillet": 7,
    "augustus": 8, "aug": 8, "août": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9,
    "oktober": 10, "okt": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "décembre": 12, "decembre": 12,
}  # fmt: skip
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[./-]\d)")
# ISO 8601 (2015-03-12), as school and care software print a date of birth.
_ISO_DATE = re.compile(r"(?<![\d./-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d]|[./-]\d)")
_WRITTEN_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:e|ste|de)?\s+({MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
# Words that announce a date of birth; ° is the Flemish sign for "born".
BIRTH_CUE = re.compile(
    r"(geboren|geboorte\w*|geb\.|°|verjaardag|jarig|born|date of birth|né|née|naissance)",
    re.IGNORECASE,
)
BIRTH_CUE_WINDOW = 40  # characters before the date in which a cue counts
CHILD_AGE_YEARS = 25  # a date this many years back or less may be a (young) person's birth


def plausible_date(year: int, month: int, day: int, today: dt.date) -> dt.date | None:
    """Return the date ``year``-``month``-``day`` (a two-digit year read as the nearest past
    century), or None when no such calendar day exists. Used by this guard and the strict
    one of the case tables (``casetables.guard``)."""
    if year < 100:
        year += 2000 if year <= today.year % 100 else 1900
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _birth_dates(text: str, today: dt.date) -> list[Finding]:
    """Dates that may be a date of birth.

    A full date (day, month, year as 12/03/2015, 12-03-2015, 12.03.2015,
    "12 maart 2015" or ISO 8601 2015-03-12) is flagged when a birth cue (geboren,
    geboortedatum, °...) stands at most ``BIRTH_CUE_WINDOW`` characters before it, or when it lies
    between ``CHILD_AGE_YEARS`` years and one year before ``today``: the birth
    date of a minor or young adult. Future and recent dates (an activity, a
    deadline) are not flagged without a cue; a two-digit year only with a cue.
    """
    found = []
    candidates = []
    for match in _NUMERIC_DATE.finditer(text):
        day, _, month, year = match.groups()
        candidates.append((match, int(year), int(month), int(day), len(year) == 2))
    for match in _ISO_DATE.finditer(text):
        year, month, day = match.groups()
        candidates.append((match, int(year), int(month), int(day), False))
    for match in _WRITTEN_DATE.finditer(text):
        day, month, year = match.groups()
        candidates.append((match, int(year), MONTHS[month.lower()], int(day), False))
    for match, year, month, day, short_year in candidates:
        date = plausible_date(year, month, day, today)
        if date is None:
            continue
        before = text[max(0, match.start() - BIRTH_CUE_WINDOW) : match.start()]
        cued = bool(BIRTH_CUE.search(before))
        oldest = today.replace(year=today.year - CHILD_AGE_YEARS, day=min(today.day, 28))
        youngest = today - dt.timedelta(days=365)
        in_child_range = oldest <= date <= youngest and not short_year
        if cued or in_child_range:
            found.append(Finding(match.start(), match.end(), BIRTH_DATE, match.group()))
    return found


# --- street addresses -----------------------------------------------------------------

STREET_SUFFIXES = (
    "straat", "laan", "lei", "plein", "steenweg", "dreef", "weg", "kaai", "markt", "vest",
    "singel", "dijk", "baan", "kouter", "gracht", "hof", "pad", "wegel", "dam", "rei",
    "ring", "park", "berg", "veld", "hoek", "kant", "boulevard", "avenue", "rue", "square",
)  # fmt: skip
_SUFFIXES = "|".join(STREET_SUFFIXES)
# Abbreviated streets as people write them: "Kerkstr. 12", "Gentsestwg 5", "Stationsln. 3".
_ABBREVIATED = r"(?:str|stwg|stw|ln)\.?"
# Words ending in a suffix that are not streets ("onderweg 3 uur").
_NOT_STREETS = {"onderweg", "halfweg", "midweg", "allerweg", "wegweg", "park", "ring", "hof"}
# A number followed by one of these counts something; it is no house number.
_UNITS = (
    r"(?:uur|u\b|h\b|keer|x\b|dagen|dag|weken|week|jaar|maanden|maand|minuten|min\b|km|m\b|"
    r"%|procent|euro|€|leerlingen|deelnemers|kinderen|jongeren|personen|mensen|scholen|"
    r"plaatsen|stuks|op\s+\d|tot\s+\d|[:hu]\d)"
)
_STREET = re.compile(
    rf"(?<![\w-])((?:[A-ZÀ-Þ][\w'.-]*\s+){{0,3}}"
    rf"(?:[A-Za-zÀ-ÿ'-]+(?:{_SUFFIXES})|(?:{_SUFFIXES.title()})|[A-ZÀ-Þ][a-zà-ÿ'-]+{_ABBREVIATED}))"
    rf"\s+(\d{{1,4}}(?:\s?[a-zA-Z](?![\w]))?(?:\s*(?:bus|b\.?)\s*\d+)?)"
    rf"(?![\d\w:,.]\d)(?!\s*{_UNITS})",
)
_POSTCODE = re.compile(
    r"(?<![\w-])((?:B|BE)-)?([1-9]\d{3})\s+([A-ZÀ-Þ][a-zà-ÿ]+(?:[- ](?:[A-ZÀ-Þ]|aan|op|bij)"
    r"[a-zà-ÿ]*)*)"
)


def _addresses(text: str) -> list[Finding]:
    found = []
    for match in _STREET.finditer(text):
        street = match.group(1)
        last_word = street.split()[-1].lower()
        if last_word in _NOT_STREETS and street == street.split()[-1]:
            continue
        found.append(Finding(match.start(), match.end(), ADDRESS, match.group()))
    for match in _POSTCODE.finditer(text):
        prefix, code, place = match.groups()
        before = text[: match.start()].rstrip()
        after_separator = before == "" or before.endswith((",", ";", ":"))
        is_year = 1900 <= int(code) <= 2099
        if prefix or after_separator or not is_year:
            if place.lower() in MONTHS:
                continue
            found.append(Finding(match.start(), match.end(), ADDRESS, match.group()))
    return found


# --- public functions -----------------------------------------------------------------


# Characters that look like nothing or like a hyphen or a space: text pasted from a word
# processor (an en dash for "-"), a phone's keyboard (fullwidth digits) or written to slip
# past a check (a zero-width space inside a number) is read as what a person sees.
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_DASHES = set("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


# Cyrillic and Greek letters that look like Latin ones ("Jаn" with a Cyrillic а). Read as
# Latin only inside a word that also holds Latin letters: a word written in Cyrillic stays.
_LOOKALIKES = str.maketrans(
    "аеорсуххіјѕАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι",
    "aeopcyxxijsABEKMHOPCTXIJSABEZHIKMNOPTYXoi",
)
_MIXED_WORD = re.compile(r"\w+")


def _latin_lookalikes(text: str) -> str:
    """``text`` with the Cyrillic and Greek look-alikes of Latin letters made Latin inside
    words that mix them with Latin letters (same length, so positions stay valid)."""

    def latin(match: re.Match[str]) -> str:
        word = match.group()
        mapped = word.translate(_LOOKALIKES)
        if mapped == word or not any("a" <= c.lower() <= "z" for c in word):
            return word
        return mapped

    return _MIXED_WORD.sub(latin, text)


def as_seen(text: str) -> tuple[str, list[int]]:
    """Return ``text`` as a reader sees it, and for each of its characters the index in
    ``text`` it came from: Cyrillic and Greek look-alikes inside a Latin word made Latin
    ("Jаn"), invisible characters dropped, dashes made "-", spaces " ",
    decimal digits of any script made ASCII ("٠٤٧٠" -> "0470"), other characters
    NFKC-normalised (fullwidth "０" -> "0")."""
    seen: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(_latin_lookalikes(text)):
        if char in _INVISIBLE:
            continue
        if char in _DASHES:
            char = "-"
        elif unicodedata.category(char) == "Zs":
            char = " "
        elif unicodedata.category(char) == "Nd":
            char = str(unicodedata.digit(char))  # Eastern Arabic "٠٤٧٠", Persian, Devanagari
        for part in unicodedata.normalize("NFKC", char):
            seen.append(part)
            origin.append(index)
    return "".join(seen), origin


def find_personal_data(text: str, today: dt.date | None = None) -> list[Finding]:
    """Return the likely personal data in ``text``, in order, without overlaps.

    ``today`` (default: the current UTC date) anchors the age range of dates of
    birth. Where two findings overlap, the earlier one wins, and at the same
    start the longer; a national register number is checked before a phone number
    so an 11-digit number with a valid checksum is reported as what it is. The text
    is read as a person sees it (:func:`as_seen`: dashes, invisible characters,
    fullwidth digits); positions refer to ``text`` itself, ready for :func:`highlight`.
    """
    original = text or ""
    text, origin = as_seen(original)
    today = today or dt.datetime.now(dt.UTC).date()
    numbers = _o_as_zero(text)
    candidates = (
        _national_numbers(numbers)
        + _emails(text)
        + _phones(numbers)
        + _birth_dates(text, today)
        + _addresses(text)
    )
    priority = {kind: n for n, kind in enumerate(KINDS)}
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]))
    result: list[Finding] = []
    for finding in candidates:
        if result and finding.start < result[-1].end:
            continue
        result.append(finding)
    return [in_original(finding, original, origin) for finding in result]


def in_original(finding: Finding, original: str, origin: list[int]) -> Finding:
    """Return ``finding`` (positions in the text :func:`as_seen` made) with its positions and
    text in ``original``, through ``origin`` (the index map :func:`as_seen` returned)."""
    start, end = origin[finding.start], origin[finding.end - 1] + 1
    return Finding(start, end, finding.kind, original[start:end])


def highlight(text: str, findings: list[Finding]) -> Markup:
    """Return ``text`` as escaped HTML with every finding wrapped in ``<mark>``.

    Each mark carries ``data-kind`` (the finding's kind); ``findings`` must be
    sorted and non-overlapping as :func:`find_personal_data` returns them.
    """
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(str(escape(text[position : finding.start])))
        parts.append(
            f'<mark data-kind="{finding.kind}">{escape(text[finding.start : finding.end])}</mark>'
        )
        position = finding.end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def finding_kinds(findings: list[Finding]) -> list[str]:
    """Return the distinct kinds of ``findings`` in the order of ``KINDS``."""
    present = {finding.kind for finding in findings}
    return [kind for kind in KINDS if kind in present]
