"""Pages of activities: the agenda, its archive, an activity, the coordinators' overview."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from community.db import utcnow
from community.extensions import db
from community.filters import choice_arg, region_arg, theme_arg
from community.materials import visible_materials_filter
from community.models import Material, Region, Theme
from community.permissions import can_coordinate
from community.sections import register_section
from events.display import event_period
from events.models import Event, EventMaterial, EventType, ProgrammeItem
from events.permissions import (
    TEMPLATE_RULES,
    can_view_event,
    managed_events_filter,
    visible_events_filter,
)

bp = Blueprint("events", __name__)

UPCOMING_ON_HOME = 6
UPCOMING_ON_REGION = 10
PAST_ON_REGION = 3


@bp.record_once
def _setup(state) -> None:
    """Export the event rules and the period filter to every template."""
    state.app.jinja_env.globals.update(TEMPLATE_RULES)
    state.app.jinja_env.filters["event_period"] = event_period


@dataclass(frozen=True)
class AgendaFilters:
    """The agenda's filters (each None when not chosen); built by :meth:`from_args`."""

    region: Region | None = None
    theme: Theme | None = None
    type: EventType | None = None

    @classmethod
    def from_args(cls, args: MultiDict) -> AgendaFilters:
        """Read ``regio``, ``thema`` and ``type``; raises ``InvalidFilter`` on unknown values."""
        return cls(region_arg(args), theme_arg(args), choice_arg(args, "type", EventType))

    def criteria(self) -> list:
        """Return WHERE clauses on ``Event`` for the chosen filters."""
        result = []
        if self.region is not None:
            result.append(Event.region_id == self.region.id)
        if self.theme is not None:
            result.append(Event.themes.any(Theme.id == self.theme.id))
        if self.type is not None:
            result.append(Event.type == self.type)
        return result


def _listed(*criteria, upcoming: bool, limit: int | None = None) -> list[Event]:
    """Return the events ``current_user`` may see: upcoming soonest first, past newest first."""
    now = utcnow()
    when = Event.ends_at >= now if upcoming else Event.ends_at < now
    order = Event.starts_at.asc() if upcoming else Event.starts_at.desc()
    query = (
        select(Event)
        .where(visible_events_filter(current_user), when, *criteria)
        .options(joinedload(Event.region), selectinload(Event.themes))
        .order_by(order, Event.id)
        .limit(limit)
    )
    return db.session.scalars(query).all()


def _home_section() -> dict:
    return {"events": _listed(upcoming=True, limit=UPCOMING_ON_HOME)}


def _region_section(region: Region) -> dict:
    in_region = Event.region_id == region.id
    return {
        "region": region,
        "upcoming": _listed(in_region, upcoming=True, limit=UPCOMING_ON_REGION),
        "past": _listed(in_region, upcoming=False, limit=PAST_ON_REGION),
    }


register_section("home", "events/_home_upcoming.html", _home_section, order=10)
register_section("region", "events/_region_events.html", _region_section, order=10)


def _filter_choices() -> dict:
    return {
        "regions": db.session.scalars(select(Region).order_by(Region.position)).all(),
        "themes": db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        "types": list(EventType),
    }


def get_event_or_404(slug: str) -> Event:
    """Return the event ``slug`` with what its page shows; 404 when unknown or not visible."""
    query = (
        select(Event)
        .where(Event.slug == slug)
        .options(
            joinedload(Event.region),
            joinedload(Event.network),
            selectinload(Event.themes),
            selectinload(Event.organisations),
            selectinload(Event.programme).selectinload(ProgrammeItem.materials),
        )
    )
    event = db.session.scalar(query)
    if event is None or not can_view_event(current_user, event):
        abort(404)
    return event


@bp.get("/agenda")
def agenda():
    filters = AgendaFilters.from_args(request.args)
    events = _listed(*filters.criteria(), upcoming=True)
    return render_template(
        "events/agenda.html", events=events, filters=filters, **_filter_choices()
    )


@bp.get("/agenda/archief")
def archive():
    filters = AgendaFilters.from_args(request.args)
    events = _listed(*filters.criteria(), upcoming=False)
    return render_template(
        "events/archive.html", events=events, filters=filters, **_filter_choices()
    )


@bp.get("/activiteiten/<slug>")
def detail(slug):
    event = get_event_or_404(slug)
    materials = db.session.scalars(
        select(Material)
        .join(EventMaterial, EventMaterial.material_id == Material.id)
        .where(
            EventMaterial.event_id == event.id,
            EventMaterial.programme_item_id.is_(None),
            visible_materials_filter(current_user),
        )
        .order_by(Material.title)
    ).all()
    return render_template("events/detail.html", event=event, materials=materials)


@bp.get("/beheer/activiteiten")
@login_required
def manage():
    if not can_coordinate(current_user):
        abort(403)
    query = (
        select(Event)
        .where(managed_events_filter(current_user))
        .options(joinedload(Event.region), selectinload(Event.themes))
        .order_by(Event.starts_at.desc(), Event.id)
    )
    events = db.session.scalars(query).all()
    now = utcnow()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = [e for e in events if e.ends_at < now]
    return render_template("events/manage.html", upcoming=upcoming, past=past)
