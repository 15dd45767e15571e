"""Both catalogues (nl, en) hold every UI string of the code and templates, translated."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    messages = _source_messages()
    assert len(messages) > 50, "extraction found suspiciously few strings"
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
