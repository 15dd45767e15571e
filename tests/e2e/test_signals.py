"""The signal function in Chromium (issue 16, "Done when"): a teacher reports a signal on a
390 px phone; the coordinator of their region bundles it with two similar signals from
other regions, writes the policy note and downloads it as PDF; the answer reaches the
teacher by mail."""

from __future__ import annotations

from sqlalchemy import select

from community.core.extensions import db

from .conftest import COORDINATOR, add_member, sign_in

TEACHER = "leraar.signaal@example.org"


def _bundle_from_two_other_regions(server) -> str:
    """Two signals of Antwerpen and Brussel in one bundle (their coordinators' work)."""
    from community.accounts.models import Region, User
    from signals import reporting, workflow

    with server.app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        reporter = db.session.scalar(
            select(User).where(User.email == "jeugdhulp.begeleider@example.org")
        )
        signals = []
        for slug in ("antwerpen", "brussel"):
            region = db.session.scalar(select(Region).where(Region.slug == slug))
            signals.append(
                reporting.report_signal(
                    reporter,
                    reporting.SignalInput(
                        title=f"Wachtlijst schoolexterne ondersteuning ({region.name})",
                        description="Kinderen wachten maanden op ondersteuning buiten de school.",
                        region=region,
                    ),
                )
            )
        bundle = workflow.create_bundle(
            signals, admin, "Wachtlijsten voor schoolexterne ondersteuning"
        )
        db.session.commit()
        return bundle.title


def test_report_on_a_phone_bundle_across_regions_export_the_note_and_mail_the_answer(
    server, new_page, tmp_path
):
    add_member(server, TEACHER, "Leraar Lager")
    bundle_title = _bundle_from_two_other_regions(server)

    phone = new_page(width="phone")
    sign_in(phone, TEACHER)
    phone.get_by_role("link", name="Signalen").first.click()
    phone.get_by_role("link", name="Signaal melden").first.click()
    phone.get_by_label("Wat loopt vast?").fill(
        "Kinderen wachten maanden op schoolexterne ondersteuning"
    )
    phone.get_by_label("Beschrijving").fill(
        "In onze scholen wachten kinderen van 8 tot 11 een half jaar."
    )
    phone.get_by_label("Regio").select_option(label="West-Vlaanderen")
    phone.get_by_role("button", name="Signaal melden").click()
    phone.get_by_text("Bedankt: je signaal is gemeld").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    coordinator = new_page(user=COORDINATOR)
    coordinator.goto("/signalen/beheer")
    coordinator.get_by_label("Kinderen wachten maanden op schoolexterne ondersteuning").check()
    coordinator.get_by_label("Of voeg toe aan bundel").select_option(label=bundle_title)
    coordinator.get_by_role("button", name="Bundelen").click()
    coordinator.get_by_text("West-Vlaanderen, Antwerpen, Brussel").first.wait_for()

    coordinator.get_by_role("link", name="Beleidsnota opstellen").click()
    coordinator.get_by_label("Titel", exact=True).fill("Wachtlijsten schoolexterne ondersteuning")
    coordinator.get_by_label("Aanbevelingen").fill("Voorzie genoeg ondersteuning buiten de school.")
    coordinator.get_by_role("button", name="Bewaren").click()
    coordinator.get_by_text("De beleidsnota is bewaard.").wait_for()
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="PDF downloaden").click()
    path = tmp_path / "nota.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    coordinator.get_by_role("link", name=bundle_title).click()
    coordinator.get_by_label("Nieuwe fase").select_option(label="doorgegeven")
    coordinator.get_by_label("Doorgegeven aan (bij „doorgegeven”)").fill("Kabinet Onderwijs")
    coordinator.get_by_role("button", name="Fase wijzigen").click()
    coordinator.get_by_text("De fase is aangepast").wait_for()
    coordinator.get_by_role("link", name="Antwoord registreren").click()
    coordinator.get_by_label("Van wie (overheid of dienst)").fill("Kabinet Onderwijs")
    coordinator.get_by_label("Ontvangen op").fill(__import__("datetime").date.today().isoformat())
    coordinator.get_by_label("Het antwoord").fill("We breiden de ondersteuningsnetwerken uit.")
    coordinator.get_by_role("button", name="Bewaren en melden").click()
    coordinator.get_by_text("Het antwoord is bewaard").wait_for()

    mail = server.wait_for_mail(TEACHER, "Nieuws over het signaal")
    answers = [
        m
        for m in server.mails_to(TEACHER)
        if "We breiden de ondersteuningsnetwerken uit." in m.get_body(("plain",)).get_content()
    ]
    assert mail is not None and len(answers) == 1
