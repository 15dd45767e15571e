"""Materials of an activity: upload to an activity or programme item, list per item."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("event_materials", __name__)
