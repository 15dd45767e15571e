"""Pages of activities: the agenda, an activity, the coordinators' overview."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("events", __name__)


@bp.get("/agenda")
def agenda():
    return render_template("community/home.html")


@bp.get("/activiteiten/<slug>")
def detail(slug):
    return render_template("community/home.html")


@bp.get("/beheer/activiteiten")
def manage():
    return render_template("community/home.html")
