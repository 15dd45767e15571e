"""``flask seed-demo`` loads the demo content once, with the right times and valid PDF files."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from community.accounts.models import Network, Organisation, Region, Theme, User
from community.core.extensions import db
from community.core.storage.local import get_storage
from community.library.models import Material, Practice
from demo.seed import DEMO_PASSWORD, load_content, seed_demo, slugify
from events.models import Event, EventMaterial, ProgrammeItem, Visibility
from forums.models import Category, Forum, Post, Thread


def _snapshot() -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in conn.execute(query)]
    return rows


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _pdf_text(data: bytes) -> str:
    """The text shown by the ``Tj`` operators of an uncompressed PDF, lines joined by spaces."""
    parts = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        unescaped = re.sub(rb"\\(.)", rb"\1", raw)
        parts.append(unescaped.decode("cp1252"))
    return " ".join(" ".join(parts).split())


def test_seed_demo_twice_gives_the_same_rows(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Democontent geladen" in first.output
    summary = first.output.split("Democontent geladen:", 1)[1].split("\n", 1)[0]
    assert not re.search(r"\d+ \w*_\w*", summary), f"a count without its Dutch label: {summary}"
    after_first = _snapshot()

    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    assert "al geladen" in second.output
    assert _snapshot() == after_first
    assert set(seed_demo().values()) == {0}


def test_seed_demo_on_a_later_day_adds_nothing_and_restores_missing_files(app):
    seed_demo(today=dt.date(2026, 1, 5))
    db.session.commit()
    before = _snapshot()
    storage = get_storage()
    material = db.session.scalars(select(Material)).first()
    storage.delete(material.file_key)

    counts = seed_demo(today=dt.date(2026, 5, 5))
    db.session.commit()

    assert set(counts.values()) == {0}
    assert _snapshot() == before
    assert storage.exists(material.file_key)


def test_seed_demo_prints_the_demo_logins_and_the_address(app, runner):
    result = runner.invoke(args=["seed-demo"])

    for account in load_content()["accounts"]:
        assert account["email"] in result.output
    assert DEMO_PASSWORD in result.output
    assert "http://127.0.0.1:5000" in result.output
    # Printed again when everything is already there.
    again = runner.invoke(args=["seed-demo"])
    assert DEMO_PASSWORD in again.output and "admin@example.org" in again.output


def test_seed_demo_loads_all_of_content_yaml(app):
    counts = seed_demo()
    db.session.commit()

    content = load_content()
    expected = {
        Region: 7,
        Theme: 2,
        Organisation: len(content["organisations"]),
        Network: 6,
        User: 5 + 2,  # + the project group's two representatives (demo/reporting.py)
        Event: 10 + 2,  # + the project group's two meetings
        ProgrammeItem: 13,
        Practice: 7,
        Material: 12 + 1,  # + the project group's working draft
        EventMaterial: 10,
        Forum: 3 + 1,  # + the project group's closed forum
        Category: 12 + 1,  # the 4 forum_categories in each of the 3 forums + the group's one
        # 7 demo threads + one per published activity that is not invite-only or the
        # project group's, + one in the project group's forum
        Thread: 16 + 1,
        Post: 7 + 1,
    }
    assert {model: _count(model) for model in expected} == expected
    assert counts["events"] == 10 and counts["materials"] == 12


def test_demo_accounts_can_log_in_with_their_roles(app):
    seed_demo()
    db.session.commit()

    users = {user.email: user for user in db.session.scalars(select(User))}
    assert all(user.is_verified and user.check_password(DEMO_PASSWORD) for user in users.values())
    assert users["admin@example.org"].is_admin
    coordinator = users["coordinator.wvl@example.org"]
    assert [region.slug for region in coordinator.coordinated_regions] == ["west-vlaanderen"]
    assert coordinator.organisation.name == "vzw AURA"
    assert users["clb.medewerker@example.org"].sector == "onderwijs"
    assert not users["clb.medewerker@example.org"].is_coordinator


def test_networks_have_an_organisation_mailbox_and_events_the_network_of_their_region(app):
    seed_demo()
    db.session.commit()

    network = db.session.scalar(
        select(Network).join(Region).where(Region.slug == "west-vlaanderen")
    )
    assert network.contact_email == "lerendnetwerk.west-vlaanderen@example.org"
    assert network.lead_organisation.name == "vzw AURA"
    events = {event.slug: event for event in db.session.scalars(select(Event))}
    naft = events[slugify("Netwerkmoment West-Vlaanderen: de plaats van NAFT in onze regio", 160)]
    assert naft.network == network
    assert events["inspiratiedag-onderwijs-opgroeien-een-gedeeld-verhaal"].network is None
    rots = events[slugify("ROTS West-Vlaanderen: casusoverleg", 160)]
    assert rots.visibility == Visibility.INVITE_ONLY


@pytest.mark.parametrize(
    ("today", "expected_start"),
    [
        # 160 days before 20 June 2026 is 11 January 2026: winter time, UTC+1.
        (dt.date(2026, 6, 20), dt.datetime(2026, 1, 11, 8, 0, tzinfo=dt.UTC)),
        # 160 days before 20 December 2026 is 13 July 2026: summer time, UTC+2.
        (dt.date(2026, 12, 20), dt.datetime(2026, 7, 13, 7, 0, tzinfo=dt.UTC)),
    ],
)
def test_inspiration_day_at_nine_local_is_stored_in_utc(app, today, expected_start):
    seed_demo(today=today)
    db.session.commit()
    db.session.expire_all()

    event = db.session.scalar(
        select(Event).where(Event.slug == "inspiratiedag-onderwijs-opgroeien-een-gedeeld-verhaal")
    )
    assert event.starts_at == expected_start
    assert event.ends_at == expected_start + dt.timedelta(minutes=420)
    assert [item.kind for item in event.programme].count("break") == 1
    lunch = next(item for item in event.programme if item.title == "Middagpauze")
    assert lunch.starts_at == expected_start + dt.timedelta(hours=3, minutes=10)
    panel = event.programme[-1]
    assert panel.kind == "panel" and "jongere met jeugdhulpervaring" in panel.speakers
    pitches = next(item for item in event.programme if len(item.materials) == 6)
    assert pitches.title.startswith("Samenwerking onderwijs-welzijn in de praktijk: inzichten")


def test_every_material_is_a_valid_pdf_carrying_its_title(app):
    seed_demo()
    db.session.commit()

    storage = get_storage()
    materials = db.session.scalars(select(Material)).all()
    assert len(materials) == 12 + 1  # + the project group's working draft (demo/reporting.py)
    for material in materials:
        data = storage.path(material.file_key).read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert material.title in _pdf_text(data)
        assert material.file_name == f"{material.title}.pdf"
        assert material.content_type == "application/pdf"
        assert material.file_size == len(data)


def test_forum_threads_have_one_opening_post_by_a_demo_member(app):
    seed_demo(today=dt.date(2026, 3, 10))
    db.session.commit()

    for thread in db.session.scalars(select(Thread).where(Thread.event_id.is_(None))):
        assert thread.category is not None
        posts = db.session.scalars(thread.posts.select()).all()
        assert len(posts) == 1 and thread.post_count == 1
        assert thread.last_poster == thread.author == posts[0].author
        assert not thread.author.is_admin
        assert thread.last_post_at == posts[0].created_at < dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
        assert posts[0].body_html.startswith("<p>")
    forums = {forum.slug: forum for forum in db.session.scalars(select(Forum))}
    assert set(forums) == {"thema-1", "thema-2", "algemeen", "projectgroep"}
    assert forums["algemeen"].theme is None and forums["thema-2"].theme.number == 2


def test_every_published_activity_but_a_case_consultation_has_its_thread(app):
    seed_demo()
    db.session.commit()

    for event in db.session.scalars(select(Event)):
        thread = db.session.scalar(select(Thread).where(Thread.event_id == event.id))
        if event.visibility in (Visibility.INVITE_ONLY, Visibility.PROJECT_GROUP):
            assert thread is None
        else:
            assert thread.title == event.title and thread.event == event


def test_seed_demo_refuses_in_production(tmp_path, monkeypatch):
    app = create_app(
        {
            "TESTING": True,
            "BRUGGEN_ENV": "production",
            "SECRET_KEY": "a-production-secret-of-enough-length",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )

    def fail(*args, **kwargs):
        raise AssertionError("seed_demo ran in production")

    monkeypatch.setattr("demo.seed.seed_demo", fail)
    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 1
    message = result.output.strip()
    assert "\n" not in message and "BRUGGEN_ENV=production" in message


def test_demo_invites_the_member_accounts_to_the_invite_only_activity(app):
    """Issue 17: the ROTS table has its (not yet mailed) invitations in the demo."""
    from events.models import Event, Invitation

    seed_demo()
    db.session.commit()
    rots = db.session.scalar(select(Event).where(Event.visibility == Visibility.INVITE_ONLY))
    invited = db.session.scalars(
        select(Invitation.email).where(Invitation.event_id == rots.id).order_by(Invitation.email)
    ).all()
    members = sorted(a["email"] for a in load_content()["accounts"] if a.get("role") == "member")
    assert invited == members
    assert (
        db.session.scalar(select(Invitation.sent_at).where(Invitation.event_id == rots.id)) is None
    )
