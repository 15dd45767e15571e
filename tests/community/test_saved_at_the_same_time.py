"""A write the database refuses (a unique rule) answers 409 with a message, never a 500.

Issue 13, items 8 and "never a 5xx": edits lock their row, but two requests creating the
same thing at the same moment (a double click on "new", two coordinators adding the same
name) can still meet the database's unique rule. The route here makes that happen for
real: it inserts a region whose web address another one already has.
"""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts.models import Region
from community.core.extensions import db


def test_a_unique_violation_answers_409_in_dutch_and_english_and_stores_nothing(
    make_app, make_region
):
    taken = make_region(slug="gent", name="Gent")
    app = make_app()

    @app.post("/test/dubbel")
    def doubled():
        db.session.add(Region(slug=taken.slug, name="Gent (nog eens)", position=99))
        db.session.commit()
        return "bewaard"

    client = app.test_client()
    dutch = client.post_form("/test/dubbel")
    english = client.post_form("/test/dubbel", headers={"Accept-Language": "en"})

    assert dutch.status_code == 409
    assert "Tegelijk bewaard" in dutch.text and "Er is niets dubbel opgeslagen" in dutch.text
    assert english.status_code == 409 and "Nothing was stored twice" in english.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Region)) == 1
