"""Double submit (issue 13, item 8): a form sent twice at the same moment never answers 500.

Every edit of an object with association rows (a member's themes, an activity's themes
and organisations, a coordinator's regions, a material's themes and tags, a
practice's themes), and every row made once per member (a subscription, the mail
preference), is sent from two browsers at once: two test clients in two threads,
released together by a barrier, each request with its own app context, session and
database connection, on rows that are committed. Several rounds each, the values
changing every round, so that both requests replace the same association rows.
Run on PostgreSQL (``TEST_DATABASE_URL``) as well as SQLite; PostgreSQL is where the
500s were (UniqueViolation, StaleDataError).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from community.accounts.models import Organisation, Sector, User
from community.core.extensions import db
from community.library.materials import MaterialFields, create_material
from community.library.models import (
    Material,
    MaterialTag,
    MaterialType,
    Practice,
    PracticeStatus,
)
from community.library.uploads import check_upload
from events.models import Event
from forums.models import ForumPreference, Subscription
from tests.community.library_files import pdf
from tests.conftest import PASSWORD
from tests.events.organiser_helpers import event_form
from tests.pages_helpers import add, sign_in

ROUNDS = 4


def _at_once(requests: list[Callable[[], object]]) -> list[object]:
    """Run each request in its own thread, all released at once; return their status codes
    (or the exception a request raised: the test client passes a 500's error on)."""
    barrier = threading.Barrier(len(requests))
    results: list[object] = [None] * len(requests)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = requests[n]().status_code  # type: ignore[attr-defined]
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def _double_click(app, user, url: str, data: dict, **kwargs) -> list[object]:
    """The form ``data`` posted to ``url`` twice at the same moment by ``user``."""
    browsers = [app.test_client(), app.test_client()]
    posts = []
    for browser in browsers:
        sign_in(browser, user)
        sent = dict(data, csrf_token=browser.csrf_token())
        posts.append(lambda b=browser, d=sent: b.post(url, data=d, **kwargs))
    return _at_once(posts)


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.fixture
def themes(make_theme):
    return [make_theme(1), make_theme(2)]


@pytest.fixture
def regions(make_region):
    return [make_region(name="Limburg"), make_region(name="Antwerpen")]


def test_the_profile_form_sent_twice_at_once_saves_it_once(app, make_user, themes, regions):
    member = make_user(region=regions[0])
    for n in range(ROUNDS):
        theme, region = themes[n % 2], regions[n % 2]
        data = {
            "display_name": f"Ann Peeters {n}",
            "region": str(region.id),
            "organisation": "",
            "sector": "onderwijs",
            "job_title": "leerlingenbegeleider",
            "themes": [str(theme.id)],
            "language": "nl",
        }

        statuses = _double_click(app, member, "/account", data)

        assert statuses == [302, 302], f"round {n}"
        saved = _fresh(User, member.id)
        assert [t.id for t in saved.themes] == [theme.id]
        assert (saved.display_name, saved.region_id) == (f"Ann Peeters {n}", region.id)


def test_the_activity_form_sent_twice_at_once_saves_it_once(
    app, make_user, make_event, themes, regions
):
    region = regions[0]
    schools = [
        add(Organisation(name=name, sector=Sector.EDUCATION))
        for name in ("Sint-Jozefscollege", "Atheneum Genk")
    ]
    event = make_event(region=region, themes=[themes[0]])
    coordinator = make_user("coordinator", regions=[region])
    for n in range(ROUNDS):
        theme, school = themes[(n + 1) % 2], schools[n % 2]
        data = event_form(region, [theme], slug=event.slug, title=f"Netwerkmoment {n}")
        data["organisations"] = [str(school.id)]

        statuses = _double_click(
            app, coordinator, f"/beheer/activiteiten/{event.slug}/bewerken", data
        )

        assert statuses == [302, 302], f"round {n}"
        saved = _fresh(Event, event.id)
        assert [t.id for t in saved.themes] == [theme.id]
        assert [o.id for o in saved.organisations] == [school.id]
        assert saved.title == f"Netwerkmoment {n}"


def test_two_organisers_saving_one_activity_at_once_leave_one_whole_version(
    app, make_user, make_event, themes, regions
):
    """Not a mix of both: all fields of one of the two forms (the one saved last)."""
    region = regions[0]
    event = make_event(region=region)
    tandem = [make_user("coordinator", regions=[region]) for _ in range(2)]
    forms = [event_form(region, [themes[n]], slug=event.slug, title=f"Versie {n}") for n in (0, 1)]
    posts = []
    for coordinator, data in zip(tandem, forms, strict=True):
        browser = app.test_client()
        sign_in(browser, coordinator)
        sent = dict(data, csrf_token=browser.csrf_token())
        url = f"/beheer/activiteiten/{event.slug}/bewerken"
        posts.append(lambda b=browser, d=sent, u=url: b.post(u, data=d))

    assert _at_once(posts) == [302, 302]

    saved = _fresh(Event, event.id)
    n = int(saved.title.removeprefix("Versie "))
    assert [t.id for t in saved.themes] == [themes[n].id]


def test_the_roles_form_sent_twice_at_once_saves_it_once(app, make_user, regions):
    admin = make_user("admin")
    member = make_user()
    for n in range(ROUNDS):
        region = regions[n % 2]

        statuses = _double_click(
            app, admin, f"/beheer/gebruikers/{member.id}", {"regions": [str(region.id)]}
        )

        assert statuses == [302, 302], f"round {n}"
        assert [r.id for r in _fresh(User, member.id).coordinated_regions] == [region.id]


def test_the_material_form_sent_twice_at_once_saves_it_once(app, make_user, themes, regions):
    owner = make_user(region=regions[0])
    fields = MaterialFields(title="Verslag", type=MaterialType.REPORT, region=regions[0])
    material = create_material(owner, fields, upload=check_upload(pdf(), "verslag.pdf"))
    db.session.commit()
    for n in range(ROUNDS):
        theme = themes[n % 2]
        data = {
            "title": f"Verslag {n}",
            "description": "",
            "type": "report",
            "themes": [str(theme.id)],
            "region": str(regions[0].id),
            "tags": f"NAFT, ronde {n}",  # a new tag each round, made by both requests
            "language": "nl",
            "licence": "CC BY 4.0",
            "visibility": "public",
        }

        statuses = _double_click(app, owner, f"/materiaal/{material.slug}/bewerken", data)

        assert statuses == [302, 302], f"round {n}"
        saved = _fresh(Material, material.id)
        assert [t.id for t in saved.themes] == [theme.id]
        assert [t.slug for t in saved.tags] == ["naft", f"ronde-{n}"]


def test_two_materials_bringing_the_same_new_tag_at_once_share_it(app, make_user, regions):
    owner = make_user(region=regions[0])
    posts = []
    for n in range(2):
        browser = app.test_client()
        sign_in(browser, owner)
        data = {
            "title": f"Presentatie {n}",
            "type": "presentation",
            "region": str(regions[0].id),
            "tags": "Leerrecht, Time-out",
            "language": "nl",
            "licence": "CC BY 4.0",
            "visibility": "public",
            "url": "",
            "file": (io.BytesIO(pdf(f"Presentatie {n}")), "slides.pdf", "application/pdf"),
            "csrf_token": browser.csrf_token(),
        }
        posts.append(
            lambda b=browser, d=data: b.post(
                "/materiaal/nieuw", data=d, content_type="multipart/form-data"
            )
        )

    assert _at_once(posts) == [302, 302]

    db.session.expire_all()
    assert db.session.scalars(select(MaterialTag.slug).order_by(MaterialTag.slug)).all() == [
        "leerrecht",
        "time-out",
    ]
    materials = db.session.scalars(select(Material)).all()
    assert [sorted(t.slug for t in m.tags) for m in materials] == [["leerrecht", "time-out"]] * 2


def test_the_practice_form_sent_twice_at_once_saves_it_once(app, make_user, themes, regions):
    author = make_user(region=regions[0])
    practice = add(
        Practice(
            slug="spijbelactieplan",
            title="Spijbelactieplan",
            author=author,
            status=PracticeStatus.DRAFT,
        )
    )
    for n in range(ROUNDS):
        theme = themes[n % 2]
        data = {
            "title": f"Spijbelactieplan {n}",
            "region": str(regions[0].id),
            "themes": [str(theme.id)],
            "summary": "Een integrale aanpak van spijbelen.",
            "partners": "school\nCLB",
            "partner_sectors": ["onderwijs"],
        }

        statuses = _double_click(
            app, author, f"/praktijkvoorbeelden/{practice.slug}/bewerken", data
        )

        assert statuses == [302, 302], f"round {n}"
        saved = _fresh(Practice, practice.id)
        assert [t.id for t in saved.themes] == [theme.id]
        assert saved.title == f"Spijbelactieplan {n}"


def test_following_and_unfollowing_twice_at_once(app, make_user, make_forum, make_thread):
    member = make_user()
    thread = make_thread(make_forum())
    subscriptions = select(func.count()).select_from(Subscription)
    for n in range(ROUNDS):
        follow = _double_click(app, member, f"/forum/gesprek/{thread.id}/volgen", {})
        assert follow == [303, 303], f"round {n}"
        assert db.session.scalar(subscriptions) == 1

        unfollow = _double_click(app, member, f"/forum/gesprek/{thread.id}/niet-volgen", {})
        assert unfollow == [303, 303], f"round {n}"
        assert db.session.scalar(subscriptions) == 0


def test_the_mail_preference_sent_twice_at_once(app, make_user):
    member = make_user()
    for n, mode in enumerate(["digest", "none", "immediate", "digest"]):
        statuses = _double_click(app, member, "/forum/meldingen", {"mail_mode": mode})

        assert statuses == [303, 303], f"round {n}"
        assert _fresh(ForumPreference, member.id).mail_mode == mode


def test_deleting_an_account_twice_at_once(app, make_user, themes, regions):
    member = make_user(region=regions[0], themes=[themes[0]])

    statuses = _double_click(app, member, "/account/verwijderen", {"password": PASSWORD})

    assert statuses == [302, 302]
    deleted = _fresh(User, member.id)
    assert deleted.display_name == "verwijderd lid" and deleted.themes == []
    assert not deleted.is_active
