"""A refused form says why: code missing, no longer valid, expired, no session (issue 13)."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.pages_helpers import sign_in

# A POST that needs the CSRF token and nothing else to change something.
MARK_READ = "/forum/meldingen/gelezen"


class _TwoHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 7200


def test_a_form_without_its_code_says_the_code_is_missing(client, make_user):
    sign_in(client, make_user())

    response = client.post(MARK_READ, data={})

    assert response.status_code == 400
    assert "De beveiligingscode ontbreekt in het formulier." in response.text
    assert "niet (meer) geldig" not in response.text


def test_a_code_that_does_not_fit_the_session_is_called_invalid_not_missing(client, make_user):
    sign_in(client, make_user())
    client.csrf_token()  # the session has its own code
    other = URLSafeTimedSerializer("test-secret-key", salt="wtf-csrf-token").dumps("0" * 40)

    forged = client.post(MARK_READ, data={"csrf_token": "not-a-token"})
    stale = client.post(MARK_READ, data={"csrf_token": other})  # signed out and in elsewhere

    for response in (forged, stale):
        assert response.status_code == 400
        assert "De beveiligingscode van het formulier is niet (meer) geldig" in response.text
        assert "ontbreekt" not in response.text


def test_a_form_left_open_too_long_is_called_expired(app, client, make_user):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    sign_in(client, make_user())
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", "a" * 40)
    old = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=_TwoHoursAgo).dumps(
        raw
    )

    response = client.post(MARK_READ, data={"csrf_token": old})

    assert response.status_code == 400
    assert "Het formulier is verlopen: het stond te lang open." in response.text


def test_a_session_the_browser_did_not_keep_is_named(client, make_user):
    sign_in(client, make_user())
    token = client.csrf_token()
    with client.session_transaction() as session:
        session.pop("csrf_token")  # the cookie with the session's code is gone

    response = client.post(MARK_READ, data={"csrf_token": token})

    assert response.status_code == 400
    assert "of je browser bewaart geen cookies voor deze site" in response.text


def test_the_message_follows_the_language(client, make_user):
    sign_in(client, make_user(locale="en"))

    response = client.post(MARK_READ, data={}, headers={"Accept-Language": "en"})

    assert "security code is missing. Reload the page" in response.text
