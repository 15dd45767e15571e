"""Materials of an activity: organisers upload per programme item; the library's activity filter."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from community.library.models import Material
from events.models import EventMaterial, ProgrammeItem
from tests.community.library_files import HTML_AS_PDF, pdf
from tests.pages_helpers import sign_in


@pytest.fixture
def event(make_event, make_region):
    event = make_event(title="Inspiratiedag", region=make_region(slug="brussel", name="Brussel"))
    start = event.starts_at
    for position, title in enumerate(["Pitches per provincie", "Sofagesprek"], start=1):
        db.session.add(
            ProgrammeItem(
                event=event,
                position=position,
                starts_at=start + dt.timedelta(minutes=30 * position),
                ends_at=start + dt.timedelta(minutes=30 * position + 30),
                title=title,
            )
        )
    db.session.commit()
    return event


@pytest.fixture
def organiser(make_user, event):
    return make_user("coordinator", regions=[event.region])


def upload(client, event, item_id="", data=None, name="slides.pdf", **fields):
    payload = {
        "programme_item": str(item_id),
        "region": str(event.region_id),
        "title": "Pitch Brussel",
        "type": "presentation",
        "language": "nl",
        "licence": "CC BY 4.0",
        "visibility": "public",
        "url": "",
        **fields,
    }
    if data is not None:
        payload["file"] = (io.BytesIO(data), name)
    return client.post_form(
        f"/activiteiten/{event.slug}/materiaal/nieuw", payload, content_type="multipart/form-data"
    )


def test_organiser_uploads_slides_to_a_programme_item_shown_on_the_activity(
    client, event, organiser
):
    item = event.programme[0]
    sign_in(client, organiser)
    assert "Materiaal toevoegen" in client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)
    form = client.get(f"/activiteiten/{event.slug}/materiaal/nieuw").get_data(as_text=True)
    assert f'<option selected value="{event.region_id}">Brussel</option>' in form

    response = upload(client, event, item.id, data=pdf("Pitch Brussel"))

    assert response.status_code == 302
    link = db.session.scalar(select(EventMaterial))
    assert (link.event_id, link.programme_item_id) == (event.id, item.id)
    assert link.material.region == event.region
    page = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)
    row = page[page.index("Pitches per provincie") : page.index("Sofagesprek")]
    assert "Pitch Brussel" in row
    material_page = client.get(f"/materiaal/{link.material.slug}").get_data(as_text=True)
    assert "Bij de activiteit" in material_page and "Inspiratiedag" in material_page


def test_others_may_not_upload_to_an_activity(client, event, make_user):
    sign_in(client, make_user())

    assert upload(client, event, data=pdf()).status_code == 403
    assert "Materiaal toevoegen" not in client.get(f"/activiteiten/{event.slug}").get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_unknown_activity_or_programme_item_is_refused(client, event, organiser, make_event):
    other_item_id = 999_999
    sign_in(client, organiser)

    unknown = client.get("/activiteiten/bestaat-niet/materiaal/nieuw")
    wrong_item = upload(client, event, other_item_id, data=pdf())

    assert unknown.status_code == 404
    assert wrong_item.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in wrong_item.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_a_disguised_file_is_refused_at_the_activity_too(app, client, event, organiser):
    sign_in(client, organiser)

    response = upload(client, event, data=HTML_AS_PDF, name="agenda.pdf")

    assert response.status_code == 422
    assert "Dit soort bestand kan je hier niet delen" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(EventMaterial)) == 0


def test_library_filters_by_activity_and_refuses_an_unknown_one(client, event, organiser):
    sign_in(client, organiser)
    upload(client, event, data=pdf("Bij de dag"), title="Bij de dag")
    client.post_form(
        "/materiaal/nieuw",
        {
            "title": "Los materiaal",
            "type": "report",
            "language": "nl",
            "licence": "CC BY 4.0",
            "visibility": "public",
            "url": "https://example.org/los",
        },
    )

    filtered = client.get(f"/materiaal?activiteit={event.slug}").get_data(as_text=True)
    unknown = client.get("/materiaal?activiteit=bestaat-niet")

    assert "Bij de dag" in filtered and "Los materiaal" not in filtered
    assert f'<option value="{event.slug}" selected>' in filtered
    assert unknown.status_code == 400
    assert "Ongeldige filter „activiteit”" in unknown.get_data(as_text=True)
