"""Logout ends the session (issue 13, "Access control" 3 and "Small things").

Cookies copied before the logout, the session cookie and the remember-me cookie,
no longer sign anyone in afterwards, on any device: signing out gives the account
a new session token. And a browser that signed out in its own language keeps no
session cookie once the "signed out" message was shown, so it gets the cached
public pages again.
"""

from __future__ import annotations

from community.accounts.models import User
from community.core.extensions import db
from community.core.pagecache.versions import current_versions
from tests.conftest import PASSWORD


def _signed_in_browser(app, user, remember: bool = False):
    browser = app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post_form("/aanmelden", data).status_code == 302
    return browser


def _browser_with(app, **cookies):
    """A fresh browser holding copies of ``cookies`` (name: value)."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def test_cookies_copied_before_logout_no_longer_work_after_it(app, make_user):
    user = make_user(display_name="Lies Janssens")
    browser = _signed_in_browser(app, user, remember=True)
    session_cookie = browser.get_cookie("session").value
    remember_cookie = browser.get_cookie("remember_token").value
    copied_session = _browser_with(app, session=session_cookie)
    copied_remember = _browser_with(app, remember_token=remember_cookie)
    assert copied_session.get("/account").status_code == 200, "the copies worked before"
    assert copied_remember.get("/account").status_code == 200

    response = browser.post_form("/afmelden")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Je bent afgemeld, op al je toestellen." in browser.get("/").text
    for copy in (
        _browser_with(app, session=session_cookie),
        _browser_with(app, remember_token=remember_cookie),
        _browser_with(app, session=session_cookie, remember_token=remember_cookie),
    ):
        page = copy.get("/account")
        assert page.status_code == 302 and page.headers["Location"].startswith("/aanmelden")
    assert browser.get_cookie("remember_token") is None, "the browser was told to drop it"


def test_logout_on_one_device_ends_the_sessions_on_the_others(app, make_user):
    user = make_user()
    laptop, phone = _signed_in_browser(app, user), _signed_in_browser(app, user)

    laptop.post_form("/afmelden")

    assert phone.get("/account").status_code == 302
    assert _signed_in_browser(app, user).get("/account").status_code == 200, "signing in works"


def test_logout_changes_no_page_and_nothing_else_of_the_account(app, make_user):
    user = make_user(display_name="Lies Janssens")
    before = (user.email, user.display_name, user.password_hash, user.feed_token)
    token = user.session_token
    browser = _signed_in_browser(app, user)
    versions = current_versions()

    browser.post_form("/afmelden")

    db.session.expire_all()
    assert current_versions() == versions, "no cached page has to be made again"
    after = db.session.get(User, user.id)
    assert (after.email, after.display_name, after.password_hash, after.feed_token) == before
    assert after.session_token != token


def test_logout_leaves_no_anonymous_session_cookie_and_cached_pages_are_served(app, make_user):
    browser = _signed_in_browser(app, make_user(locale="nl"))

    browser.post_form("/afmelden")
    shown = browser.get("/")  # shows "Je bent afgemeld" and forgets it

    assert "Je bent afgemeld" in shown.text
    assert browser.get_cookie("session") is None
    browser.get("/regios")
    assert browser.get("/regios").headers.get("X-Page-Cache") == "hit"


def test_a_language_the_browser_would_not_choose_is_kept_after_logout(app, make_user):
    browser = _signed_in_browser(app, make_user(locale="en"))

    browser.post_form("/afmelden", headers={"Accept-Language": "nl-BE,nl;q=0.9"})

    page = browser.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert '<html lang="en">' in page.text
    assert browser.get_cookie("session") is not None, "the language choice needs it"


def test_logout_when_already_signed_out_just_goes_home(client):
    response = client.post_form("/afmelden")

    assert response.status_code == 302 and response.headers["Location"] == "/"
