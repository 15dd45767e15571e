"""The signal function and the member's rights (export through the page, deletion through
the page), the reporter's name nowhere public, and the list's query count."""

from __future__ import annotations

from community.core.extensions import db
from signals import reporting, workflow
from tests.conftest import PASSWORD
from tests.pages_helpers import forget_loaded_objects, sign_in


def test_the_data_export_holds_signals_recognitions_and_follows(
    client, network, make_signal, make_user
):
    member = make_user(region=network.west)
    mine = make_signal(network.west, reporter=member, title="Te weinig NAFT-plaatsen")
    reporting.recognise(make_signal(network.east), member, "Ook hier.")
    db.session.commit()
    sign_in(client, member)

    export = client.get("/account/gegevens.json").get_json()

    assert [s["title"] for s in export["signals"]["signals"]] == [mine.title]
    assert [r["context"] for r in export["signals"]["recognitions"]] == ["Ook hier."]
    assert len(export["signals"]["follows"]) == 2


def test_a_deleted_members_signal_stays_as_verwijderd_lid(client, network, make_signal, make_user):
    member = make_user(region=network.west, display_name="Sofie Leraar")
    signal = make_signal(network.west, reporter=member, is_name_shared=True)
    sign_in(client, member)
    assert client.post_form("/account/verwijderen", {"password": PASSWORD}).status_code in (
        302,
        303,
    )

    sign_in(client, network.west_coordinator)
    page = client.get(f"/signalen/{signal.id}").text
    assert signal.title in page and "verwijderd lid" in page and "Sofie Leraar" not in page


def test_the_public_page_and_the_bundle_never_name_the_reporter(
    client, network, make_signal, make_user
):
    reporter = make_user(display_name="Sofie Leraar", region=network.west)
    bundle = workflow.create_bundle(
        [make_signal(network.west, reporter=reporter)], network.admin, "Wachtlijsten"
    )
    workflow.publish(bundle, network.admin, "Samenvatting.", True)
    db.session.commit()
    assert "Sofie Leraar" not in client.get("/signalen/doorgegeven").text
    sign_in(client, make_user())
    assert "Sofie Leraar" not in client.get(f"/signalen/bundels/{bundle.id}").text


def test_the_list_does_not_grow_queries_with_its_signals(
    client, network, make_signal, make_user, count_queries
):
    member = make_user()
    make_signal(network.west)
    sign_in(client, member)
    client.get("/signalen")
    forget_loaded_objects()
    with count_queries() as few:
        client.get("/signalen")
    for _ in range(8):
        make_signal(network.east, themes=[])
    forget_loaded_objects()
    with count_queries() as many:
        assert client.get("/signalen").status_code == 200
    assert len(many) == len(few)
