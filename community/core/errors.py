"""The one base of Bruggen's domain errors: a message for the user, a status, a field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused what was asked; views turn it into a message.

    Subclasses are declarative: ``text`` is the Dutch message (a lazy string, translated
    when shown) with ``%(name)s`` placeholders filled from the keyword arguments given to
    the constructor, which also become attributes; ``status`` is the HTTP status a view
    answers with; ``field`` names the form field at fault (or None). A positional
    ``text`` replaces the declared one for this instance. Domain functions raise them and
    never touch the request (DESIGN.md, "Views, logic, forms").
    """

    text: Any = _l("Dit kan niet.")
    status: int = 422
    field: str | None = None

    def __init__(self, text: Any = None, /, **values: Any) -> None:
        if text is not None:
            self.text = text
        self.values = values
        for name, value in values.items():
            setattr(self, name, value)
        super().__init__(type(self).__name__)

    @property
    def message(self) -> str:
        """The message in the current language, placeholders filled."""
        message = str(self.text)
        return message % self.values if self.values and "%(" in message else message
