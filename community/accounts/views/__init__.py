"""Views of accounts: the blueprint ``accounts``; its routes are in the modules below.

``account`` (sign-up, verification, login, passwords, profile, language) and
``admin`` (users and roles) add their routes to :data:`bp` when imported.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from community.accounts.views import account, admin  # noqa: E402, F401  (routes on bp)
