"""Signed, expiring tokens for links in mails (verification, password reset)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(Exception):
    """The token was forged, damaged, or made for another purpose."""


class TokenExpired(TokenInvalid):
    """The token is authentic but older than its maximum age."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"bruggen-{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    """Return a URL-safe token signing ``payload`` (JSON-serialisable) for ``purpose``."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    """Return the payload of ``token`` if it was made for ``purpose`` within ``max_age`` seconds.

    Raises ``TokenExpired`` when the signature is valid but too old and
    ``TokenInvalid`` for anything else (forged, truncated, other purpose).
    """
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired(purpose) from exc
    except BadSignature as exc:
        raise TokenInvalid(purpose) from exc
    if not isinstance(payload, dict):
        raise TokenInvalid(purpose)
    return payload
