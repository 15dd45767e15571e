"""The feeds' VEVENTs written from rows (issue 14): byte for byte what ``icalendar`` writes."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from icalendar.parser.string import _foldline

from community.core.extensions import db
from community.core.markup import render_markdown
from events.calendar import feeds, vevents
from events.calendar.feeds import FeedFilters
from events.calendar.ical import calendar_of, event_component, plain_text
from events.models import EventStatus, EventType, ProgrammeItem, ProgrammeItemKind
from tests.events.test_feeds_scale import bulk_events

TRICKY = [
    "",
    "Eén, twee; drie\\vier",
    "Regel\r\nvolgende\rnog\neen",
    r"Letterlijk \N en \n",
    "^" * 80,
    "a" * 73 + "\\" + "b" * 10,
    "a" * 72 + "\\;" + "b" * 80,
    "é" * 40 + "x" * 3 + "€" * 30 + "𝄞" * 20,
    "x" * 73 + "é" + "y" * 200,
    "Leerrecht & spijbelen <b>niet vet</b> – “aanhalingstekens” …",
]


def test_folding_is_icalendars_for_every_line_length_and_character():
    """RFC 5545 3.1 as icalendar 7 folds: 74 octets of content, never inside a character
    nor after an escaping backslash or caret."""
    rng = random.Random(14)
    alphabet = ["a", "é", "€", "𝄞", "\\", "^", ",", " ", ";", "\n"]
    lines = [*TRICKY, *("".join(rng.choices(alphabet, k=n)) for n in range(0, 400, 3))]
    lines += ["".join(rng.choices(alphabet, k=rng.randrange(60, 300))) for _ in range(300)]

    for text in lines:
        line = "DESCRIPTION:" + vevents.escape_text(text)
        assert vevents.fold(line) == _foldline(line).encode(), line


MARKDOWN = [
    "Gewoon *tekst* met **nadruk** en `code`.",
    "- een\n- twee\n\n1. drie\n2. vier",
    "[link](https://example.org/a?b=1&c=2) en <https://example.org/kaal>",
    "[mail](mailto:info@example.org) & &amp; &lt;tag&gt; &#39;",
    "> citaat\n\nalinea  \nmet harde regelbreuk",
    "# Titel\n\n## Sub\n\n```\ncode   \n```\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    "[zelfde](https://example.org/z) [https://example.org/z](https://example.org/z)",
    "Tekst met <script>alert(1)</script> en <!-- commentaar --> <em>schuin</em>",
]
RAW_HTML = [
    '<p>a<a href="x">x</a></p>',
    "<p>onaf <a href=x>link</a></p>",
    "<p>kale < hoek</p>",
    "<p>a<br/>b<br />c</p><P>HOOFD</P>",
    '<a href="">leeg</a><a title="t">geen</a><a href="mailto:x@y.be">m</a>',
    "<!-- c --><p>x</p>",
    "<style>p{}</style><p>x</p>",
    "</p x>tekst",
    "<a href='enkel'>enkel</a>",
    "<p>   \t\n\n\n\n  x  \t\n</p>",
    'tekst &amp c &notanentity; &#x41;<a href="a&amp;b">a&amp;b</a>',
]


def test_fast_plain_text_is_plain_text(app):
    """The regular-expression reader gives what HTMLParser gives, on Markdown the app
    renders and on HTML it would never store (those take HTMLParser itself)."""
    rng = random.Random(1)
    samples = [render_markdown(text) for text in MARKDOWN] + RAW_HTML
    for _ in range(200):
        samples.append(render_markdown("\n\n".join(rng.sample(MARKDOWN, 3))))

    for html in samples:
        assert vevents.fast_plain_text(html) == plain_text(html), html


def _varied_events(make_event, make_region, make_theme):
    """Activities covering every branch of a VEVENT: all-day, online, cancelled, draft,
    themes, no network, no location, programme over two days, tricky text."""
    theme1, theme2 = make_theme(1), make_theme(2)
    region = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    start = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # the night summer time starts
    events = []
    for n, text in enumerate(TRICKY):
        kind = list(EventType)[n % len(EventType)]
        events.append(
            make_event(
                region=region,
                title=text or "Leeg",
                type=kind,
                summary=text[:50],
                description=text * 3,
                description_html=render_markdown(text * 3) if n % 2 else "",
                starts_at=start + dt.timedelta(days=n, minutes=7 * n),
                ends_at=start + dt.timedelta(days=n + n % 3, hours=2),
                is_all_day=n % 4 == 1,
                is_online=n % 3 == 2,
                online_url="https://meet.example.org/x?a=1,b;c" if n % 3 == 2 else "",
                venue_name=text[:20] if n % 5 else "",
                venue_address="" if n % 5 else "",
                status=EventStatus.CANCELLED if n == 3 else EventStatus.PUBLISHED,
                revision=n,
                themes=[[], [theme1], [theme2], [theme1, theme2]][n % 4],
            )
        )
    events[0].network = None
    for n, event in enumerate(events[:4]):
        for part in range(n):
            event.programme.append(
                ProgrammeItem(
                    title=TRICKY[part + 1][:80] or "Deel",
                    kind=list(ProgrammeItemKind)[part % len(ProgrammeItemKind)],
                    speakers="An, Bert; Cis" if part % 2 else "",
                    room="Zaal 1" if part else "",
                    starts_at=event.starts_at + dt.timedelta(hours=part * 20),
                    ends_at=event.starts_at + dt.timedelta(hours=part * 20 + 1),
                )
            )
    db.session.commit()
    return events


@pytest.mark.parametrize("language", ["nl", "en"])
def test_vevents_from_rows_are_what_event_component_writes(
    app, make_event, make_region, make_theme, language
):
    events = _varied_events(make_event, make_region, make_theme)
    vevents.clear_cache()
    with app.test_request_context(headers={"Accept-Language": language}):
        from flask_babel import force_locale

        with force_locale(language):
            rows = {row.id: row for row in vevents.load_feed_events(db.true())}
            writer = vevents.FeedWriter()
            for event in events:
                for cap in (None, 1500, 200, 5):
                    expected = event_component(event, max_description=cap).to_ical()
                    assert writer.vevent(rows[event.id], cap) == expected, event.title
                personal = vevents.Personal(
                    include_online_link=True, sequence=41, status="TENTATIVE", summary_prefix="[x] "
                )
                expected = event_component(
                    event,
                    include_online_link=True,
                    max_description=200,
                    sequence=41,
                    status="TENTATIVE",
                    summary_prefix="[x] ",
                ).to_ical()
                assert writer.vevent(rows[event.id], 200, personal) == expected
                # A second time: from the cache, the same bytes.
                assert writer.vevent(rows[event.id], 200, personal) == expected


def test_whole_feed_is_icalendars_calendar_byte_for_byte(app, make_event, make_region, make_theme):
    events = _varied_events(make_event, make_region, make_theme)
    shown = sorted(
        (e for e in events if e.status != EventStatus.DRAFT), key=lambda e: (e.starts_at, e.id)
    )
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with app.test_request_context():
        data = feeds.public_feed(FeedFilters(), None, now)
        whole = calendar_of(
            [event_component(e, max_description=1500) for e in shown],
            name="Bruggen – agenda",
            refresh=feeds.REFRESH_INTERVAL,
        ).to_ical()

    assert data == whole


def test_a_changed_activity_is_written_anew_not_taken_from_the_cache(app, client, make_event):
    """The cache is keyed by every field the VEVENT shows: an edit shows at once."""
    app.config["PAGE_CACHE_ENABLED"] = False
    event = make_event(title="Vorming leerrecht", description="Eerste tekst")
    assert b"Eerste tekst" in client.get("/agenda.ics").data

    event.description = "Tweede tekst"  # even without touching updated_at or revision
    db.session.commit()

    data = client.get("/agenda.ics").data
    assert b"Tweede tekst" in data and b"Eerste tekst" not in data


def test_the_cache_stays_bounded(app, make_event, monkeypatch):
    monkeypatch.setattr(vevents, "CACHE_SIZE", 3)
    vevents.clear_cache()
    for n in range(5):
        make_event(title=f"Activiteit {n}")
    with app.test_request_context():
        feeds.public_feed(FeedFilters(), None, dt.datetime.now(dt.UTC))

    assert len(vevents._CACHE) == 3


def test_a_large_feed_is_built_with_four_queries(
    app, client, make_region, make_theme, count_queries
):
    """Whatever the number of activities: the validators, the activities, their themes and
    their programmes (issue 14: Core rows, no lazy loads)."""
    app.config["PAGE_CACHE_ENABLED"] = False
    region = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    bulk_events(region.id, [now + dt.timedelta(hours=n) for n in range(300)], make_theme(2))
    db.session.expunge_all()

    with count_queries() as queries:
        response = client.get("/agenda/west-vlaanderen/thema-2.ics")

    assert response.status_code == 200
    assert response.data.count(b"BEGIN:VEVENT") == 300
    assert len(queries) == 4, queries
