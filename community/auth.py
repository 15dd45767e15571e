"""Account domain logic: loading the signed-in user for Flask-Login."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from community.extensions import db, login_manager
from community.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the active user with id ``user_id``; None logs a deactivated account out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    """Configure Flask-Login: the login page and its Dutch message."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Meld je aan om deze pagina te zien.")
    login_manager.login_message_category = "info"
