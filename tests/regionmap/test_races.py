"""Two coordinators at the same moment (issue 15): they take turns, nothing is doubled.

Each job runs in its own thread and app context (its own connection), as a request in
another process would; run on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from community.accounts.models import Region, User
from community.core.extensions import db
from regionmap.catalogue import (
    OfferFields,
    OfferStateError,
    ProposalGone,
    accept_proposal,
    propose_offer,
)
from regionmap.models import Offer, OfferStatus
from regionmap.transfer import commit_import

pytestmark = pytest.mark.real_commits


def _in_parallel(app, jobs) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                job()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a job hung"
    return errors


def test_two_imports_of_one_file_at_once_create_each_offer_once(app, make_user, west):
    coordinator_ids = [make_user("coordinator", regions=[west]).id for _ in range(2)]
    rows = "\n".join(f"Aanbod {n};west-vlaanderen;naft" for n in range(20))
    data = f"naam;regio;soort\n{rows}\n".encode()

    def job(user_id):
        return lambda: commit_import("aanbod", data, "a.csv", db.session.get(User, user_id), None)

    errors = _in_parallel(app, [job(uid) for uid in coordinator_ids])

    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 20


def test_one_proposal_accepted_by_two_coordinators_at_once_is_published_once(app, make_user, west):
    proposal = propose_offer(OfferFields(title="Voorstel", region=west), make_user())
    db.session.commit()
    proposal_id = proposal.id
    reviewer_ids = [make_user("coordinator", regions=[west]).id for _ in range(2)]

    def job(user_id):
        def accept():
            accept_proposal(db.session.get(Offer, proposal_id), db.session.get(User, user_id))

        return accept

    errors = _in_parallel(app, [job(uid) for uid in reviewer_ids])

    assert len(errors) == 1 and isinstance(errors[0], OfferStateError | ProposalGone)
    db.session.expire_all()
    assert db.session.get(Offer, proposal_id).status == OfferStatus.PUBLISHED
    assert db.session.scalar(select(func.count()).select_from(Region)) >= 1
