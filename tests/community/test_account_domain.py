"""Account domain functions, tested without a request."""

from __future__ import annotations

import pytest

from community.accounts import auth
from community.core.extensions import db


def test_sign_up_refuses_an_existing_address_in_other_case(make_user):
    make_user(email="ann@example.org")

    with pytest.raises(auth.EmailTaken):
        auth.sign_up("Ann@Example.org", "Ann", "een-lang-wachtwoord")


def test_sign_up_refuses_short_passwords_and_bad_addresses(app):
    with pytest.raises(auth.PasswordTooShort):
        auth.sign_up("ann@example.org", "Ann", "kort")
    with pytest.raises(auth.InvalidEmail):
        auth.sign_up("ann@", "Ann", "een-lang-wachtwoord")
    db.session.rollback()


def test_authenticate_distinguishes_wrong_credentials_from_inactive_accounts(make_user):
    from tests.conftest import PASSWORD

    active, inactive = make_user(), make_user(is_active=False)

    assert auth.authenticate(active.email.upper(), PASSWORD) == active
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(active.email, "verkeerd-wachtwoord")
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate("niemand@example.org", PASSWORD)
    with pytest.raises(auth.AccountInactive):
        auth.authenticate(inactive.email, PASSWORD)
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(inactive.email, "verkeerd-wachtwoord")


def test_reset_token_stops_working_once_the_password_changes(make_user):
    user = make_user()
    token = auth.reset_token(user)

    auth.reset_password(token, "een-nieuw-wachtwoord")

    with pytest.raises(auth.TokenInvalid):
        auth.reset_password(token, "nog-een-nieuw-wachtwoord")


def test_set_roles_and_set_active_refuse_to_lock_an_admin_out(make_user):
    admin = make_user(role="admin")

    with pytest.raises(auth.SelfLockout):
        auth.set_active(admin, False, actor=admin)
    with pytest.raises(auth.SelfLockout):
        auth.set_roles(admin, False, [], actor=admin)
    assert admin.is_active and admin.is_admin
