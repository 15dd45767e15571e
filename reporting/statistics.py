"""The network's statistics: figures for a scope (regions, or the whole network) and a period.

Every figure comes from a *figure provider*: a function ``provider(scope, period) ->
list[FigureTable]`` in :data:`FIGURE_PROVIDERS`. Each runs a fixed number of aggregate
queries, whatever the period's size (``tests/reporting/test_statistics.py`` counts them).
A later source of figures (the regional analyses, say) plugs in by adding one function
to that tuple.

Aggregates only, never names (issue 18, "Statistics"): every count of people in a table is
shown as "< 3" when it is 1 or 2 (:func:`shown`), in the page, the XLSX and the PDF alike.

People are counted once: a participation is one registration (one per person per activity,
``uq_registrations_event_email``); distinct people are distinct e-mail addresses, so a guest
who later made an account with that address is one person. Registrations anonymised after
a deleted account or the guest purge (``events.gdpr``: "verwijderd-…") have no person
behind them any more: they count as participations, never as distinct people, so a deleted
account is never counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, func, literal, or_, select

from casetables.models import OUTCOME_LABELS, CaseRequest, Outcome
from community.accounts.models import Organisation, Region, Theme
from community.core.extensions import db
from community.library.models import (
    Material,
    MaterialType,
    Practice,
    PracticeStatus,
    material_themes,
    practice_themes,
)
from events.followup.evaluation import MIN_ANSWERS_SHOWN
from events.gdpr import ANONYMOUS_PREFIX
from events.models import (
    Evaluation,
    Event,
    EventStatus,
    EventType,
    Registration,
    RegistrationState,
    Visibility,
    event_themes,
)
from events.organising.export import sector_label
from forums.models import Forum, Post, Thread
from regionmap.models import OFFER_KIND_LABELS, OfferKind
from signals.models import Answer, Signal, SignalBundle, State, answer_bundles, signal_themes

from .period import Period

#: Counts of people from 1 up to this (excluded) are shown as "< 3" (issue 18).
SMALL_CELL = 3
SMALL_CELL_TEXT = "< 3"
#: A cell hidden so that a small cell beside it cannot be worked out from the total
#: (:func:`protect_small_cells`); kept as this text in the values (JSON-ready).
SUPPRESSED = "×"


@dataclass(frozen=True)
class Scope:
    """The regions the figures are about; no regions: the whole network (Flanders and
    Brussels, with the network-wide activities)."""

    regions: tuple[Region, ...] = ()

    @property
    def is_whole_network(self) -> bool:
        return not self.regions

    @property
    def region_ids(self) -> list[int]:
        return [region.id for region in self.regions]

    @property
    def slug(self) -> str:
        """The scope in a URL: region slugs joined by "+", or :data:`WHOLE_NETWORK`."""
        return "+".join(r.slug for r in self.regions) if self.regions else WHOLE_NETWORK

    @property
    def label(self) -> str:
        """The regions' names ("West-Vlaanderen, Limburg") or "Vlaanderen en Brussel"."""
        if not self.regions:
            return _("Vlaanderen en Brussel (alle regio's)")
        return ", ".join(region.name for region in self.regions)

    def where(self, region_id_column) -> object:
        """A WHERE clause on ``region_id_column``: true for the whole network."""
        if self.is_whole_network:
            return literal(True)
        return region_id_column.in_(self.region_ids)


WHOLE_NETWORK = "heel-vlaanderen"


@dataclass(frozen=True)
class Column:
    """A column of figures; ``is_people``: its cells count people (small cells hidden)."""

    label: str
    is_people: bool = False


@dataclass
class FigureRow:
    """One row of a figure table: a label and one value per column (None: not known)."""

    key: str
    label: str
    values: list[int | float | str | None]
    is_total: bool = False


@dataclass
class FigureTable:
    """One table of figures, with the column its chart draws (``chart_columns``)."""

    key: str
    title: str
    row_header: str
    columns: list[Column]
    rows: list[FigureRow]
    chart_columns: list[int] = field(default_factory=lambda: [0])
    note: str = ""

    def row(self, key: str) -> FigureRow | None:
        return next((row for row in self.rows if row.key == key), None)


@dataclass
class Statistics:
    """All figures of a scope and period, in the order the providers gave them."""

    scope: Scope
    period: Period
    tables: list[FigureTable]
    compared_with: str = ""

    def table(self, key: str) -> FigureTable:
        """Return the table ``key``; ``KeyError`` when no provider made it."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


FigureProvider = Callable[[Scope, Period], list[FigureTable]]


def shown(value: int | float | str | None, column: Column) -> str:
    """Return ``value`` as shown: "< 3" for 1 or 2 people, "–" for unknown, "×" for a cell
    hidden to protect a small one (:func:`protect_small_cells`), else the number.

    Rule: issue 18, "a breakdown cell below 3 people is shown as '< 3'". Zero people
    identifies nobody and stays 0.
    """
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if column.is_people and 0 < value < SMALL_CELL:
        return SMALL_CELL_TEXT
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def chart_value(value: int | float | str | None, column: Column) -> int | float | None:
    """The value a chart may draw: None (no bar) where the table shows "< 3" or "×"."""
    if value is None or isinstance(value, str) or (column.is_people and 0 < value < SMALL_CELL):
        return None
    return value


# --- the providers ----------------------------------------------------------------------


def _counted_events(scope: Scope, period: Period):
    """WHERE clause: published activities of the scope that start in the period (cancelled
    and draft activities do not count)."""
    return and_(
        scope.where(Event.region_id),
        Event.status == EventStatus.PUBLISHED,
        Event.visibility != Visibility.PROJECT_GROUP,  # the group's own meetings: no reach
        Event.starts_at >= period.starts_at,
        Event.starts_at < period.ends_at,
    )


def _pairs(rows) -> dict:
    """{first column: second column} of two-column result ``rows``."""
    return {key: value for key, value in rows}


def _theme_columns(themes: Sequence[Theme]) -> list[Column]:
    return [Column(_("Thema %(number)s", number=theme.number)) for theme in themes]


def _themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.number)))


def activity_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Activities by type, in all and per theme (3 queries)."""
    themes = _themes()
    where = _counted_events(scope, period)
    totals = _pairs(
        db.session.execute(
            select(Event.type, func.count(Event.id)).where(where).group_by(Event.type)
        ).all()
    )
    per_theme: dict[tuple[str, int], int] = {
        (kind, number): count
        for kind, number, count in db.session.execute(
            select(Event.type, Theme.number, func.count(Event.id))
            .join(event_themes, event_themes.c.event_id == Event.id)
            .join(Theme, Theme.id == event_themes.c.theme_id)
            .where(where)
            .group_by(Event.type, Theme.number)
        )
    }
    rows = [
        FigureRow(
            kind.value,
            kind.plural,
            [totals.get(kind, 0), *(per_theme.get((kind, t.number), 0) for t in themes)],
        )
        for kind in EventType
    ]
    rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [
                sum(totals.values()),
                *(sum(v for (_k, n), v in per_theme.items() if n == t.number) for t in themes),
            ],
            is_total=True,
        )
    )
    return [
        FigureTable(
            "activities",
            _("Activiteiten per soort en thema"),
            _("Soort activiteit"),
            [Column(_("Activiteiten")), *_theme_columns(themes)],
            rows,
            note=_(
                "Gepubliceerde activiteiten die in de periode beginnen; een activiteit voor "
                "beide thema's telt bij elk thema."
            ),
        )
    ]


def _is_anonymised():
    return Registration.email.like(f"{ANONYMOUS_PREFIX}%")


def _person():
    """The person behind a registration: the e-mail address; None once anonymised."""
    return case((_is_anonymised(), None), else_=func.lower(Registration.email))


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def registration_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Registrations, presence and no-shows per type of activity; participants by sector
    and by kind of organisation; distinct people (4 queries)."""
    where = _counted_events(scope, period)
    confirmed = Registration.state == RegistrationState.CONFIRMED
    rows = {
        kind: (registered, present, absent, unknown, waiting, cancelled)
        for kind, registered, present, absent, unknown, waiting, cancelled in db.session.execute(
            select(
                Event.type,
                _count_if(confirmed),
                _count_if(and_(confirmed, Registration.attended.is_(True))),
                _count_if(and_(confirmed, Registration.attended.is_(False))),
                _count_if(and_(confirmed, Registration.attended.is_(None))),
                _count_if(Registration.state == RegistrationState.WAITLISTED),
                _count_if(Registration.state == RegistrationState.CANCELLED),
            )
            .join(Event, Event.id == Registration.event_id)
            .where(where)
            .group_by(Event.type)
        )
    }
    columns = [
        Column(_("Inschrijvingen"), True),
        Column(_("Aanwezig"), True),
        Column(_("Niet opgedaagd"), True),
        Column(_("Aanwezigheid niet genoteerd"), True),
        Column(_("Wachtlijst"), True),
        Column(_("Geannuleerd"), True),
    ]
    table_rows = [
        FigureRow(kind.value, kind.plural, list(rows.get(kind, (0,) * 6)))
        for kind in EventType
        if kind in rows
    ]
    table_rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [sum(r[i] for r in rows.values()) for i in range(6)],
            is_total=True,
        )
    )
    registrations = FigureTable(
        "registrations",
        _("Inschrijvingen en aanwezigheid"),
        _("Soort activiteit"),
        columns,
        table_rows,
        chart_columns=[1, 2],
        note=_(
            "Inschrijvingen: bevestigde plaatsen. Aanwezig en niet opgedaagd zoals de "
            "organisatoren het noteerden."
        ),
    )

    participants = and_(where, confirmed)
    people = func.count(distinct(_person()))
    by_sector = db.session.execute(
        select(Registration.sector, func.count(Registration.id), people)
        .join(Event, Event.id == Registration.event_id)
        .where(participants)
        .group_by(Registration.sector)
    )
    sector_rows = sorted(
        (
            FigureRow(code or "-", sector_label(code) if code else _("onbekend"), [count, persons])
            for code, count, persons in by_sector
        ),
        key=lambda row: (-int(row.values[0] or 0), row.label),
    )
    # No organisation, or one without a kind: one row "unknown".
    kind_of = func.coalesce(Organisation.kind, "")
    by_kind = db.session.execute(
        select(kind_of, func.count(Registration.id), people)
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(participants)
        .group_by(kind_of)
    )
    kind_rows = sorted(
        (
            FigureRow(kind or "-", kind or _("onbekend"), [count, persons])
            for kind, count, persons in by_kind
        ),
        key=lambda row: (-int(row.values[0] or 0), row.label),
    )
    total_count, total_people, anonymised = db.session.execute(
        select(func.count(Registration.id), people, _count_if(_is_anonymised()))
        .join(Event, Event.id == Registration.event_id)
        .where(participants)
    ).one()
    people_columns = [Column(_("Deelnames"), True), Column(_("Verschillende personen"), True)]
    total_row = FigureRow("total", _("Totaal"), [total_count, total_people], is_total=True)
    return [
        registrations,
        FigureTable(
            "sectors",
            _("Deelnemers per sector"),
            _("Sector"),
            people_columns,
            [*sector_rows, total_row],
            note=_(
                "Een deelname is één bevestigde inschrijving. Personen worden één keer "
                "geteld; %(count)s deelnames van verwijderde accounts en gewiste "
                "gastinschrijvingen tellen als deelname, niet als persoon.",
                count=anonymised,
            ),
        ),
        FigureTable(
            "organisation_kinds",
            _("Deelnemers per soort organisatie"),
            _("Soort organisatie"),
            people_columns,
            [*kind_rows, total_row],
        ),
    ]


def organisation_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Distinct organisations reached, new and returning (1 query).

    An organisation is reached when one of its people had a confirmed place at an
    activity of the scope in the period; it is *new* when it never had one at an
    activity of the scope that started before the period.
    """
    in_period = and_(Event.starts_at >= period.starts_at, Event.starts_at < period.ends_at)
    per_organisation = (
        select(
            Registration.organisation_id.label("organisation_id"),
            func.min(Event.starts_at).label("first_at"),
            func.max(case((in_period, 1), else_=0)).label("in_period"),
        )
        .join(Event, Event.id == Registration.event_id)
        .where(
            scope.where(Event.region_id),
            Event.status == EventStatus.PUBLISHED,
            Event.visibility != Visibility.PROJECT_GROUP,
            Event.starts_at < period.ends_at,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.organisation_id.is_not(None),
        )
        .group_by(Registration.organisation_id)
        .subquery()
    )
    reached, new = db.session.execute(
        select(
            func.count(per_organisation.c.organisation_id),
            _count_if(per_organisation.c.first_at >= period.starts_at),
        ).where(per_organisation.c.in_period == 1)
    ).one()
    return [
        FigureTable(
            "organisations",
            _("Bereikte organisaties"),
            _("Organisaties"),
            [Column(_("Aantal"))],
            [
                FigureRow("new", _("nieuw bereikt"), [new]),
                FigureRow("returning", _("terugkerend"), [reached - new]),
                FigureRow(
                    "total", _("Totaal verschillende organisaties"), [reached], is_total=True
                ),
            ],
            note=_(
                "Organisaties met minstens één bevestigde deelnemer; nieuw: nooit eerder "
                "deelgenomen aan een activiteit van deze regio's."
            ),
        )
    ]


def library_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Materials shared (and their downloads so far) per type; practices published per
    theme (4 queries)."""
    shared = and_(
        scope.where(Material.region_id),
        Material.is_project_group.is_(False),
        Material.created_at >= period.starts_at,
        Material.created_at < period.ends_at,
    )
    by_type = {
        kind: (count, downloads)
        for kind, count, downloads in db.session.execute(
            select(
                Material.type,
                func.count(Material.id),
                func.coalesce(func.sum(Material.download_count), 0),
            )
            .where(shared)
            .group_by(Material.type)
        )
    }
    material_rows = [
        FigureRow(kind.value, kind.label, list(by_type[kind]))
        for kind in MaterialType
        if kind in by_type
    ]
    material_rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [sum(v[0] for v in by_type.values()), sum(v[1] for v in by_type.values())],
            is_total=True,
        )
    )
    themes = _themes()
    material_themes_count = _pairs(
        db.session.execute(
            select(Theme.number, func.count(Material.id))
            .join(material_themes, material_themes.c.material_id == Material.id)
            .join(Theme, Theme.id == material_themes.c.theme_id)
            .where(shared)
            .group_by(Theme.number)
        )
    )
    published_at = func.coalesce(Practice.published_at, Practice.created_at)
    published = and_(
        scope.where(Practice.region_id),
        Practice.status == PracticeStatus.PUBLISHED,
        published_at >= period.starts_at,
        published_at < period.ends_at,
    )
    practice_total = db.session.scalar(select(func.count(Practice.id)).where(published)) or 0
    practice_themes_count = _pairs(
        db.session.execute(
            select(Theme.number, func.count(Practice.id))
            .join(practice_themes, practice_themes.c.practice_id == Practice.id)
            .join(Theme, Theme.id == practice_themes.c.theme_id)
            .where(published)
            .group_by(Theme.number)
        )
    )
    theme_rows = [
        FigureRow(
            f"theme-{t.number}",
            _("Thema %(number)s", number=t.number),
            [material_themes_count.get(t.number, 0), practice_themes_count.get(t.number, 0)],
        )
        for t in themes
    ]
    theme_rows.append(
        FigureRow(
            "total", _("Totaal"), [material_rows[-1].values[0], practice_total], is_total=True
        )
    )
    return [
        FigureTable(
            "materials",
            _("Gedeeld materiaal per soort"),
            _("Soort materiaal"),
            [Column(_("Gedeeld")), Column(_("Downloads tot nu"))],
            material_rows,
            note=_(
                "Materiaal dat in de periode gedeeld werd, met het aantal keer dat het tot "
                "vandaag gedownload werd."
            ),
        ),
        FigureTable(
            "library_themes",
            _("Materiaal en praktijkvoorbeelden per thema"),
            _("Thema"),
            [Column(_("Materiaal gedeeld")), Column(_("Praktijkvoorbeelden gepubliceerd"))],
            theme_rows,
            chart_columns=[0, 1],
        ),
    ]


def forum_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Forum activity per theme: new conversations, messages and people writing (2 queries).

    Hidden and deleted messages do not count, nor the project group's closed forum. A
    conversation of no region counts for the whole network only.
    """
    theme_key = func.coalesce(Forum.theme_id, 0)
    threads = _pairs(
        db.session.execute(
            select(theme_key, func.count(Thread.id))
            .join(Forum, Forum.id == Thread.forum_id)
            .where(
                scope.where(Thread.region_id),
                Forum.is_project_group.is_(False),
                Thread.created_at >= period.starts_at,
                Thread.created_at < period.ends_at,
            )
            .group_by(theme_key)
        )
    )
    posts = {
        key: (count, writers)
        for key, count, writers in db.session.execute(
            select(theme_key, func.count(Post.id), func.count(distinct(Post.author_id)))
            .join(Thread, Thread.id == Post.thread_id)
            .join(Forum, Forum.id == Thread.forum_id)
            .where(
                scope.where(Thread.region_id),
                Forum.is_project_group.is_(False),
                Post.created_at >= period.starts_at,
                Post.created_at < period.ends_at,
                Post.is_deleted.is_(False),
                Post.is_hidden.is_(False),
            )
            .group_by(theme_key)
        )
    }
    themes = _themes()
    keys = [(t.id, _("Thema %(number)s", number=t.number)) for t in themes]
    keys.append((0, _("Algemeen (geen thema)")))
    rows = [
        FigureRow(
            f"forum-{key}",
            label,
            [threads.get(key, 0), posts.get(key, (0, 0))[0], posts.get(key, (0, 0))[1]],
        )
        for key, label in keys
    ]
    rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [sum(threads.values()), sum(v[0] for v in posts.values()), None],
            is_total=True,
        )
    )
    return [
        FigureTable(
            "forums",
            _("Forumactiviteit per thema"),
            _("Thema"),
            [
                Column(_("Nieuwe gesprekken")),
                Column(_("Berichten")),
                Column(_("Personen die schreven"), True),
            ],
            rows,
            chart_columns=[0, 1],
        )
    ]


#: The score questions the evaluation figures report on, as (question key, label): the
#: three every template asks (issue 17: content, usefulness for practice, organisation).
EVALUATION_KINDS = ("content", "practice", "organisation")


def _evaluation_kind_labels() -> dict[str, str]:
    return {
        "content": _("inhoud"),
        "practice": _("bruikbaarheid"),
        "organisation": _("organisatie"),
    }


def evaluation_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Evaluation scores per type of activity: per question kind the number of answers and
    the mean score (1-5) (1 query).

    Only activities with at least :data:`events.followup.evaluation.MIN_ANSWERS_SHOWN`
    evaluations count (issue 17: a breakdown of fewer than 3 answers would identify
    people); a mean over fewer than 3 answers is not shown (None, "–"). The answers are
    JSON, so they are read in one query and summed here: the query count stays fixed
    whatever the period's size.
    """
    rows = db.session.execute(
        select(Event.id, Event.type, Evaluation.answers)
        .join(Event, Event.id == Evaluation.event_id)
        .where(_counted_events(scope, period))
    ).all()
    per_event: dict[int, list] = {}
    type_of: dict[int, EventType] = {}
    for event_id, kind, answers in rows:
        per_event.setdefault(event_id, []).append(answers or {})
        type_of[event_id] = kind
    # [activities, evaluations, {question: [answers, sum]}] per type of activity
    totals: dict[EventType, tuple[list[int], dict[str, list[int]]]] = {}
    for event_id, evaluations in per_event.items():
        if len(evaluations) < MIN_ANSWERS_SHOWN:
            continue
        counts, scores = totals.setdefault(
            type_of[event_id], ([0, 0], {key: [0, 0] for key in EVALUATION_KINDS})
        )
        counts[0] += 1
        counts[1] += len(evaluations)
        for answers in evaluations:
            for key in EVALUATION_KINDS:
                score = answers.get(key)
                if isinstance(score, int) and not isinstance(score, bool):
                    scores[key][0] += 1
                    scores[key][1] += score

    def values(counts: list[int], scores: dict[str, list[int]]) -> tuple[list, list]:
        """(activities, evaluations, mean per question), (answers per question)."""
        means: list[int | float | None] = list(counts)
        answers: list[int | float | None] = []
        for key in EVALUATION_KINDS:
            answered, total = scores[key]
            answers.append(answered)
            means.append(round(total / answered, 1) if answered >= MIN_ANSWERS_SHOWN else None)
        return means, answers

    per_type = {kind: values(*totals[kind]) for kind in EventType if kind in totals}
    all_counts = [sum(c[i] for c, _s in totals.values()) for i in range(2)]
    all_scores = {
        key: [sum(s[key][i] for _c, s in totals.values()) for i in range(2)]
        for key in EVALUATION_KINDS
    }
    overall = values(all_counts, all_scores)
    labels = _evaluation_kind_labels()

    def rows(part: int) -> list[FigureRow]:
        return [
            *(FigureRow(kind.value, kind.plural, pair[part]) for kind, pair in per_type.items()),
            FigureRow("total", _("Totaal"), overall[part], is_total=True),
        ]

    return [
        FigureTable(
            "evaluations",
            _("Evaluatiescores per soort activiteit"),
            _("Soort activiteit"),
            [
                Column(_("Activiteiten")),
                Column(_("Evaluaties"), True),
                *(
                    Column(_("Score %(question)s", question=labels[key]))
                    for key in EVALUATION_KINDS
                ),
            ],
            rows(0),
            chart_columns=[2, 3, 4],
            note=_(
                "Score: de gemiddelde score van 1 tot 5; bruikbaarheid: voor de praktijk. "
                "Alleen activiteiten met minstens %(minimum)s evaluaties tellen mee: minder "
                "antwoorden zouden deelnemers herkenbaar maken.",
                minimum=MIN_ANSWERS_SHOWN,
            ),
        ),
        FigureTable(
            "evaluation_answers",
            _("Evaluatieantwoorden per vraag"),
            _("Soort activiteit"),
            [
                Column(_("Antwoorden %(question)s", question=labels[key]), True)
                for key in EVALUATION_KINDS
            ],
            rows(1),
            chart_columns=[0, 1, 2],
            note=_("Een score zonder minstens 3 antwoorden staat als „–”."),
        ),
    ]


def _bundle_in_scope(scope: Scope):
    """WHERE clause: a bundle of the scope, made in one of its regions or holding a signal
    raised in one of them (a bundle may gather signals of several regions)."""
    if scope.is_whole_network:
        return literal(True)
    return or_(
        SignalBundle.region_id.in_(scope.region_ids),
        select(Signal.id)
        .where(Signal.bundle_id == SignalBundle.id, Signal.region_id.in_(scope.region_ids))
        .exists(),
    )


def signal_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Signals raised in the period per region and theme; bundles passed on and answered in
    the period (4 queries).

    A signal counts in the region it was raised in, on the day it was raised (withdrawn
    signals do not count: their reporter took them back). Every signal has one reporter, so
    its counts are counts of people: 1 or 2 show as "< 3". A bundle counts when it was
    passed on in the period; it is answered in the period when an answer to it was received
    then (``Answer.received_on``, a local day).
    """
    raised = and_(
        scope.where(Signal.region_id),
        Signal.state != State.WITHDRAWN,
        Signal.created_at >= period.starts_at,
        Signal.created_at < period.ends_at,
    )
    per_region = db.session.execute(
        select(Region.id, Region.name, func.count(Signal.id))
        .join(Signal, Signal.region_id == Region.id)
        .where(raised)
        .group_by(Region.id, Region.name, Region.position)
        .order_by(Region.position)
    ).all()
    per_theme: dict[tuple[int, int], int] = {
        (region_id, number): count
        for region_id, number, count in db.session.execute(
            select(Signal.region_id, Theme.number, func.count(Signal.id))
            .join(signal_themes, signal_themes.c.signal_id == Signal.id)
            .join(Theme, Theme.id == signal_themes.c.theme_id)
            .where(raised)
            .group_by(Signal.region_id, Theme.number)
        )
    }
    themes = _themes()
    counted = {region_id: (name, count) for region_id, name, count in per_region}
    regions = (
        [(r.id, r.name) for r in scope.regions]
        if scope.regions
        else [(region_id, name) for region_id, name, _count in per_region]
    )
    signal_rows = [
        FigureRow(
            f"region-{region_id}",
            name,
            [
                counted.get(region_id, (name, 0))[1],
                *(per_theme.get((region_id, t.number), 0) for t in themes),
            ],
        )
        for region_id, name in regions
    ]
    signal_rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [
                sum(count for _name, count in counted.values()),
                *(sum(v for (_r, n), v in per_theme.items() if n == t.number) for t in themes),
            ],
            is_total=True,
        )
    )

    in_scope = _bundle_in_scope(scope)
    passed_on = (
        db.session.scalar(
            select(func.count(SignalBundle.id)).where(
                in_scope,
                SignalBundle.passed_on_at >= period.starts_at,
                SignalBundle.passed_on_at < period.ends_at,
            )
        )
        or 0
    )
    answered, answers = db.session.execute(
        select(func.count(distinct(SignalBundle.id)), func.count(distinct(Answer.id)))
        .select_from(SignalBundle)
        .join(answer_bundles, answer_bundles.c.bundle_id == SignalBundle.id)
        .join(Answer, Answer.id == answer_bundles.c.answer_id)
        .where(in_scope, Answer.received_on >= period.first, Answer.received_on <= period.last)
    ).one()
    return [
        FigureTable(
            "signals",
            _("Signalen per regio en thema"),
            _("Regio"),
            [Column(_("Signalen"), True), *(Column(c.label, True) for c in _theme_columns(themes))],
            signal_rows,
            note=_(
                "Signalen die in de periode gemeld werden, in de regio waar ze gemeld werden; "
                "ingetrokken signalen tellen niet. Een signaal over beide thema's telt bij "
                "elk thema."
            ),
        ),
        FigureTable(
            "signal_bundles",
            _("Signalen doorgegeven en beantwoord"),
            _("Bundels"),
            [Column(_("Aantal"))],
            [
                FigureRow("passed_on", _("bundels doorgegeven"), [passed_on]),
                FigureRow("answered", _("bundels met een antwoord"), [answered]),
                FigureRow("answers", _("antwoorden ontvangen"), [answers]),
            ],
            note=_(
                "Bundels van signalen uit deze regio's (of door hun coördinatoren gemaakt), "
                "doorgegeven in de periode; antwoorden die in de periode ontvangen werden."
            ),
        ),
    ]


def case_table_figures(scope: Scope, period: Period) -> list[FigureTable]:
    """Case tables (issue 19, "In the statistics"): requests per region, the median time to a
    table, and the outcomes by kind and by kind of offer (3 queries).

    A request counts in its region in the period it was filed (``created_at``); its time to a
    table is the days from filing to the table (``table_at``), the median per region shown
    only over 3 or more tables (fewer would show a single case). An outcome counts in the
    period its case was closed. Only anonymous columns are read (region, dates, outcome, kind
    of offer), so cases whose texts were erased (``casetables.retention``) still count. Each
    case is about one young person: its counts are counts of people ("< 3").
    """
    filed = and_(
        scope.where(CaseRequest.region_id),
        CaseRequest.created_at >= period.starts_at,
        CaseRequest.created_at < period.ends_at,
    )
    per_region = db.session.execute(
        select(Region.id, Region.name, func.count(CaseRequest.id))
        .join(CaseRequest, CaseRequest.region_id == Region.id)
        .where(filed)
        .group_by(Region.id, Region.name, Region.position)
        .order_by(Region.position)
    ).all()
    waits: dict[int, list[float]] = {}
    for region_id, created_at, table_at in db.session.execute(
        select(CaseRequest.region_id, CaseRequest.created_at, CaseRequest.table_at).where(
            filed, CaseRequest.table_at.is_not(None)
        )
    ):
        days = max((table_at - created_at).total_seconds(), 0) / 86400
        waits.setdefault(region_id, []).append(days)
    closed = db.session.execute(
        select(CaseRequest.outcome, CaseRequest.outcome_offer_kind, func.count(CaseRequest.id))
        .where(
            scope.where(CaseRequest.region_id),
            CaseRequest.outcome.is_not(None),
            CaseRequest.closed_at >= period.starts_at,
            CaseRequest.closed_at < period.ends_at,
        )
        .group_by(CaseRequest.outcome, CaseRequest.outcome_offer_kind)
    ).all()

    def median_days(values: list[float]) -> float | None:
        return round(median(values), 1) if len(values) >= SMALL_CELL else None

    counted = {region_id: count for region_id, _name, count in per_region}
    regions = (
        [(r.id, r.name) for r in scope.regions]
        if scope.regions
        else [(region_id, name) for region_id, name, _count in per_region]
    )
    request_rows = [
        FigureRow(
            f"region-{region_id}",
            name,
            [
                counted.get(region_id, 0),
                len(waits.get(region_id, [])),
                median_days(waits.get(region_id, [])),
            ],
        )
        for region_id, name in regions
    ]
    request_rows.append(
        FigureRow(
            "total",
            _("Totaal"),
            [
                sum(counted.values()),
                sum(len(v) for v in waits.values()),
                median_days([d for v in waits.values() for d in v]),
            ],
            is_total=True,
        )
    )
    outcomes = [o.value for o in Outcome]
    by_outcome = {o: 0 for o in outcomes}
    by_kind: dict[str, dict[str, int]] = {}
    for outcome, kind, count in closed:
        by_outcome[outcome] = by_outcome.get(outcome, 0) + count
        by_kind.setdefault(kind or "", {}).setdefault(outcome, 0)
        by_kind[kind or ""][outcome] += count
    kind_rows = [
        FigureRow(
            f"kind-{kind.value}",
            str(OFFER_KIND_LABELS[kind]),
            [by_kind.get(kind.value, {}).get(o, 0) for o in outcomes],
        )
        for kind in OfferKind
        if kind.value in by_kind
    ]
    kind_rows.append(
        FigureRow("total", _("Totaal"), [by_outcome.get(o, 0) for o in outcomes], is_total=True)
    )
    return [
        FigureTable(
            "case_tables",
            _("Casustafels: aanvragen en tijd tot een tafel"),
            _("Regio"),
            [
                Column(_("Aanvragen"), True),
                Column(_("Met een casustafel"), True),
                Column(_("Dagen tot de tafel (mediaan)")),
            ],
            request_rows,
            chart_columns=[0, 1],
            note=_(
                "Aanvragen die in de periode ingediend werden, in hun regio; de mediaan van "
                "het aantal dagen tussen aanvraag en casustafel staat er pas vanaf 3 tafels."
            ),
        ),
        FigureTable(
            "case_outcomes",
            _("Casustafels: uitkomst per soort aanbod"),
            _("Soort aanbod"),
            [Column(str(OUTCOME_LABELS[Outcome(o)]), True) for o in outcomes],
            kind_rows,
            chart_columns=[0, 1, 2],
            note=_(
                "Casussen die in de periode afgesloten werden: het gevonden aanbod, de soort "
                "maatwerk, of de soort aanbod die ontbrak (die werd een signaal)."
            ),
        ),
    ]


#: The sources of figures, in page order. Plug a new source in here: a function
#: ``(scope, period) -> list[FigureTable]`` running a fixed number of aggregate queries.
#: Still to come: the regional analyses (issue 15).
FIGURE_PROVIDERS: tuple[FigureProvider, ...] = (
    activity_figures,
    registration_figures,
    evaluation_figures,
    organisation_figures,
    library_figures,
    forum_figures,
    signal_figures,
    case_table_figures,
)


def compute_statistics(
    scope: Scope, period: Period, providers: Sequence[FigureProvider] = FIGURE_PROVIDERS
) -> Statistics:
    """Return every figure of ``scope`` in ``period`` (local days, Europe/Brussels).

    Runs each provider once: a fixed number of queries whatever the period's size.
    Reads only.
    """
    tables: list[FigureTable] = []
    for provider in providers:
        tables.extend(protect_small_cells(table) for table in provider(scope, period))
    return Statistics(scope, period, tables)


def protect_small_cells(table: FigureTable) -> FigureTable:
    """Hide a second cell where a column's total would give away its one small cell; return
    ``table`` (changed in place).

    A column counting people with exactly one cell of 1 or 2 (shown "< 3") and its total
    shown lets anyone subtract the other cells and find the hidden number (tester, issue
    18: "12 = 5 + 6 + hidden"). Then the smallest other cell above 0 of that column is
    shown as :data:`SUPPRESSED` as well, so that only the sum of the two can be worked
    out (secondary cell suppression, as statistical offices do). Totals stay shown.
    """
    body = [row for row in table.rows if not row.is_total]
    for index, column in enumerate(table.columns):
        if not column.is_people:
            continue
        numbers = [
            (row.values[index], position)
            for position, row in enumerate(body)
            if isinstance(row.values[index], int | float)
        ]
        small = [position for value, position in numbers if 0 < value < SMALL_CELL]
        if len(small) != 1:
            continue
        others = [
            (value, position) for value, position in numbers if value > 0 and position not in small
        ]
        if others:
            body[min(others)[1]].values[index] = SUPPRESSED
    return table


def compare_with(statistics: Statistics, reference: Statistics, label: str) -> Statistics:
    """Return ``statistics`` with, in each table, one more column: the first column of
    ``reference`` (the whole network, say) for the same rows, headed ``label``."""
    tables = []
    for table in statistics.tables:
        try:
            other = reference.table(table.key)
        except KeyError:
            tables.append(table)
            continue
        first = table.columns[0]
        rows = []
        for row in table.rows:
            match = other.row(row.key)
            rows.append(
                FigureRow(
                    row.key, row.label, [*row.values, match.values[0] if match else 0], row.is_total
                )
            )
        known = {row.key for row in table.rows}
        for row in other.rows:  # rows only the reference has (a sector the region lacks)
            if row.key not in known:
                rows.insert(
                    len(rows) - 1 if rows and rows[-1].is_total else len(rows),
                    FigureRow(row.key, row.label, [*([0] * len(table.columns)), row.values[0]]),
                )
        column = Column(f"{first.label} – {label}", first.is_people)
        tables.append(
            FigureTable(
                table.key,
                table.title,
                table.row_header,
                [*table.columns, column],
                rows,
                table.chart_columns,
                table.note,
            )
        )
    return Statistics(statistics.scope, statistics.period, tables, compared_with=label)


def scope_of(slug: str) -> Scope | None:
    """Return the scope named ``slug`` (:data:`WHOLE_NETWORK`, or region slugs joined by
    "+"), or None when a region is unknown. Regions come back in their list order."""
    if slug == WHOLE_NETWORK:
        return Scope()
    slugs = [part for part in slug.split("+") if part]
    if not slugs or len(slugs) != len(set(slugs)):
        return None
    regions = list(
        db.session.scalars(select(Region).where(Region.slug.in_(slugs)).order_by(Region.position))
    )
    if len(regions) != len(slugs):
        return None
    return Scope(tuple(regions))


def to_dict(statistics: Statistics) -> dict:
    """``statistics`` as JSON-ready data (kept with a submitted progress report); the labels
    are those of the current language."""
    return {
        "scope": statistics.scope.label,
        "period": [statistics.period.first.isoformat(), statistics.period.last.isoformat()],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "row_header": t.row_header,
                "columns": [[c.label, c.is_people] for c in t.columns],
                "rows": [[r.key, r.label, r.values, r.is_total] for r in t.rows],
                "chart_columns": t.chart_columns,
                "note": t.note,
            }
            for t in statistics.tables
        ],
    }


def statistics_from_dict(data: dict, scope: Scope, period: Period) -> Statistics:
    """The :class:`Statistics` that :func:`to_dict` made ``data`` of."""
    tables = [
        FigureTable(
            t["key"],
            t["title"],
            t["row_header"],
            [Column(label, bool(people)) for label, people in t["columns"]],
            [
                FigureRow(key, label, list(values), bool(total))
                for key, label, values, total in t["rows"]
            ],
            list(t.get("chart_columns") or [0]),
            t.get("note", ""),
        )
        for t in data.get("tables", [])
    ]
    return Statistics(scope, period, tables)
