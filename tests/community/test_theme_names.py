"""Theme names are stored in Dutch and shown in the page's language (no translated column)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from community.accounts.models import Theme
from tests.pages_helpers import add, sign_in

KLEUTER = "Kleuter- en basisonderwijs"
SECUNDAIR = "Secundair onderwijs en (her)oriëntering naar school of werk"
ENGLISH = {
    1: "Theme 1: Pre-school and primary education",
    2: "Theme 2: Secondary education and (re)orientation towards school or work",
}
DUTCH = {1: f"Thema 1: {KLEUTER}", 2: f"Thema 2: {SECUNDAIR}"}


@pytest.fixture
def themes(app):
    """The two themes as the networks name them (demo/content.yaml)."""
    return [
        add(Theme(number=1, name=KLEUTER, short="-12")),
        add(Theme(number=2, name=SECUNDAIR, short="+12")),
    ]


def test_a_theme_shows_its_name_in_the_current_language(app, themes):
    one, two = themes
    with force_locale("en"):
        assert one.display_name == "Pre-school and primary education"
        assert two.label == ENGLISH[2]
    with force_locale("nl"):
        assert one.display_name == KLEUTER
        assert two.label == DUTCH[2]


def test_a_known_name_is_found_whatever_its_case_and_spacing(app, themes):
    one = themes[0]
    one.name = "  kleuter-  en BASISONDERWIJS "
    with force_locale("en"):
        assert one.display_name == "Pre-school and primary education"


def test_a_renamed_theme_shows_its_stored_name(app, themes):
    one = themes[0]
    one.name = "Kleuters en lagere school"
    with force_locale("en"):
        assert one.display_name == "Kleuters en lagere school"
        assert one.label == "Theme 1: Kleuters en lagere school"


@pytest.mark.parametrize("path", ["/account", "/materiaal/nieuw", "/praktijkvoorbeelden/nieuw"])
def test_forms_of_an_english_member_offer_the_english_theme_names(client, make_user, themes, path):
    sign_in(client, make_user(locale="en"))

    page = client.get(path).get_data(as_text=True)

    assert ENGLISH[1] in page and ENGLISH[2] in page
    assert KLEUTER not in page and SECUNDAIR not in page


def test_forms_of_a_dutch_member_keep_the_dutch_theme_names(client, make_user, themes):
    sign_in(client, make_user(locale="nl"))

    page = client.get("/account").get_data(as_text=True)

    assert DUTCH[1] in page and DUTCH[2] in page


def test_signup_form_in_english_offers_the_english_theme_names(client, themes):
    page = client.get("/registreren", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert ENGLISH[1] in page and ENGLISH[2] in page
    assert KLEUTER not in page


def test_agenda_activity_and_library_show_themes_in_english(client, make_event, themes):
    """They show "Theme 1"/"Theme 2" (with the short "-12"/"+12" in the filters), never the
    Dutch name or "Thema"."""
    one = make_event(title="Netwerkmoment", themes=[themes[0]])
    make_event(title="Vorming", themes=[themes[1]])
    paths = ["/agenda", f"/activiteiten/{one.slug}", "/materiaal", "/praktijkvoorbeelden"]

    for path in paths:
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Theme 1" in page, path
        assert "Thema 1" not in page and "Thema 2" not in page, path
        assert KLEUTER not in page and SECUNDAIR not in page, path
