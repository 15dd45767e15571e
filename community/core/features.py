"""The one registry through which feature packages plug into the base.

``community`` never imports ``events`` or ``forums`` (DESIGN.md, "Factory and
wiring"). Where a page or a rule of the base must know about a feature (a
section on the home page, a member's data export, files a row refers to), the
feature says so here: each feature package has a ``wiring.register(features)``
that ``create_app`` calls from its one list ``FEATURES``. The registry belongs to
the app (``app.extensions["bruggen.features"]``), so two apps in one process
(tests, the benchmark) never see each other's registrations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "bruggen.features"


@dataclass(order=True)
class Section:
    """One block on a page: ``template``, rendered with the dict ``load(**page_args)`` returns."""

    order: int
    template: str = field(compare=False)
    load: Callable[..., dict] = field(compare=False)


@dataclass(order=True)
class Part:
    """One named, ordered part of a GDPR step (export, erasure, purge); lower ``order`` first."""

    order: int
    name: str = field(compare=False)
    function: Callable = field(compare=False)
    setting: str = field(default="", compare=False)  # purges: the retention setting (days)
    default_days: int = field(default=0, compare=False)


class Features:
    """What the feature packages registered with the base, for one app.

    Registering the same name (or template) twice replaces the earlier one.
    """

    def __init__(self) -> None:
        self.sections: dict[str, list[Section]] = {}
        self.exports: dict[str, Part] = {}
        self.erasures: dict[str, Part] = {}
        self.purges: dict[str, Part] = {}
        self.material_filters: list[Any] = []
        self.file_columns: list[Callable[[], Iterable[Any]]] = []
        self.template_globals: dict[str, Any] = {}
        self.template_filters: dict[str, Callable] = {}
        self.unmodelled: set[str] = set()
        self.reference_data: dict[str, Part] = {}
        self.personal_data_guard: Callable[[str], list] | None = None

    # --- pages ------------------------------------------------------------------------

    def add_section(
        self, page: str, template: str, load: Callable[..., dict], order: int = 50
    ) -> None:
        """Show ``template`` on ``page`` ("home", "region", "event", "material").

        ``load(**page_args)`` returns the template's context; lower ``order`` comes first.
        The home and activity pages keep what their sections show per audience and data
        version for every member of that audience (``community.core.fragments``, issue
        14): a section there must show only what follows from the data and the visitor's
        audience (``audience_of``), never one person's own (their registrations, cases,
        unread counts), and read data of the scopes the page names.
        """
        sections = [s for s in self.sections.get(page, []) if s.template != template]
        sections.append(Section(order, template, load))
        self.sections[page] = sorted(sections)

    def add_template_globals(self, **values: Any) -> None:
        """Export permission rules and helpers to every template under these names."""
        self.template_globals.update(values)

    def add_template_filters(self, **filters: Callable) -> None:
        """Add Jinja filters under these names (``{{ event|event_period }}``)."""
        self.template_filters.update(filters)

    # --- GDPR (community.gdpr) ---------------------------------------------------------

    def add_export(self, name: str, collect: Callable[[Any], Any], order: int = 50) -> None:
        """Add the part ``name`` to every member's data export: ``collect(user)`` -> JSON data."""
        self.exports[name] = Part(order, name, collect)

    def add_erasure(
        self, name: str, erase: Callable[[Any, dt.datetime], None], order: int = 50
    ) -> None:
        """Run ``erase(user, now)`` when a member deletes the account, before the wipe.

        ``erase`` removes or anonymises what the feature holds about the member (it may
        still read ``user.email``); it only adds/flushes, and may queue mails.
        """
        self.erasures[name] = Part(order, name, erase)

    def add_purge(
        self,
        name: str,
        purge: Callable[[dt.datetime, dt.timedelta], int],
        *,
        setting: str,
        default_days: int,
    ) -> None:
        """Run ``purge(now, retention)`` in ``flask purge``; it returns how many it handled.

        ``retention`` comes from the config ``setting`` (days; ``default_days`` when unset).
        """
        self.purges[name] = Part(50, name, purge, setting, default_days)

    # --- data ------------------------------------------------------------------------

    def add_material_filter(self, material_filter: Any) -> None:
        """Add a filter of the materials list (``community.library.materials.MaterialFilter``)."""
        self.material_filters = [
            f for f in self.material_filters if f.parameter != material_filter.parameter
        ] + [material_filter]

    def add_file_columns(self, columns: Callable[[], Iterable[Any]]) -> None:
        """Declare columns holding storage keys: a file is removed only when none refers to it."""
        if columns not in self.file_columns:
            self.file_columns.append(columns)

    def add_reference_data(
        self, name: str, load: Callable[[], dict[str, int]], order: int = 50
    ) -> None:
        """Run ``load()`` in ``flask load-reference-data`` (after regions, themes, networks).

        ``load`` adds the feature's missing reference rows, found by natural key, and
        returns how many it added per kind (``{"forums": 3}``); it only adds/flushes.
        """
        self.reference_data[name] = Part(order, name, load)

    def set_personal_data_guard(self, guard: Callable[[str], list]) -> None:
        """Offer ``guard(text)`` -> findings (likely identifying data about a person, empty
        when none) to every feature that takes free text; the forums register theirs."""
        self.personal_data_guard = guard

    def add_unmodelled(self, *names: str) -> None:
        """Declare schema objects made by DDL outside the models (a name ending in "*": prefix).

        Schema comparison (autogenerate, the migration test) leaves them alone.
        """
        self.unmodelled.update(names)


def init_app(app: Flask, registrations: Iterable[Callable[[Features], None]]) -> Features:
    """Give ``app`` its registry, filled by each of ``registrations`` in order; return it."""
    registry = Features()
    for register in registrations:
        register(registry)
    app.extensions[EXTENSION_KEY] = registry
    app.jinja_env.globals.update(registry.template_globals)
    app.jinja_env.filters.update(registry.template_filters)
    return registry


def features(app: Flask | None = None) -> Features:
    """The registry of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def render_sections(page: str, **page_args: Any) -> list[tuple[str, dict]]:
    """Return (template, context) for each section registered for ``page``, in order."""
    return [(s.template, s.load(**page_args)) for s in features().sections.get(page, [])]


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic ``include_object`` hook: False for reflected objects declared unmodelled.

    Needs an app context (``flask db``, the migration test): the names come from the
    current app's registry (:meth:`Features.add_unmodelled`).
    """
    if not reflected or name is None:
        return True
    for pattern in features().unmodelled:
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return False
    return True
