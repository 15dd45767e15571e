"""Materials of an activity: upload to an activity or programme item, the library's activity filter.

``community`` never imports ``events``: this module registers the library
filter "activiteit" and the material page section with the base package.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from community.core.extensions import db
from community.core.forms import ChoiceField, option, optional_int
from community.library.forms import MaterialForm, fill_material_choices
from community.library.materials import MaterialFilter, create_material
from community.library.models import Material
from community.library.uploads import UploadRefused, read_upload
from community.library.views.materials import material_fields, refuse, too_large
from events.models import Event, EventMaterial, ProgrammeItem
from events.permissions import can_manage_event, visible_events_filter
from events.views import bp

bp.register_error_handler(RequestEntityTooLarge, too_large)


class EventMaterialForm(MaterialForm):
    """Share a material at an activity, optionally for one of its programme items."""

    programme_item = ChoiceField(_l("Programmaonderdeel"), coerce=optional_int)


def link_material(event: Event, material: Material, item: ProgrammeItem | None) -> EventMaterial:
    """Link ``material`` to ``event`` (and ``item``, which must belong to it); flushed.

    Raises ``ValueError`` when ``item`` belongs to another activity.
    """
    if item is not None and item.event_id != event.id:
        raise ValueError("programme item of another activity")
    link = EventMaterial(
        event_id=event.id, material_id=material.id, programme_item_id=item.id if item else None
    )
    db.session.add(link)
    db.session.flush()
    return link


def _managed_event_or_404(slug: str) -> Event:
    query = select(Event).where(Event.slug == slug).options(selectinload(Event.programme))
    event = db.first_or_404(query)
    if not can_manage_event(current_user, event):
        abort(404 if event.status == "draft" else 403)
    return event


@bp.route("/activiteiten/<slug>/materiaal/nieuw", methods=["GET", "POST"])
@login_required
def upload_material(slug):
    event = _managed_event_or_404(slug)
    form = EventMaterialForm()
    fill_material_choices(form)
    form.programme_item.choices = [option("", _l("De hele activiteit"))] + [
        option(item.id, item.title) for item in event.programme
    ]
    if not form.is_submitted():
        form.region.data = event.region_id
        form.themes.data = [t.id for t in event.themes]
        form.type.data = "presentation"
    if form.validate_on_submit():
        item = next((i for i in event.programme if i.id == form.programme_item.data), None)
        try:
            upload = read_upload(form.file.data)
            url = (form.url.data or "").strip() or None
            material = create_material(current_user, material_fields(form), upload=upload, url=url)
            link_material(event, material, item)
        except UploadRefused as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Het materiaal staat bij de activiteit."), "success")
            return redirect(url_for("events.detail", slug=event.slug))
    status = 422 if form.errors else 200
    return render_template(
        "library/material_form.html",
        form=form,
        material=None,
        event=event,
        action=url_for("events.upload_material", slug=event.slug),
    ), status


# --- registered with the base package ----------------------------------------------------


def _activity_choices(user) -> list[tuple[str, str]]:
    query = (
        select(Event.slug, Event.title)
        .where(
            visible_events_filter(user),
            Event.id.in_(select(EventMaterial.event_id)),
        )
        .order_by(Event.starts_at.desc())
    )
    return [(slug, title) for slug, title in db.session.execute(query)]


def _activity_criterion(user, slug: str):
    return Material.id.in_(
        select(EventMaterial.material_id)
        .join(Event, Event.id == EventMaterial.event_id)
        .where(Event.slug == slug, visible_events_filter(user))
    )


def material_section(material: Material) -> dict:
    """A material page's section (``events.wiring``): {"links": [(Event, ProgrammeItem | None)]},
    the activities (and programme items) the material belongs to; two queries."""
    query = (
        select(EventMaterial)
        .join(Event, Event.id == EventMaterial.event_id)
        .where(EventMaterial.material_id == material.id, visible_events_filter(current_user))
        .options(joinedload(EventMaterial.event))
    )
    links = db.session.scalars(query).all()
    items = {}
    item_ids = [link.programme_item_id for link in links if link.programme_item_id]
    if item_ids:
        rows = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.id.in_(item_ids)))
        items = {item.id: item for item in rows}
    return {"links": [(link.event, items.get(link.programme_item_id)) for link in links]}


#: The library's "activiteit" filter (registered in ``events.wiring``).
ACTIVITY_FILTER = MaterialFilter(
    parameter="activiteit",
    label=_l("Activiteit"),
    choices=_activity_choices,
    criterion=_activity_criterion,
    order=10,
)
