"""No state change on GET, and every POST checks CSRF (issue 7, "Security").

Mail scanners (Outlook Safe Links) and browsers prefetch links: a GET must not
verify an account, confirm a registration or change anything else. Every GET
route is fetched as each role on the world of ``tests/route_world.py`` and the
database is compared row by row before and after.

Decided exceptions, left out of the comparison:

- ``thread_reads`` and ``forum_notifications.read_at``: reading a thread moves
  the member's own "read up to here" marker and marks their notices about it
  read. That is a record of what the page showed to this member (like a
  "seen" flag), not a change anyone asked for; a prefetch at worst marks a
  thread read. Moving it to a POST would need JavaScript on every thread page
  (the site works without it), so it is not cheap.
- ``materials.download_count``: a statistic counted when a file is served.
- ``case_reads``: every read of a case's content is logged (issue 19, "Access": "every
  read of a case is logged (who, when)"), so the case page writes one row per GET by
  design. It is the record the rule asks for, not a change anyone asked for;
  :func:`test_the_case_page_writes_only_its_read_log` holds it to that one table.

Anything else a GET writes fails the test with the route and the table.
"""

from __future__ import annotations

import pytest

from community.core.extensions import db
from tests.route_world import (
    ROLES,
    act_as,
    build_url,
    build_world,
    changed_tables,
    routes,
    snapshot,
)

READ_MARKERS = {
    "thread_reads": {"*"},
    "forum_notifications": {"read_at"},
    "materials": {"download_count"},
    "case_reads": {"*"},
}

# RFC 8058 one-click unsubscribe: the mail client POSTs without a session; the signed
# token in the URL is the proof (forums/subscription_views.py).
# One-click unsubscribe (RFC 8058); and two forms on cached public pages that check the
# token themselves for signed-in visitors (community.core.security.protect_form_of_public_page;
# the test below posts as admin, so they must answer 400 too).
CSRF_EXEMPT = {"forums.unsubscribe", "accounts.set_language", "events.register"}
CSRF_EXEMPT |= {"events.agenda_mail_unsubscribe"}  # issue 17: one-click, as the forum's
CHECKS_ITS_OWN_TOKEN = {"accounts.set_language", "events.register"}


def _state(ignore=READ_MARKERS):
    db.session.expire_all()
    return snapshot(ignore)


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_changes_the_database(app, client, role):
    world = build_world()
    act_as(client, world, role)
    before = _state()
    changes = []
    for endpoint, method in routes(app):
        if method != "GET":
            continue
        response = client.get(build_url(app, endpoint, world))
        assert response.status_code < 500, endpoint
        after = _state()
        if after != before:
            changes.append((endpoint, changed_tables(before, after)))
            before = after
    assert changes == []


def test_the_walk_sees_changes_it_does_not_ignore(app, client):
    """The snapshot is sharp: the read marker a thread page writes shows up unless ignored."""
    world = build_world()
    act_as(client, world, "member")
    before = _state(ignore={})

    client.get(build_url(app, "forums.thread", world))

    assert changed_tables(before, _state(ignore={})) == ["forum_notifications", "thread_reads"]


def test_the_case_page_writes_only_its_read_log(app, client):
    """A GET of a case by the region's coordinator adds one ``case_reads`` row, nothing else;
    a refused GET (a member of the region) writes nothing at all."""
    world = build_world()
    act_as(client, world, "member")
    before = _state(ignore={})
    assert client.get(build_url(app, "casetables.case", world)).status_code == 404
    assert changed_tables(before, _state(ignore={})) == []

    act_as(client, world, "coordinator")
    assert client.get(build_url(app, "casetables.case", world)).status_code == 200

    assert changed_tables(before, _state(ignore={})) == ["case_reads"]


def test_verification_and_guest_confirmation_links_change_nothing_on_get(app, client):
    from events.models import RegistrationState

    world = build_world()
    before = _state(ignore={})

    verify = client.get(build_url(app, "accounts.verify", world))
    confirm = client.get(build_url(app, "events.confirm_registration", world))

    assert verify.status_code == 200 and "Ja, bevestig mijn e-mailadres" in verify.text
    assert confirm.status_code == 200 and "Ja, bevestig mijn inschrijving" in confirm.text
    assert changed_tables(before, _state(ignore={})) == []
    assert world.users["unverified"].is_verified is False
    assert world.guest.pending_until is not None
    assert world.guest.state == RegistrationState.WAITLISTED


def test_every_post_without_csrf_token_is_refused_and_changes_nothing(app, client):
    world = build_world()
    act_as(client, world, "admin")  # allowed everywhere: only the token can stop it
    before = _state(ignore={})
    accepted = []
    for endpoint, method in routes(app):
        if method != "POST" or (endpoint in CSRF_EXEMPT - CHECKS_ITS_OWN_TOKEN):
            continue
        response = client.post(build_url(app, endpoint, world), data={"submit": "1"})
        if response.status_code != 400 or "beveiligingscode ontbreekt" not in response.text:
            accepted.append((endpoint, response.status_code))
        assert changed_tables(before, _state(ignore={})) == [], endpoint
    assert accepted == []


def test_csrf_exempt_routes_are_only_the_known_ones(app):
    from community.core.extensions import csrf

    exempt = {name.replace("forums.views.subscriptions.", "forums.") for name in csrf._exempt_views}
    exempt_endpoints = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    }
    assert exempt_endpoints == CSRF_EXEMPT, exempt


def test_a_case_page_logs_its_read_and_nothing_else(app, client):
    """Issue 19: the notes page as the region's coordinator adds one ``case_reads`` row (who,
    when); every other table stays as it was."""
    from sqlalchemy import select

    from casetables.models import CaseRead

    world = build_world()
    act_as(client, world, "coordinator")
    before = _state(ignore={})

    assert client.get(build_url(app, "casetables.notes", world)).status_code == 200

    assert changed_tables(before, _state(ignore={})) == ["case_reads"]
    reads = db.session.scalars(select(CaseRead)).all()
    assert [(r.case_id, r.reader_id) for r in reads] == [
        (world.extra["case_table"].id, world.users["coordinator"].id)
    ]
