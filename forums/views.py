"""Forum pages: the index per theme, a forum's threads, a thread."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("forums", __name__)


@bp.get("/forum")
def index():
    return render_template("community/home.html")
