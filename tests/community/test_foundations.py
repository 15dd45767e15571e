"""Building blocks: aware UTC datetimes, sanitised Markdown, content-addressed storage."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core.extensions import db
from community.core.markup import render_markdown
from community.core.storage.local import LocalStorage


def test_datetimes_come_back_aware_in_utc(make_user):
    brussels = dt.datetime(2027, 3, 26, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    user = make_user(last_login_at=brussels)
    db.session.expire_all()

    stored = db.session.scalar(select(User.last_login_at).where(User.id == user.id))

    assert stored == dt.datetime(2027, 3, 26, 8, 30, tzinfo=dt.UTC)
    assert stored.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(make_user):
    with pytest.raises(Exception, match="naive datetime"):
        make_user(last_login_at=dt.datetime(2027, 3, 26, 9, 30))
    db.session.rollback()


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ("[klik](javascript:alert(1))", "javascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ],
)
def test_markdown_is_sanitised(source, forbidden):
    assert forbidden not in render_markdown(source)


def test_markdown_links_get_a_safe_rel():
    html = render_markdown("Zie [de site](https://example.org).")
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_storage_names_files_by_content_and_refuses_other_keys(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(b"%PDF-1.4 test")
    assert storage.save(b"%PDF-1.4 test") == key
    assert storage.path(key).read_bytes() == b"%PDF-1.4 test"
    assert storage.path(key).resolve().is_relative_to(tmp_path.resolve())
    for bad in ("../../etc/passwd", "/etc/passwd", ".", "", "A" * 64):
        with pytest.raises(ValueError):
            storage.path(bad)
    storage.delete(key)
    assert not storage.exists(key)
