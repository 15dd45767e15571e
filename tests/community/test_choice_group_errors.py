"""A radio group's error is tied to its fieldset, where screen readers announce it (issue 13).

WCAG 2.1 3.3.1 and 1.3.1: the group is a fieldset named by its legend; its error
message is its description (``aria-describedby``) and an invalid radio group says so
(``aria-invalid``, allowed on role ``radiogroup``). Both the form macro
(``templates/_macros/forms.html``) and the organiser forms' ``manage/_radio.html``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.pages_helpers import sign_in


class _Fieldsets(HTMLParser):
    """Collect each fieldset's attributes by its legend text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}
        self._open: list[dict[str, str | None]] = []
        self._in_legend = False
        self._legend = ""

    def handle_starttag(self, tag, attrs):
        if tag == "fieldset":
            self._open.append(dict(attrs))
        elif tag == "legend":
            self._in_legend, self._legend = True, ""

    def handle_endtag(self, tag):
        if tag == "legend" and self._open:
            self._in_legend = False
            self.found[self._legend.strip()] = self._open[-1]
        elif tag == "fieldset" and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._in_legend:
            self._legend += data


def fieldsets(html: str) -> dict[str, dict[str, str | None]]:
    parser = _Fieldsets()
    parser.feed(html)
    return parser.found


def error_text(html: str, element_id: str) -> str:
    match = re.search(rf'<p class="error" id="{element_id}">(.*?)</p>', html, re.S)
    assert match, f"no error element #{element_id}"
    return match.group(1).strip()


def test_a_radio_error_in_a_form_macro_field_describes_its_fieldset(client, make_user):
    sign_in(client, make_user())

    response = client.post_form(
        "/materiaal/nieuw",
        {"title": "Nota", "type": "report", "licence": "CC BY 4.0", "visibility": "public"},
    )

    html = response.get_data(as_text=True)
    language = fieldsets(html)["Taal"]
    assert response.status_code == 422
    assert language["role"] == "radiogroup"
    assert language["aria-invalid"] == "true"
    assert language["aria-describedby"] == "language-error"
    assert error_text(html, "language-error") == "Kies een taal."
    assert '<label for="language">' not in html  # a label for a list names nothing
    visibility = fieldsets(html)["Wie mag het zien?"]  # no error: not marked
    assert "aria-invalid" not in visibility and "aria-describedby" not in visibility


def test_a_radio_error_in_the_organiser_form_describes_its_fieldset(client, make_user, make_region):
    region = make_region()
    sign_in(client, make_user("coordinator", regions=[region]))

    response = client.post_form(
        "/beheer/activiteiten/nieuw", {"title": "Netwerkmoment", "visibility": "geheim"}
    )

    html = response.get_data(as_text=True)
    visibility = fieldsets(html)["Zichtbaar voor"]
    assert response.status_code == 422
    assert visibility["role"] == "radiogroup"
    assert visibility["aria-invalid"] == "true"
    assert visibility["aria-describedby"] == "visibility-error"
    assert error_text(html, "visibility-error")
