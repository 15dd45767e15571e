"""Both catalogues (nl, en) hold every UI string of the code and templates, translated."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = set()

    # Unlike Babel's default, look inside folders starting with "_" (templates/_macros).
    def visible(path: str) -> bool:
        return not Path(path).name.startswith(".") and Path(path).name != "__pycache__"

    # The keywords `make translations-update` extracts with: also the lazy strings of
    # forms, enums and errors (``_l``), which Babel's defaults leave out.
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=visible
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    messages = _source_messages()
    assert len(messages) > 50, "extraction found suspiciously few strings"
    assert "beide thema's" in messages, "templates/_macros must be extracted too"
    return messages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_translates_every_ui_string(language, source_messages):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and m.string and not m.fuzzy and (isinstance(m.string, str) or all(m.string))
    }
    missing = sorted(source_messages - translated)
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:10]}"


def _english(msgid: str) -> str:
    with open(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)[msgid].string


def test_pages_and_error_pages_follow_the_chosen_language(client):
    english = {"Accept-Language": "en-GB,en;q=0.9"}

    assert "Naar de inhoud" in client.get("/").text
    assert _english("Naar de inhoud") in client.get("/", headers=english).text
    missing = client.get("/bestaat-niet", headers=english)
    assert missing.status_code == 404
    assert _english("Pagina niet gevonden") in missing.text
    assert "Pagina niet gevonden" in client.get("/bestaat-niet").text


def test_dates_are_shown_in_brussels_time_in_the_language_of_the_page(client, make_event):
    import datetime as dt

    # 12:30 UTC on 18 December 2026 is 13:30 in Brussels (winter time, UTC+1).
    event = make_event(starts_at=dt.datetime(2026, 12, 18, 12, 30, tzinfo=dt.UTC))

    dutch = client.get(f"/activiteiten/{event.slug}").text
    english = client.get(f"/activiteiten/{event.slug}", headers={"Accept-Language": "en"}).text

    assert "vrijdag 18 december 2026" in dutch and "13:30" in dutch
    assert "Friday 18 December 2026" in english and "13:30" in english
