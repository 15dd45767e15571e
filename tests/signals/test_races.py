"""Two requests at once (issue 16, "one recognition per member per signal"): the unique
rule of the table decides, the loser gets a message, never a 5xx. Run on PostgreSQL too
(``TEST_DATABASE_URL``), where the two transactions really meet."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from signals.models import Recognition, SignalFollow
from tests.pages_helpers import sign_in

pytestmark = pytest.mark.real_commits

ROUNDS = 3


def _at_once(requests: list[Callable[[], object]]) -> list[object]:
    """Run each request in its own thread, released together; return the responses (or the
    exception a request raised)."""
    barrier = threading.Barrier(len(requests))
    results: list[object] = [None] * len(requests)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = requests[n]()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_a_double_recognition_at_once_counts_once_and_never_answers_5xx(
    app, network, make_signal, make_user
):
    for _ in range(ROUNDS):
        signal = make_signal(network.west)
        member = make_user(region=network.east)
        browsers = [app.test_client(), app.test_client()]
        posts = []
        for browser in browsers:
            sign_in(browser, member)
            data = {"context": "Ook bij ons.", "csrf_token": browser.csrf_token()}
            url = f"/signalen/{signal.id}/herkennen"
            posts.append(lambda b=browser, d=data, u=url: b.post(u, data=d))

        responses = _at_once(posts)

        statuses = sorted(getattr(r, "status_code", r) for r in responses)
        assert statuses in ([303, 303], [303, 409]), statuses
        loser = [r for r in responses if r.status_code == 409]
        assert all(
            "Je herkende dit signaal al." in r.text or "Tegelijk bewaard" in r.text for r in loser
        )
        db.session.expire_all()
        recognitions = db.session.scalar(
            select(func.count()).select_from(Recognition).where(Recognition.signal_id == signal.id)
        )
        follows = db.session.scalar(
            select(func.count())
            .select_from(SignalFollow)
            .where(SignalFollow.signal_id == signal.id, SignalFollow.user_id == member.id)
        )
        assert (recognitions, follows) == (1, 1)
        db.session.refresh(signal)
        assert signal.recognition_count == 1
