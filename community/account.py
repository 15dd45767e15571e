"""Accounts: sign-up, e-mail verification, login, password reset, profile, admin."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("auth", __name__)


@bp.route("/aanmelden", methods=["GET", "POST"])
def login():
    return render_template("community/home.html")


@bp.route("/registreren", methods=["GET", "POST"])
def signup():
    return render_template("community/home.html")


@bp.post("/afmelden")
def logout():
    return render_template("community/home.html")


@bp.post("/taal")
def set_language():
    return render_template("community/home.html")


@bp.get("/account")
def account():
    return render_template("community/home.html")


@bp.get("/beheer/gebruikers")
def admin_users():
    return render_template("community/home.html")
