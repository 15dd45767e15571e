"""XSS and HTML-injection payloads in Markdown come out inert (issue 5, "Bad input and abuse").

Each payload's HTML is parsed with the standard library's HTML parser; the test
fails on any script or other active element, any ``on*`` attribute, any URL
attribute with a scheme other than http, https or mailto (after the decoding a
browser does: entities, whitespace, control characters, case), an image from
outside our uploads, or a link without the safe ``rel``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from community.core.markup import LINK_REL, render_markdown
from forums.models import Post
from tests.forums.conftest import reply_url, sign_in

PAYLOADS = [
    # raw HTML
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="/materiaal/a.png" onload="alert(1)">',
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==></object>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<style>@import 'http://evil.example/x.css';</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    # HTML blocks
    "<div>\n<script>alert(1)</script>\n</div>",
    "<table><tr><td onmouseover=alert(1)>x</td></tr></table>",
    # Markdown links with dangerous schemes, mixed case, entities and whitespace
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1)  )",
    "[klik](java\tscript:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](&#x6A;&#x61;vascript:alert(1))",
    "[klik](javascript&colon;alert(1))",
    "[klik](jav&#x09;ascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](DATA:text/html,<script>alert(1)</script>)",
    "[klik](vbscript:msgbox(1))",
    "[klik](VBScript:msgbox(1))",
    '[klik](https://example.org "titel" onclick="alert(1)")',
    '[klik](https://example.org"onmouseover="alert(1))',
    # images
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](https://evil.example/track.png)",
    "![x](//evil.example/track.png)",
    '![x" onerror="alert(1)](/materiaal/a.png)',
    "![x](/materiaal/../../javascript:alert(1))",
    # autolinks and bare URLs
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    "http://example.org/<script>alert(1)</script>",
    'https://example.org/" onmouseover="alert(1)',
    "www.example.org/<img src=x onerror=alert(1)>",
    # reference links
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <JaVaScRiPt:alert(1)>",
    '[x][r]\n\n[r]: data:text/html,x "t"',
    "![x][r]\n\n[r]: javascript:alert(1)",
    # entities
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script>alert(1)\\</script>",
    # nested quotes and lists
    "> > > <script>alert(1)</script>\n> > [x](javascript:alert(1))",
    "> - [x](javascript:alert(1))\n>   > <img src=x onerror=alert(1)>",
    "1. <a href='vbscript:msgbox(1)'>x</a>\n   - > <svg onload=alert(1)>",
    # code must stay code
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]

ACTIVE_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "form", "input", "button",
    "meta", "base", "link", "frame", "frameset", "applet", "body", "html", "details", "textarea",
    "select", "video", "audio", "source",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset"}
SAFE_SCHEMES = {"http", "https", "mailto"}


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, whitespace and controls removed."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}")
            if name == "style":
                self.problems.append("style attribute")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = _scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name} with scheme {scheme}")
        values = dict(attrs)
        if tag == "img" and "src" in values:
            src = values["src"] or ""
            if not src.startswith(("/materiaal/", "/uploads/")) or src.startswith("//"):
                self.problems.append(f"image from {src}")
        if tag == "a" and values.get("rel") != LINK_REL:
            self.problems.append(f"link without safe rel: {values.get('rel')}")


def problems_in(markup: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(markup)
    inspector.close()
    return inspector.problems


def test_the_corpus_holds_at_least_40_payloads():
    assert len(PAYLOADS) >= 40 and len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_renders_inert(payload):
    output = render_markdown(payload)

    assert problems_in(output) == [], output


def test_the_inspector_catches_what_it_should():
    """The checks themselves work: each of these is reported."""
    assert problems_in("<script>x</script>") == ["element <script>"]
    assert problems_in('<a href="&#106;avascript:x" rel="nofollow noopener noreferrer ugc">') == [
        "href with scheme javascript"
    ]
    assert problems_in('<p onclick="x">') == ["event handler onclick"]
    assert problems_in('<img src="https://evil.example/x.png">') == [
        "image from https://evil.example/x.png"
    ]
    assert problems_in('<a href="https://x.org">') == ["link without safe rel: None"]


def test_safe_markdown_keeps_its_meaning():
    output = render_markdown(
        "**Vet** en [een link](https://example.org) en https://vlaanderen.be/onderwijs.\n\n"
        "![schema](/materiaal/schema.png)\n\n> citaat"
    )

    assert "<strong>Vet</strong>" in output
    assert f'<a href="https://example.org" rel="{LINK_REL}">een link</a>' in output
    assert (
        f'<a href="https://vlaanderen.be/onderwijs" rel="{LINK_REL}">'
        "https://vlaanderen.be/onderwijs</a>." in output
    )
    assert '<img alt="schema" src="/materiaal/schema.png">' in output
    assert "<blockquote>" in output


def test_a_posted_payload_is_stored_and_shown_inert(client, make_forum, make_thread, make_user):
    from community.core.extensions import db

    thread = make_thread(make_forum())
    sign_in(client, make_user())
    payload = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script>"

    assert client.post_form(reply_url(thread), {"body": payload}).status_code == 303

    post = db.session.query(Post).order_by(Post.id.desc()).first()
    assert post.body == payload
    assert problems_in(post.body_html) == []
    page = client.get(f"/forum/{thread.forum.slug}/{thread.id}").get_data(as_text=True)
    assert "onerror" not in page and "alert(2)" not in page
