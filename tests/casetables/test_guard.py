"""The strict personal-data guard of the case tables (issue 19, "Request")."""

from __future__ import annotations

import datetime as dt

import pytest

from casetables.guard import (
    NAME,
    SCHOOL,
    find_personal_data_strict,
    first_names,
    is_register_number,
    known_school_names,
    strict_kinds,
)
from forums.pii_guard import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    NATIONAL_NUMBER,
    PHONE,
    find_personal_data,
)

TODAY = dt.date(2026, 12, 7)


def kinds(text: str, schools=(), today=TODAY) -> list[str]:
    return [f.kind for f in find_personal_data_strict(text, schools, today=today)]


def test_the_two_misses_of_the_forum_guard_are_caught():
    # The issue names them: a plain name and a national register number with a wrong check.
    assert find_personal_data("Jan Peeters spijbelt al weken.", today=TODAY) == []
    assert find_personal_data("Rijksregister 85.07.30-033.29", today=TODAY) == []
    assert kinds("Jan Peeters spijbelt al weken.") == [NAME]
    assert kinds("Rijksregister 85.07.30-033.29") == [NATIONAL_NUMBER]


def test_the_shipped_list_holds_several_hundred_names_of_several_origins():
    names = first_names()
    assert len(names) >= 300
    for name in ("jan", "lotte", "mohamed", "yusuf", "zeynep", "wiktoria", "noah", "ayşe"):
        assert name in names


@pytest.mark.parametrize(
    "text, found",
    [
        ("Gesprek met Lotte Janssens gisteren.", "Lotte Janssens"),
        ("Mohamed El Amrani kwam niet opdagen.", "Mohamed El Amrani"),
        ("we zagen Sofie van den Broeck op school", "Sofie van den Broeck"),
        ("Ayşe Yılmaz zit in het vierde jaar.", "Ayşe Yılmaz"),
        ("LISA Maes", "LISA Maes"),
    ],
)
def test_a_listed_given_name_followed_by_a_capitalised_word_is_a_name(text, found):
    findings = find_personal_data_strict(text, today=TODAY)
    assert [(f.kind, f.text) for f in findings] == [(NAME, found)]


@pytest.mark.parametrize(
    "text",
    [
        "Jan kwam niet, de moeder wel.",  # a given name alone is not flagged
        "Het CLB en de jeugdhulp zitten vast.",  # capitalised words that are no names
        "Sinds januari geen contact. Emma. Daarna niets.",  # punctuation between
        "Een jongen van 14 in de B-stroom.",
        "Marco Polo",  # not on the list: the list decides, no guessing
    ],
)
def test_no_name_without_a_listed_given_name_and_a_family_name(text):
    assert NAME not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "85.07.30-033.28",  # valid
        "85.07.30-033.29",  # check digit wrong
        "85073003329",  # written without separators, check digit wrong
        "8 5 0 7 3 0 0 3 3 2 9",  # one digit at a time
        "85 27 30 033 11",  # BIS (month + 20), any check digit
        "nr 12.45.03-123.45",  # BIS (month + 40)
    ],
)
def test_national_register_and_bis_numbers_whatever_the_check_digit(text):
    assert kinds(text) == [NATIONAL_NUMBER]


def test_stdnum_recognises_the_valid_ones():
    assert is_register_number("85073003328")
    assert not is_register_number("85073003329")


@pytest.mark.parametrize(
    "text", ["12345678901", "85.13.30-033.28", "85.07.32-033.28", "Dossier 2024 00145 12"]
)
def test_eleven_digits_that_cannot_be_a_register_number_are_not(text):
    assert NATIONAL_NUMBER not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "bel 0470 12 34 56",
        "tel. 09 123 45 67",
        "+32 470 12 34 56",
        "+31 6 12345678",
        "02/511.22.33",
    ],
)
def test_phone_numbers_through_libphonenumber(text):
    assert kinds(text) == [PHONE]


@pytest.mark.parametrize("text", ["15 deelnemers", "sinds 2019", "3 keer per week", "14u30"])
def test_ordinary_numbers_are_no_phone_numbers(text):
    assert kinds(text) == []


def test_school_names_from_the_regional_map():
    schools = ["Sint-Jozefscollege Aalst", "GO! atheneum Brugge"]
    findings = find_personal_data_strict(
        "Hij zit op het sint-jozefscollege  aalst sinds september.", schools, today=TODAY
    )
    assert [(f.kind, f.text) for f in findings] == [(SCHOOL, "sint-jozefscollege  aalst")]
    assert kinds("Een school in Aalst, secundair.", schools) == []


def test_known_school_names_reads_organisations_of_type_school(app, make_region):
    from community.accounts.models import Organisation, OrganisationType, Sector
    from community.core.extensions import db

    region = make_region()
    db.session.add_all(
        [
            Organisation(
                name="Basisschool De Regenboog",
                sector=Sector.EDUCATION,
                region=region,
                organisation_type=OrganisationType.SCHOOL.value,
            ),
            Organisation(
                name="CLB Kempen",
                sector=Sector.EDUCATION,
                region=region,
                organisation_type=OrganisationType.CLB.value,
            ),
        ]
    )
    db.session.commit()
    assert known_school_names() == ["Basisschool De Regenboog"]
    assert kinds("Ze zit in basisschool de regenboog.", known_school_names()) == [SCHOOL]


@pytest.mark.parametrize(
    "text",
    [
        "geboren op 12/03/2012",
        "° 12 maart 2012",
        "12.03.12",  # two-digit year, no cue: strict mode flags it
        "03-11-2023",  # a toddler: the forum guard lets dates of the last year pass
        "geboren in 2012",  # a cue and a year
        "geboortedatum 12 maart",  # a cue and a day and month
    ],
)
def test_dates_of_birth(text):
    assert kinds(text) == [BIRTH_DATE]


@pytest.mark.parametrize("text", ["tafel op 15/01/2027", "sinds 2012 in de regio", "op 12 maart"])
def test_future_dates_and_years_alone_are_no_birth_dates(text):
    assert BIRTH_DATE not in kinds(text)


def test_everything_the_forum_guard_finds_is_still_found():
    text = "Mail naar ouder@example.org of kom naar de Kerkstraat 12, 9000 Gent."
    assert kinds(text) == [EMAIL, ADDRESS, ADDRESS]


def test_positions_refer_to_the_original_text_and_hidden_characters_do_not_help():
    text = "Over Jan\u200b Peeters en 0470\u201312\u200b34\u201356."
    findings = find_personal_data_strict(text, today=TODAY)
    assert strict_kinds(findings) == [PHONE, NAME]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Leerling J.P. spijbelt al weken.", NAME),  # initials
        ("Leerling J. Peeters spijbelt.", NAME),
        ("Emma-Lou Janssens spijbelt.", NAME),  # a double given name
        ("Het gaat over J\u0430n Peeters.", NAME),  # a Cyrillic а inside a Latin name
        ("Ze zit op Zaveldal.", SCHOOL),  # the name without its part in brackets
        ("Ze zit op Topunt.", SCHOOL),  # the name without the place
        ("Ze zit op Topunt-Gent.", SCHOOL),
        ("Ze zit in De Regenboog.", SCHOOL),  # without "Basisschool"
        ("geboortedatum 12032012", BIRTH_DATE),  # digits written together after a cue
        ("geboren in '12", BIRTH_DATE),
    ],
)
def test_what_slipped_past_the_strict_guard_is_found(text, kind):
    """The fresh tester's inputs (issue 19): each was filed as a case request before."""
    schools = [
        "Zaveldal (buitengewoon secundair onderwijs)",
        "Topunt Gent",
        "Basisschool De Regenboog",
    ]
    assert kinds(text, schools) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Sinds 01/10/2026 afwezig van school.",  # a date of the case history, not a birth
        "Zie bijlage B. Daarna volgt een gesprek.",  # an initial before a sentence
        "Alles O.K. na het gesprek; N.B. het CLB volgt op.",
        "Ze zit in het BSO, in een basisschool of een atheneum.",  # kinds of school, no name
    ],
)
def test_case_history_and_kinds_of_school_pass_the_strict_guard(text):
    schools = ["Basisschool De Regenboog", "Koninklijk Atheneum Brugge"]
    assert kinds(text, schools) == []
