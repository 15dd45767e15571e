"""Template helpers: URL patterns and the page list of long listings."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string, url_for

from community.core.templating import url_pattern


def test_a_url_pattern_gives_what_url_for_gives(app):
    with app.test_request_context():
        for post_id in (1, 42, 10**12):
            assert url_pattern("forums.edit_post", "post_id")(post_id) == url_for(
                "forums.edit_post", post_id=post_id
            )
        reply = url_pattern("forums.reply", "citeer", forum_slug="thema-1", thread_id=7)
        assert reply(3) == url_for("forums.reply", forum_slug="thema-1", thread_id=7, citeer=3)
        assert url_pattern("forums.post_link", "post_id", _external=True)(5) == url_for(
            "forums.post_link", post_id=5, _external=True
        )


def test_a_url_pattern_refuses_what_is_not_an_integer(app):
    with app.test_request_context(), pytest.raises(ValueError):
        url_pattern("forums.edit_post", "post_id")("1/../2")


PAGES = """{% from "_macros/ui.html" import pagination %}{{ pagination(page, pages,
'events.agenda', regio='west-vlaanderen') }}"""


@pytest.mark.parametrize(
    ("page", "pages", "shown"),
    [
        (1, 1, []),
        (1, 3, [1, 2, 3]),
        (50, 100, [1, 48, 49, 50, 51, 52, 100]),
        (1, 1600, [1, 2, 3, 1600]),
        (1600, 1600, [1, 1598, 1599, 1600]),
    ],
)
def test_the_page_list_stays_short_however_many_pages(app, page, pages, shown):
    with app.test_request_context():
        html = render_template_string(PAGES, page=page, pages=pages)
    numbers = [int(n) for n in re.findall(r">(\d+)</(?:a|span)>", html)]
    assert numbers == shown
    for n in shown:
        if n != page:
            assert f'href="/agenda?pagina={n}&amp;regio=west-vlaanderen"' in html
    assert ('rel="prev"' in html) == (page > 1 and pages > 1)
    assert ('rel="next"' in html) == (page < pages)
    assert html.count("…") == (shown != list(range(1, pages + 1))) * (
        (len(shown) > 1 and shown[1] - shown[0] > 1)
        + (len(shown) > 1 and shown[-1] - shown[-2] > 1)
    )
