"""Attendance certificates (issue 17): issued to who was present, one PDF, a public check."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from community.accounts.models import Organisation
from community.core.extensions import db
from events.followup import certificates, mailing
from events.followup.errors import CertificateUnknown, NotPresent
from events.models import Certificate
from tests.events.followup_helpers import participant, took_place
from tests.pages_helpers import sign_in


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_hours_come_from_the_programme_parallel_workshops_once_breaks_not(make_event):
    event = took_place(make_event)

    assert certificates.programme_minutes(event) == 180
    with force_locale("nl"):
        assert certificates.duration_text(180) == "3 uur"
        assert certificates.duration_text(150) == "2 uur en 30 minuten"


def test_without_a_programme_hours_are_the_activity_times_within_one_day(make_event):
    start = dt.datetime(2026, 3, 3, 12, 30, tzinfo=dt.UTC)
    short = make_event(starts_at=start, ends_at=start + dt.timedelta(hours=2, minutes=15))
    two_days = make_event(starts_at=start, ends_at=start + dt.timedelta(days=1))
    all_day = make_event(starts_at=start, ends_at=start + dt.timedelta(hours=8), is_all_day=True)

    assert certificates.programme_minutes(short) == 135
    assert certificates.programme_minutes(two_days) is None
    assert certificates.programme_minutes(all_day) is None


def test_a_present_participant_gets_one_certificate_with_a_random_code(make_event):
    event = took_place(make_event)
    first = participant(event, name="Annelies Verhaeghe")
    second = participant(event, name="Jan Peeters")

    issued = certificates.issue_certificate(first)
    again = certificates.issue_certificate(first)
    other = certificates.issue_certificate(second)
    db.session.commit()

    assert issued.id == again.id and issued.code == again.code
    assert other.code != issued.code
    assert certificates.normalise_code(issued.code) == issued.code
    assert issued.minutes == 180 and issued.name == "Annelies Verhaeghe"
    assert issued.organiser == event.region.network.name
    assert "annelies" not in issued.code.lower()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


@pytest.mark.parametrize("attended", [None, False])
def test_no_certificate_for_who_was_not_marked_present(make_event, attended):
    registration = participant(took_place(make_event), attended=attended)

    with pytest.raises(NotPresent):
        certificates.issue_certificate(registration)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_codes_are_typed_loosely_but_must_be_whole():
    assert certificates.normalise_code(" k7qm 2xwd.p9tr ") == "K7QM-2XWD-P9TR"
    assert certificates.normalise_code("K7QM-2XWD") is None
    assert certificates.normalise_code("K7QM-2XWD-P9T0") is None  # 0 is not in the alphabet
    assert certificates.normalise_code("") is None


def test_verification_confirms_a_real_code_and_refuses_a_withdrawn_one(make_event):
    registration = participant(took_place(make_event))
    certificate = certificates.issue_certificate(registration)
    db.session.commit()

    assert certificates.verify(certificate.code.lower().replace("-", " ")).id == certificate.id
    registration.attended = False  # the organiser corrected the attendance
    db.session.commit()
    with pytest.raises(CertificateUnknown):
        certificates.verify(certificate.code)
    with pytest.raises(CertificateUnknown):
        certificates.verify("AAAA-BBBB-CCCC")


def test_certificate_pdf_from_the_mail_link_shows_person_activity_hours_and_code(
    client, make_event
):
    event = took_place(make_event)
    event.organisations = [Organisation(name="CLB Brugge", sector="education")]
    registration = participant(event, name="Annelies Verhaeghe")

    link = mailing.certificate_url(registration)
    response = client.get(link[link.index("/attest/") :])

    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)
    certificate = certificates.certificate_of(registration)
    assert "Attest van deelname" in text
    assert "Annelies Verhaeghe" in text and "Basisschool De Regenboog" in text
    assert "Vorming signalen van schooluitval" in text
    assert "3 uur" in text
    assert event.region.network.name in text and "CLB Brugge" in text
    assert certificate.code in text
    assert mailing.verify_url() in text


def test_certificate_link_of_someone_not_present_explains_why(client, make_event):
    registration = participant(took_place(make_event), attended=None)

    response = client.get("/attest/downloaden/" + mailing.certificate_token(registration))

    assert response.status_code == 403
    assert "als aanwezig zijn aangeduid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_forged_certificate_link_is_refused(client):
    response = client.get("/attest/downloaden/nep-token")

    assert response.status_code == 404
    assert "Deze link werkt niet" in response.get_data(as_text=True)


def test_my_activities_offers_the_certificate_of_a_present_activity_only(
    client, make_event, make_user
):
    user = make_user(display_name="Sofie Claeys")
    present = participant(took_place(make_event, title="Aanwezig geweest"), user=user)
    participant(took_place(make_event, title="Niet gekomen"), user=user, attended=False)
    sign_in(client, user)

    html = client.get("/account/activiteiten").get_data(as_text=True)

    assert html.count("Attest van deelname (PDF)") == 1
    assert f"/account/activiteiten/{present.id}/attest.pdf" in html
    response = client.get(f"/account/activiteiten/{present.id}/attest.pdf")
    assert response.status_code == 200 and "Sofie Claeys" in pdf_text(response.data)


def test_nobody_downloads_another_persons_certificate(client, make_event, make_user):
    registration = participant(took_place(make_event), user=make_user())
    sign_in(client, make_user())

    assert client.get(f"/account/activiteiten/{registration.id}/attest.pdf").status_code == 404


def test_verification_page_shows_what_the_certificate_shows_and_no_more(client, make_event):
    registration = participant(took_place(make_event), name="Annelies Verhaeghe")
    certificate = certificates.issue_certificate(registration)
    db.session.commit()

    html = client.get("/attest", query_string={"code": certificate.code}).get_data(as_text=True)

    assert "Dit attest is echt" in html
    assert "Annelies Verhaeghe" in html and "3 uur" in html
    assert registration.email not in html
    unknown = client.get("/attest", query_string={"code": "AAAA-BBBB-CCCC"})
    assert unknown.status_code == 404
    assert "Er bestaat geen geldig attest met deze code" in unknown.get_data(as_text=True)
    form = client.get("/attest")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)


def test_verification_is_rate_limited_per_address(client, make_event):
    for _ in range(20):
        assert client.get("/attest", query_string={"code": "AAAA-BBBB-CCCC"}).status_code == 404

    response = client.get("/attest", query_string={"code": "AAAA-BBBB-CCCC"})

    assert response.status_code == 429


def test_organiser_downloads_all_certificates_in_one_pdf(client, make_event, make_user):
    event = took_place(make_event)
    participant(event, name="Annelies Verhaeghe")
    participant(event, name="Jan Peeters")
    participant(event, name="Niet Gekomen", attended=False)
    sign_in(client, make_user("coordinator", regions=[event.region]))

    response = client.get(f"/beheer/activiteiten/{event.slug}/attesten.pdf")

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    assert "Annelies Verhaeghe" in reader.pages[0].extract_text()
    assert "Jan Peeters" in reader.pages[1].extract_text()
    assert "Niet Gekomen" not in pdf_text(response.data)


def test_all_certificates_without_anyone_present_says_so(client, make_event, make_user):
    event = took_place(make_event)
    sign_in(client, make_user("coordinator", regions=[event.region]))

    response = client.get(f"/beheer/activiteiten/{event.slug}/attesten.pdf", follow_redirects=True)

    assert "Er zijn nog geen deelnemers als aanwezig aangeduid." in response.get_data(as_text=True)


def test_coordinator_of_another_region_gets_no_certificates(
    client, make_event, make_user, make_region
):
    event = took_place(make_event)
    participant(event)
    sign_in(client, make_user("coordinator", regions=[make_region()]))

    assert client.get(f"/beheer/activiteiten/{event.slug}/attesten.pdf").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_certificate_at_the_longest_allowed_texts_keeps_its_code_and_signature_on_its_page(
    app, make_event
):
    """A 300-character title, a 120-character name, a 200-character organisation and venue
    (the form's limits): before, the section of fixed height overflowed and WeasyPrint left
    out what did not fit, the signature and the verification code among it."""
    event = took_place(
        make_event,
        title=("Inspiratiedag coöperatie & financiën over schooluitval en leerrecht " * 5)[:300],
        venue_name=("Provinciaal Hof, Grote Zaal Émile Verhaeren " * 5)[:200],
    )
    long = participant(
        event, name=("Ðorđević-Ødegård Vanden Bossche " * 4)[:120], email="lang@example.org"
    )
    long.organisation_name = ("Jeugdhulp ‘De Brug’ vzw, afdeling Émile " * 6)[:200]
    short = participant(event, name="Jan Peeters")
    issued = [certificates.issue_certificate(long), certificates.issue_certificate(short)]
    db.session.commit()
    with app.test_request_context(), force_locale("nl"):
        data = certificates.certificates_pdf(issued, "https://bruggen.example/attest")

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 2
    for page, certificate in zip(pages, issued, strict=True):
        assert certificate.code in page
        assert "coördinator(en) van het lerend netwerk" in page
