"""A member's registration POST (issue 14): the mail goes to the outbox, nothing is loaded twice."""

from __future__ import annotations

from community.core.extensions import db
from events.models import ProgrammeItem
from tests.pages_helpers import forget_loaded_objects, sign_in


def test_a_registration_loads_the_activity_once_and_queues_its_mail(
    app, client, make_event, make_user, count_queries
):
    event = make_event(capacity=5)
    event.programme.append(
        ProgrammeItem(title="Deel 1", starts_at=event.starts_at, ends_at=event.ends_at)
    )
    db.session.commit()
    slug = event.slug
    sign_in(client, make_user(display_name="Ann Peeters"))
    token = client.csrf_token()
    forget_loaded_objects()
    app.config["MAIL_BACKEND"] = "locmem"

    with count_queries() as queries:
        response = client.post(f"/activiteiten/{slug}/inschrijven", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/activiteiten/{slug}"
    queued = [q for q in queries if q.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGES")]
    assert len(queued) == 1, "the confirmation mail is queued in the request, sent after it"
    commit_at = next(n for n, q in enumerate(queries) if "INSERT INTO data_versions" in q)
    before_commit = queries[: commit_at + 1]
    assert sum("FROM event_questions" in q for q in before_commit) == 1
    # After the commit nothing of the activity or the registration is read again (the
    # page and message are made before it); what follows is the outbox's delivery.
    after = queries[commit_at + 1 :]
    assert not any("FROM events" in q or "FROM event_questions" in q for q in after), after
