"""Public pages of the base package: home, regions, materials, practices."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("community", __name__)


@bp.get("/")
def home():
    return render_template("community/home.html")


@bp.get("/regios")
def regions():
    return render_template("community/home.html")


@bp.get("/materiaal")
def materials():
    return render_template("community/home.html")


@bp.get("/praktijkvoorbeelden")
def practices():
    return render_template("community/home.html")
