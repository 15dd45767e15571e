"""Issue 19, "Done when", in Chromium on both databases: a CLB worker files a case request on
a phone and is stopped when typing a birth date; the coordinator of West-Vlaanderen plans a
table with three partners, who accept by the link in their mail and read the request; the
partners write their notes and confirm their agreements; the coordinator closes the case with
"no fitting offer", which raises a signal without anything of the case; 90 days later (the
clock moved, the purge of `flask purge` run) the notes are gone and the anonymous outcome
remains in the statistics. Someone not invited finds nothing (404) all along.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .casetables_intake_steps import (
    Journey,
    partners_accepted,
    request_filed,
    seed_partners,
    table_planned,
)
from .casetables_meeting_steps import (
    PARTNERS,
    coordinator_closes_without_fitting_offer,
    coordinator_records_agreements,
    ninety_days_later,
    partners_confirm_by_mail,
    partners_write_notes,
)
from .conftest import COORDINATOR


@pytest.mark.both_databases
def test_a_case_from_request_to_table_to_signal_and_ninety_days_on(server, new_page, axe_source):
    journey = Journey(partners=seed_partners(server))
    request_filed(server, new_page, axe_source, journey)
    table_planned(server, new_page, journey)
    partners_accepted(server, new_page, journey)

    coordinator = new_page(width="desktop", user=COORDINATOR)
    coordinator.goto(f"/casustafel/{journey.code}")
    for _, name in PARTNERS:
        expect(coordinator.locator(".participants")).to_contain_text(name)
    coordinator.get_by_text(re.compile(r"\d+ keer gelezen")).click()
    expect(coordinator.locator(".read-log")).to_contain_text(PARTNERS[0][1])
    outsider = new_page(width="desktop", user="jeugdhulp.begeleider@example.org")
    assert outsider.goto(f"/casustafel/{journey.code}").status == 404

    partners_write_notes(new_page, journey.code, axe_source)
    coordinator_records_agreements(new_page, journey.code)
    partners_confirm_by_mail(server, new_page, journey.code)
    page = coordinator_closes_without_fitting_offer(new_page, journey.code, axe_source)
    assert outsider.goto(f"/casustafel/{journey.code}/verslag").status == 404
    ninety_days_later(server, page, journey.code)
