"""Command-line commands of accounts: ``flask create-admin``, ``flask load-reference-data``."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from community.accounts.auth import (
    MIN_PASSWORD_LENGTH,
    InvalidEmail,
    find_user_by_email,
    normalise_email,
)
from community.accounts.models import User
from community.core.extensions import db


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--password", help="Wachtwoord (minstens 10 tekens); anders wordt er een gemaakt.")
@click.option("--name", default="Beheerder", show_default=True, help="Weergavenaam.")
def create_admin(email: str, password: str | None, name: str) -> None:
    """Create an admin account for EMAIL, or make the existing account admin.

    An existing account keeps its password unless --password is given.
    """
    try:
        email = normalise_email(email)
    except InvalidEmail as exc:
        raise click.BadParameter("dit is geen geldig e-mailadres.", param_hint="EMAIL") from exc
    if not name.strip():
        raise click.BadParameter("de weergavenaam mag niet leeg zijn.", param_hint="--name")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"minstens {MIN_PASSWORD_LENGTH} tekens.", param_hint="--password")
    user = find_user_by_email(email)
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User(email=email, display_name=name.strip(), is_verified=True)
        user.set_password(password or generated)
        db.session.add(user)
        click.echo(f"Beheerder {email} aangemaakt.")
    else:
        if password:
            user.set_password(password)
            user.end_sessions()
        click.echo(
            f"Account {user.email} is nu beheerder"
            + (" met het nieuwe wachtwoord." if password else "; het wachtwoord bleef.")
        )
    user.is_admin = True
    user.is_active = True
    db.session.commit()
    if generated:
        click.echo(f"Wachtwoord: {generated}")


KIND_LABELS = {
    "regions": "regio's",
    "themes": "thema's",
    "networks": "lerende netwerken",
    "forums": "forums",
    "project_group_forum": "forum van de projectgroep",  # reporting (issue 18)
}


@click.command("load-reference-data")
@with_appcontext
def load_reference_data_command() -> None:
    """Load the regions, themes, networks and forums that are missing (safe to run again).

    Works in production too: it makes no accounts and no demo content. Rows that
    exist already (found by slug or number) are left as they are.
    """
    from community.accounts.reference import load_reference_data

    counts = load_reference_data()
    db.session.commit()
    added = {kind: n for kind, n in counts.items() if n}
    if added:
        summary = ", ".join(f"{n} {KIND_LABELS.get(kind, kind)}" for kind, n in added.items())
        click.echo(f"Referentiegegevens geladen: {summary}.")
    else:
        click.echo("Referentiegegevens waren al geladen: niets toegevoegd.")


COMMANDS = (create_admin, load_reference_data_command)
