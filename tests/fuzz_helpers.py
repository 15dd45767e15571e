"""Helpers of the bad-input fuzz test: read the forms and links of a page, encode raw bodies.

Kept apart from the test so the test reads as its plan: which routes, which values, which
roles. Nothing here knows Bruggen's routes; it reads HTML as a browser would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit


@dataclass
class Field:
    """One named control of a form: its kind (input type, "select", "textarea"), its value."""

    name: str
    kind: str
    value: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A form of a page: ``method``, the path it posts to, and its fields in page order."""

    method: str
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)


class PageReader(HTMLParser):
    """Collects the forms and the links (``href`` with a query string) of one page."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._checked_options: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        elif tag == "form":
            action = a.get("action") or self.page_path
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=urlsplit(action).path or self.page_path,
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            value = a.get("value", "")
            if kind in ("checkbox", "radio"):
                existing = next((f for f in self._form.fields if f.name == a["name"]), None)
                if existing is None:
                    existing = Field(a["name"], kind, "", "required" in a)
                    self._form.fields.append(existing)
                existing.options.append(value or "y")
                if "checked" in a:
                    existing.value = value or "y"
                return
            self._form.fields.append(Field(a["name"], kind, value, "required" in a))
        elif tag == "select":
            self._select = Field(a["name"], "select", "", "required" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "", "required" in a)
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:  # WTForms writes a line break after the tag
                self._textarea.value = self._textarea.value.removeprefix("\r\n").lstrip("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def read_page(path: str, html: str) -> PageReader:
    reader = PageReader(path)
    reader.feed(html)
    return reader


def query_names(href: str) -> set[str]:
    return {name for name, _ in parse_qsl(urlsplit(href).query, keep_blank_values=True)}


# Multi-line fields a form takes empty (lists of addresses or links, a select's choices).
OPTIONAL_TEXTAREAS = {"invited_emails", "links", "choices", "partners"}
# Single-line fields that a form needs although the page does not mark them required.
NEEDED = {"title", "name", "subject", "display_name", "guest_name", "label", "venue_name"}
_numbers = itertools.count(1)


def plausible(item: Field) -> str | list[str]:
    """A value a careful user would give ``item``: what the page holds, else something valid.

    Optional fields stay empty (an optional date or link that is half filled in is refused
    for its own reason); required ones, free text, and the start and end of what is
    planned get a value that passes. Names and addresses are new each time (a second
    account or category with the same name is refused for that reason).
    """
    soon = dt.datetime.now() + dt.timedelta(days=30)
    later = item.name.startswith("end") or "_end" in item.name
    if item.kind == "checkbox":
        if item.options == ["y"]:  # a yes/no box: as the page has it
            return [item.value] if item.value else []
        return [item.value] if item.value else item.options[:1]
    if item.kind in ("radio", "select"):
        return item.value or next((o for o in item.options if o), "")
    if item.kind == "textarea":
        if item.value or item.name in OPTIONAL_TEXTAREAS:
            return item.value
        return f"Een gewone tekst {next(_numbers)}."
    if item.value:
        return item.value
    planned = item.name.startswith(("start", "end", "day"))
    if not (item.required or planned or item.name in NEEDED):
        return ""
    if "email" in item.name or item.kind == "email":
        return f"fuzz{next(_numbers)}@example.org"
    by_kind = {
        "date": soon.strftime("%Y-%m-%d"),
        "time": "12:00" if later else "10:00",
        "datetime-local": (soon + dt.timedelta(hours=2 if later else 0)).strftime("%Y-%m-%dT%H:%M"),
        "number": "2",
        "url": "https://example.org/",
        "password": "een-lang-wachtwoord-1",
    }
    return by_kind.get(item.kind, f"Een gewone tekst {next(_numbers)}")


Value = str | bytes


def urlencoded(pairs: list[tuple[str, Value]]) -> bytes:
    """``application/x-www-form-urlencoded`` of ``pairs``; bytes values go as they are."""
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs).encode()


def multipart(pairs: list[tuple[str, Value]], files: dict[str, tuple[str, bytes]], boundary: str):
    """``multipart/form-data`` of ``pairs`` and ``files`` ({name: (filename, bytes)})."""
    chunks: list[bytes] = []
    for name, value in pairs:
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(name)}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(name)}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        chunks.append(head.encode("utf-8", "surrogatepass") + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)
