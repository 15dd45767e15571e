"""The demo holds signals from the seeds, recognised across regions, one bundle passed on
with an answer (issue 16, "Rules"), and tells nobody by mail."""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from demo.seed import seed_demo
from signals.models import Recognition, Signal, SignalBundle, State


def test_the_demo_seeds_signals_a_cross_region_bundle_and_an_answer(app):
    counts = seed_demo()
    db.session.commit()

    assert counts["signals"] == 6 and counts["signal_bundles"] == 2
    answered = db.session.scalars(
        select(SignalBundle).where(SignalBundle.state == State.ANSWERED)
    ).one()
    assert answered.is_published and len(answered.answers) == 1
    assert {r.slug for r in answered.regions} == {"antwerpen", "brussel", "west-vlaanderen"}
    across = db.session.scalars(select(Recognition).join(Recognition.signal)).all()
    assert any(r.region_id != r.signal.region_id for r in across)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert set(seed_demo().values()) == {0}
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 6


def test_the_public_page_of_the_demo_shows_the_answer(app, client):
    seed_demo()
    db.session.commit()
    page = client.get("/signalen/doorgegeven")
    assert "Jongeren zonder dagbesteding" in page.text
    assert "proefproject" in page.text
    assert "Uitgesloten 15-jarigen" not in page.text
