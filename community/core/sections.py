"""Page sections that features register with the base package.

``community`` never imports ``events`` or ``forums`` (DESIGN.md, "Factory and
wiring"). Pages of the base (home, region page) show what the features
register here: a template to include and a loader that returns its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Section:
    """One block on a page: ``template``, rendered with the dict ``load(**page_args)`` returns."""

    order: int
    template: str = field(compare=False)
    load: Callable[..., dict] = field(compare=False)


_SECTIONS: dict[str, list[Section]] = {}


def register_section(page: str, template: str, load: Callable[..., dict], order: int = 50) -> None:
    """Add a section to ``page`` ("home", "region"); lower ``order`` comes first.

    Registering the same template twice for a page replaces the earlier one,
    so creating several apps in one process (tests) does not repeat sections.
    """
    sections = [s for s in _SECTIONS.get(page, []) if s.template != template]
    sections.append(Section(order, template, load))
    _SECTIONS[page] = sorted(sections)


def render_sections(page: str, **page_args) -> list[tuple[str, dict]]:
    """Return (template, context) for each section of ``page``, in order."""
    return [(s.template, s.load(**page_args)) for s in _SECTIONS.get(page, [])]
