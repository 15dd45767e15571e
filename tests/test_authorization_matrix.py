"""The authorisation matrix: every route x every role, with the status each must get.

Roles, in this order in every row (``tests/route_world.py``): anonymous, unverified
member, member, coordinator of another region, coordinator of the region (of the
activity, thread, material, practice in the world), admin. ``LOGIN`` is a redirect to
the login page. POSTs send an empty form with a valid CSRF token: 422 means "allowed,
but the form is incomplete", 409 "allowed, but not in this state". A route without an
entry fails ``test_every_route_has_an_entry`` with its name: add it here.
"""

from __future__ import annotations

import pytest

from community.core.extensions import db, limiter
from tests.conftest import _empty_tables
from tests.route_world import ROLES, act_as, build_url, build_world, routes

LOGIN = "login"  # 302 to /aanmelden?next=...


def region_managers(allowed: int) -> tuple:
    """Only the region's coordinators and admins; ``allowed`` is what they get."""
    return (LOGIN, 403, 403, 403, allowed, allowed)


EVERYONE = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
VERIFIED_MEMBERS = (LOGIN, 403, 200, 200, 200, 200)
COORDINATORS = (LOGIN, 403, 403, 200, 200, 200)  # any region's coordinator (their own list)
REGION_MANAGERS = region_managers(200)
ADMINS = (LOGIN, 403, 403, 403, 403, 200)


def case_readers(allowed: int) -> tuple:
    """A case's content (issue 19): the region's coordinator gets ``allowed``; every other
    role 404, so that the case's existence stays hidden."""
    return (LOGIN, 404, 404, 404, allowed, 404)


CASE_READERS = case_readers(200)

EXPECTED = {
    "accounts.account": {"GET": SIGNED_IN, "POST": (LOGIN, 422, 422, 422, 422, 422)},
    "accounts.admin_activate": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "accounts.admin_deactivate": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "accounts.admin_mail_retry": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "accounts.admin_mails": {"GET": ADMINS},
    "accounts.admin_user": {"GET": ADMINS, "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "accounts.admin_users": {"GET": ADMINS},
    "accounts.change_password": {"GET": SIGNED_IN, "POST": (LOGIN, 422, 422, 422, 422, 422)},
    "accounts.forgot_password": {"GET": EVERYONE, "POST": (422, 422, 422, 422, 422, 422)},
    "accounts.login": {
        "GET": (200, 302, 302, 302, 302, 302),
        "POST": (422, 422, 422, 422, 422, 422),
    },
    "accounts.logout": {"POST": (302, 302, 302, 302, 302, 302)},  # to the home page
    "accounts.resend_verification": {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "accounts.reset_password": {"GET": EVERYONE, "POST": (422, 422, 422, 422, 422, 422)},
    "accounts.set_language": {"POST": (400, 400, 400, 400, 400, 400)},  # no language chosen
    "accounts.signup": {"GET": EVERYONE, "POST": (422, 422, 422, 422, 422, 422)},
    # Links in mails: the signed token is the permission, not the role.
    "accounts.verify": {"GET": EVERYONE, "POST": (LOGIN, 302, 302, 302, 302, 302)},
    "site.home": {"GET": EVERYONE},
    "library.material": {"GET": EVERYONE},
    "library.material_download": {"GET": EVERYONE},
    "library.material_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "library.material_new": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "library.material_remove": {"POST": region_managers(302)},
    "library.material_version_download": {"GET": EVERYONE},
    "library.material_version_new": {"POST": region_managers(422)},
    "library.materials": {"GET": EVERYONE},
    "library.practice": {"GET": EVERYONE},
    "library.practice_archive": {"POST": region_managers(302)},
    "library.practice_attachment": {"GET": EVERYONE},
    "library.practice_attachment_remove": {"POST": region_managers(302)},
    "library.practice_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "library.practice_new": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "library.practice_review": {"POST": region_managers(409)},
    "library.practice_submit": {"POST": region_managers(409)},
    "library.practices": {"GET": EVERYONE},
    "site.region": {"GET": EVERYONE},
    "site.regions": {"GET": EVERYONE},
    "events.upload_material": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "events.agenda": {"GET": EVERYONE},
    "events.archive": {"GET": EVERYONE},
    # Cancel and confirmation links in mails, one-click unsubscribe, personal feed: the token.
    "events.cancel_registration": {"GET": EVERYONE, "POST": EVERYONE},
    "events.confirm_registration": {"GET": EVERYONE, "POST": EVERYONE},
    "events.detail": {"GET": EVERYONE},
    "events.ics": {"GET": EVERYONE},
    "events.my_activities": {"GET": SIGNED_IN},
    "events.register": {"POST": (422, 302, 302, 302, 302, 302)},  # guests fill in a form
    "events.agenda_feed": {"GET": EVERYONE},
    "events.filtered_feed": {"GET": EVERYONE},
    "events.personal_feed": {"GET": EVERYONE},
    "events.regenerate_token": {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "events.subscribe": {"GET": EVERYONE},
    # A forum is one theme for all regions: the network-wide coordinators' (none here).
    "forums.categories": {"GET": ADMINS, "POST": (LOGIN, 403, 403, 403, 403, 422)},
    "forums.category_edit": {"GET": ADMINS, "POST": (LOGIN, 403, 403, 403, 403, 422)},
    "forums.category_remove": {"GET": ADMINS, "POST": (LOGIN, 403, 403, 403, 403, 303)},
    # Only the post's author (not one of the roles here) edits or deletes it; moderators hide.
    "forums.delete_post": {"POST": (LOGIN, 403, 403, 403, 403, 403)},
    "forums.edit_post": {
        "GET": (LOGIN, 403, 403, 403, 403, 403),
        "POST": (LOGIN, 403, 403, 403, 403, 403),
    },
    "forums.first_unread": {"GET": (LOGIN, 403, 302, 302, 302, 302)},
    "forums.forum": {"GET": VERIFIED_MEMBERS},
    "forums.hide_post": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "forums.index": {"GET": EVERYONE},
    "forums.moderate_thread": {"GET": REGION_MANAGERS},
    "forums.moderation_queue": {"GET": COORDINATORS},
    "forums.move_thread": {"POST": region_managers(422)},
    "forums.new_thread": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "forums.notifications": {"GET": SIGNED_IN, "POST": (LOGIN, 422, 422, 422, 422, 422)},
    "forums.notifications_read": {"POST": (LOGIN, 303, 303, 303, 303, 303)},
    "forums.post_link": {"GET": (LOGIN, 403, 302, 302, 302, 302)},
    "forums.post_revisions": {"GET": REGION_MANAGERS},
    "forums.rename_thread": {"POST": region_managers(422)},
    "forums.reply": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "forums.report_post": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "forums.resolve_report": {"POST": region_managers(303)},
    "forums.restore_post": {"POST": region_managers(303)},
    "forums.search": {"GET": EVERYONE},
    "forums.set_public": {"POST": (LOGIN, 403, 403, 403, 403, 303)},
    # The member's own region decides (the author is of the world's region).
    "forums.suspend_member": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "forums.thread": {"GET": VERIFIED_MEMBERS},
    "forums.toggle_thread": {"POST": region_managers(303)},
    "forums.unsubscribe": {"GET": EVERYONE, "POST": EVERYONE},
    "forums.watch": {"POST": (LOGIN, 403, 303, 303, 303, 303)},
    "manage.attendance": {"POST": region_managers(409)},
    "manage.attendees": {"GET": REGION_MANAGERS},
    "manage.cancel": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.close_registration": {"POST": region_managers(302)},
    "manage.copy": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.delete": {"POST": region_managers(409)},
    "manage.delete_programme_item": {"POST": region_managers(302)},
    "manage.delete_question": {"POST": region_managers(302)},
    "manage.edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.event": {"GET": REGION_MANAGERS},
    "manage.export_csv": {"GET": REGION_MANAGERS},
    "manage.export_xlsx": {"GET": REGION_MANAGERS},
    "manage.index": {"GET": COORDINATORS},
    "manage.mail": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.new": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "manage.programme": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.programme_item": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.promote": {"POST": region_managers(409)},
    "manage.publish": {"POST": region_managers(409)},
    "manage.question": {"GET": REGION_MANAGERS, "POST": region_managers(302)},
    "manage.questions": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.reopen_registration": {"POST": region_managers(302)},
    # issue 17. Certificate and evaluation links: the token is the permission, and the
    # world's participant is not marked present (403 for all); a certificate of another
    # person's registration is 404 for all (only its owner has it).
    "events.certificate_download": {"GET": (403, 403, 403, 403, 403, 403)},
    "events.my_certificate": {"GET": (LOGIN, 404, 404, 404, 404, 404)},
    "events.verify_certificate": {"GET": EVERYONE},
    "events.evaluate": {"GET": (403,) * 6, "POST": (403,) * 6},
    "events.embedded_agenda": {"GET": EVERYONE},
    "events.agenda_json": {"GET": EVERYONE},
    # Without an address (anonymous, unverified) the form is incomplete; members subscribe.
    "events.agenda_mail_choose": {"GET": EVERYONE, "POST": (422, 422, 303, 303, 303, 303)},
    "events.agenda_mail_stop": {"POST": (LOGIN, 303, 303, 303, 303, 303)},
    "events.agenda_mail_confirm": {"GET": EVERYONE, "POST": EVERYONE},
    "events.agenda_mail_unsubscribe": {"GET": EVERYONE, "POST": EVERYONE},
    "manage.evaluation_questions": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.evaluation_summary": {"GET": REGION_MANAGERS},
    "manage.evaluation_xlsx": {"GET": region_managers(303)},  # fewer than 3 answers
    "manage.certificates_pdf": {"GET": region_managers(303)},  # nobody marked present
    # Issue 17: invitations (the answer link's token is the permission) and check-in.
    "events.invitation": {"GET": EVERYONE, "POST": (400, 400, 400, 400, 400, 400)},
    "manage.invitations_page": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "manage.remind_invitations": {"POST": region_managers(302)},
    "manage.remind_invitation": {"POST": region_managers(302)},
    "manage.withdraw_invitation": {"POST": region_managers(302)},
    "manage.check_in_page": {"GET": REGION_MANAGERS},
    "manage.check_in_counts": {"GET": REGION_MANAGERS},
    "manage.check_in": {"POST": region_managers(400)},
    "manage.walk_in": {"POST": region_managers(422)},
    "gdpr.delete_account": {"GET": SIGNED_IN, "POST": (LOGIN, 422, 422, 422, 422, 422)},
    "gdpr.export": {"GET": SIGNED_IN},
    "gdpr.policy": {"GET": EVERYONE},
    # The signal function (issue 16): members-only; triage in the signal's region; a bundle
    # for the coordinators of its signals' regions; the public page for everyone.
    "signals.index": {"GET": VERIFIED_MEMBERS},
    "signals.new": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "signals.mine": {"GET": VERIFIED_MEMBERS},
    "signals.detail": {"GET": VERIFIED_MEMBERS},
    "signals.edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},  # and the reporter
    "signals.recognise": {"POST": (LOGIN, 403, 303, 303, 303, 303)},
    "signals.follow": {"POST": (LOGIN, 403, 303, 303, 303, 303)},
    "signals.withdraw": {"POST": (LOGIN, 403, 409, 409, 409, 409)},  # the reporter's alone
    "signals.link": {"POST": region_managers(422)},  # and the reporter
    "signals.ask": {"POST": region_managers(422)},
    "signals.signal_state": {"POST": region_managers(422)},
    "signals.triage": {"GET": COORDINATORS},
    "signals.bundle_signals": {"POST": (LOGIN, 403, 403, 422, 422, 422)},
    "signals.bundle": {"GET": VERIFIED_MEMBERS},
    "signals.categorise": {"POST": region_managers(422)},
    "signals.bundle_state": {"POST": region_managers(422)},
    "signals.publish": {"POST": region_managers(303)},
    "signals.note_new": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "signals.note": {"GET": REGION_MANAGERS},
    "signals.note_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "signals.note_pdf": {"GET": REGION_MANAGERS},
    "signals.note_docx": {"GET": REGION_MANAGERS},
    "signals.answer_new": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "signals.overview": {"GET": ADMINS},
    "signals.passed_on": {"GET": EVERYONE},
    # Statistics (issue 18): to the page of the coordinator's own regions; a region's own.
    "reporting.statistics_index": {"GET": COORDINATORS},
    "reporting.statistics": {"GET": REGION_MANAGERS},
    "reporting.statistics_xlsx_download": {"GET": REGION_MANAGERS},
    "reporting.statistics_pdf": {"GET": REGION_MANAGERS},
    # Progress reports: a draft is its region's (404 for anyone else, issue 18); the list and
    # the project group's space are the group's (coordinators and admins here).
    "reporting.progress_reports": {"GET": COORDINATORS},
    "reporting.new_progress_report": {
        "GET": COORDINATORS,
        "POST": (LOGIN, 403, 403, 422, 422, 422),
    },
    "reporting.progress_report": {"GET": (LOGIN, 404, 404, 404, 200, 200)},
    "reporting.save_progress_report": {"POST": (LOGIN, 404, 404, 404, 422, 422)},
    "reporting.submit_progress_report": {"POST": (LOGIN, 404, 404, 404, 302, 302)},
    "reporting.progress_report_pdf": {"GET": (LOGIN, 404, 404, 404, 200, 200)},
    "reporting.progress_template": {"GET": ADMINS, "POST": (LOGIN, 403, 403, 403, 403, 422)},
    "reporting.project_group": {"GET": COORDINATORS},
    "reporting.new_final_report": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "reporting.final_report": {"GET": (LOGIN, 404, 404, 200, 200, 200)},
    "reporting.save_final_report": {"POST": (LOGIN, 404, 404, 422, 422, 422)},
    "reporting.final_report_pdf": {"GET": (LOGIN, 404, 404, 200, 200, 200)},
    "reporting.final_report_docx_download": {"GET": (LOGIN, 404, 404, 200, 200, 200)},
    # The regional map (issue 15): public pages, providers propose, coordinators keep.
    "regionmap.analysis": {"GET": EVERYONE},
    "regionmap.analysis_new": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "regionmap.bodies": {"GET": EVERYONE},
    "regionmap.body_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "regionmap.body_new": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "regionmap.body_retire": {"POST": region_managers(302)},
    "regionmap.catalogue": {"GET": EVERYONE},
    "regionmap.contact": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "regionmap.directory_entry": {
        "GET": VERIFIED_MEMBERS,
        "POST": (LOGIN, 403, 302, 302, 302, 302),
    },
    "regionmap.export_offers": {"GET": COORDINATORS},
    "regionmap.export_organisations": {"GET": COORDINATORS},
    "regionmap.hsds_json": {"GET": EVERYONE},
    "regionmap.hsds_table": {"GET": EVERYONE},
    "regionmap.import_commit": {"POST": (LOGIN, 403, 403, 422, 422, 422)},
    "regionmap.import_preview": {"GET": COORDINATORS, "POST": (LOGIN, 403, 403, 422, 422, 422)},
    "regionmap.keep": {"GET": COORDINATORS},
    "regionmap.members": {"GET": VERIFIED_MEMBERS},
    "regionmap.offer": {"GET": EVERYONE},
    "regionmap.offer_checked": {"POST": region_managers(302)},
    "regionmap.offer_correction": {
        "GET": VERIFIED_MEMBERS,
        "POST": (LOGIN, 403, 422, 422, 422, 422),
    },
    "regionmap.offer_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "regionmap.offer_new": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "regionmap.offer_retire": {"POST": region_managers(302)},
    "regionmap.offer_review": {"POST": region_managers(409)},  # the world's offer is published
    "regionmap.open_data": {"GET": EVERYONE},
    "regionmap.organisation": {"GET": EVERYONE},
    "regionmap.organisation_edit": {"GET": REGION_MANAGERS, "POST": region_managers(422)},
    "regionmap.organisation_new": {
        "GET": COORDINATORS,
        "POST": (LOGIN, 403, 403, 422, 422, 422),
    },
    "regionmap.organisation_retire": {"POST": region_managers(302)},
    "regionmap.organisations": {"GET": EVERYONE},
    "regionmap.overview": {"GET": EVERYONE},
    # Case tables (issue 19): the world's case is the author's (not one of the roles), in
    # the world's region. Its content only for the region's coordinators (and requester and
    # accepted table participants): 404 for everyone else, admins included.
    "casetables.index": {"GET": VERIFIED_MEMBERS},
    "casetables.new_request": {"GET": VERIFIED_MEMBERS, "POST": (LOGIN, 403, 422, 422, 422, 422)},
    "casetables.case": {"GET": (LOGIN, 404, 404, 404, 200, 404)},
    "casetables.ask": {"POST": (LOGIN, 404, 404, 404, 422, 404)},
    "casetables.answer": {"POST": (LOGIN, 404, 404, 404, 403, 404)},  # the requester's alone
    "casetables.accept": {"POST": (LOGIN, 404, 404, 404, 302, 404)},
    "casetables.redirect_to_offer": {"POST": (LOGIN, 404, 404, 404, 422, 404)},
    "casetables.plan": {
        "GET": (LOGIN, 404, 404, 404, 200, 404),
        "POST": (LOGIN, 404, 404, 404, 422, 404),
    },
    "casetables.statistics": {"GET": COORDINATORS},  # counts only
    # Case tables, the meeting (issue 19): the table's participants, the requester and the
    # region's coordinators; anyone else (admins included) finds nothing (404). The world's
    # participant (its author) and requester are not among the roles: tests/casetables.
    "casetables.notes": {"GET": CASE_READERS, "POST": case_readers(422)},
    "casetables.add_agreement": {"POST": case_readers(422)},
    # Only the partner of the agreement confirms it (the world's author): the coordinator 403.
    "casetables.confirm_agreement": {"POST": case_readers(403)},
    "casetables.close": {"GET": CASE_READERS, "POST": case_readers(422)},
    # The requester alone reports back (403 for the coordinator, who reads the line).
    "casetables.follow_up": {"GET": CASE_READERS, "POST": case_readers(403)},
}


# Coordinator pages that name no object of a region: they list or offer only the regions
# the coordinator coordinates (the activities, the region choice of a new one, the reports).
OWN_REGIONS_ONLY = {
    "manage.index",
    "manage.new",
    "forums.moderation_queue",
    # The signals' triage, new bundle, note and answer: the coordinator's own signals and
    # bundles only (tests/signals).
    "signals.triage",
    "signals.bundle_signals",
    "signals.note_new",
    "signals.answer_new",
    "reporting.statistics_index",
    # The project group's (issue 18): every coordinator is in it; no object of one region.
    "reporting.progress_reports",
    "reporting.new_progress_report",
    "reporting.project_group",
    "reporting.new_final_report",
    "reporting.final_report",
    "reporting.save_final_report",
    "reporting.final_report_pdf",
    "reporting.final_report_docx_download",
}
# The regional map's: new records, the import and export, the keeping page (issue 15).
OWN_REGIONS_ONLY |= {
    "regionmap.analysis_new",
    "regionmap.body_new",
    "regionmap.export_offers",
    "regionmap.export_organisations",
    "regionmap.import_commit",
    "regionmap.import_preview",
    "regionmap.keep",
    "regionmap.organisation_new",
}
# The case tables' counts (issue 19): numbers by region and state, no object, no code.
OWN_REGIONS_ONLY |= {"casetables.statistics"}

REFUSED = (LOGIN, 403, 404)


def region_scoped_pairs() -> list[tuple[str, str]]:
    """(endpoint, method) of every action the region's coordinator may take and a member may
    not, on an object of the world's region: the management and moderation actions."""
    pairs = []
    for endpoint, method in _expected_pairs():
        roles = dict(zip(ROLES, EXPECTED[endpoint][method], strict=True))
        if endpoint in OWN_REGIONS_ONLY:
            continue
        if roles["member"] in REFUSED and roles["coordinator"] not in REFUSED:
            pairs.append((endpoint, method))
    return pairs


def test_no_coordinator_acts_on_an_object_of_another_region():
    """Issue 13: every management and moderation action checks the region of its object."""
    allowed = [
        f"{endpoint} {method}"
        for endpoint, method in region_scoped_pairs()
        if dict(zip(ROLES, EXPECTED[endpoint][method], strict=True))["other_coordinator"]
        not in (403, 404)
    ]
    assert len(region_scoped_pairs()) > 40
    assert allowed == []


def _expected_pairs() -> list[tuple[str, str]]:
    return sorted((e, m) for e, methods in EXPECTED.items() for m in methods)


def test_every_route_has_an_entry(app):
    actual = set(routes(app))
    missing = sorted(f"{e} {m}" for e, m in actual - set(_expected_pairs()))
    stale = sorted(f"{e} {m}" for e, m in set(_expected_pairs()) - actual)
    assert missing == [], f"routes without an entry in EXPECTED: {missing}"
    assert stale == [], f"entries for routes that no longer exist: {stale}"


def _status(response) -> int | str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/aanmelden"):
        return LOGIN
    return response.status_code


def _request(client, app, world, endpoint: str, method: str, role: str):
    limiter.reset()  # the matrix asks many times from one address
    act_as(client, world, role)
    url = build_url(app, endpoint, world)
    if method == "GET":
        return client.get(url)
    return client.post_form(url, {})


@pytest.mark.parametrize(("endpoint", "method"), _expected_pairs())
def test_route_gives_each_role_the_expected_status(app, client, endpoint, method):
    got = []
    world = build_world()
    for role in ROLES:
        if method == "POST" and role != ROLES[0]:  # a POST may change the world: start afresh
            db.session.remove()
            _empty_tables()
            world = build_world()
        got.append(_status(_request(client, app, world, endpoint, method, role)))
    assert dict(zip(ROLES, got, strict=True)) == dict(
        zip(ROLES, EXPECTED[endpoint][method], strict=True)
    )
