"""Every page reachable from the home page of the demo answers, for each kind of visitor."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from community.core.extensions import db
from demo.seed import DEMO_PASSWORD, load_content, seed_demo

LINK = re.compile(r'href="([^"]+)"')


@pytest.fixture
def demo(app):
    seed_demo()
    db.session.commit()
    return load_content()


def _crawl(client, start: str = "/", limit: int = 400) -> dict[str, int]:
    """GET every local link reachable from ``start``; return {path: status}."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if not href.startswith("/static/") and href not in seen:
                queue.append(href)
    return seen


def test_every_page_answers_for_an_anonymous_visitor(client, demo):
    statuses = _crawl(client)

    broken = {path: code for path, code in statuses.items() if code not in (200, 302)}
    assert not broken, broken
    assert len(statuses) > 40, "the crawl should reach the demo's pages"
    redirected = [path for path, code in statuses.items() if code == 302]
    assert all(path.startswith(("/forum/", "/account", "/beheer")) for path in redirected), (
        redirected
    )


@pytest.mark.parametrize(
    "email", ["clb.medewerker@example.org", "coordinator.wvl@example.org", "admin@example.org"]
)
def test_every_page_answers_200_for_signed_in_demo_accounts(client, demo, email):
    response = client.post_form("/aanmelden", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302

    statuses = _crawl(client)

    assert {path: code for path, code in statuses.items() if code != 200} == {}
    assert any(path.startswith("/forum/") for path in statuses)


def test_demo_content_is_on_the_pages(client, demo):
    client.post_form(
        "/aanmelden", {"email": "clb.medewerker@example.org", "password": DEMO_PASSWORD}
    )
    agenda = client.get("/agenda").get_data(as_text=True)
    archive = client.get("/agenda/archief").get_data(as_text=True)
    forum = client.get("/forum").get_data(as_text=True)
    materials = client.get("/materiaal").get_data(as_text=True)
    practices = client.get("/praktijkvoorbeelden").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)

    def shown(title: str, page: str) -> bool:
        return title.replace("&", "&amp;").replace('"', "&#34;") in page or title in page

    for event in demo["events"]:
        page = archive if event["days"] < 0 else agenda
        if event.get("invite_only"):
            assert not shown(event["title"], page), "invite-only stays hidden for a member"
        else:
            assert shown(event["title"], page), event["title"]
    for thread in demo["forum_threads"]:
        assert shown(thread["title"], forum) or thread["title"][:40] in forum
    for material in demo["materials"]:
        assert shown(material["title"], materials), material["title"]
    for practice in demo["practices"]:
        assert shown(practice["title"], practices), practice["title"]
    for region in demo["regions"]:
        assert shown(region["name"], home), region["name"]
