"""Organiser tools for coordinators: create, edit, publish, cancel activities; attendees."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/beheer/activiteiten")
