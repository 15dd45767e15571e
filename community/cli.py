"""Command-line commands of the base package: ``flask create-admin``, ``flask send-mail``."""

from __future__ import annotations

import secrets

import click
from flask import Flask
from sqlalchemy import func, select

from community.extensions import db
from community.mail import deliver_outbox
from community.models import User


def init_app(app: Flask) -> None:
    """Register the commands with the app's CLI."""

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option(
        "--password", help="Wachtwoord (minstens 10 tekens); anders wordt er een gemaakt."
    )
    @click.option("--name", default="Beheerder", show_default=True, help="Weergavenaam.")
    def create_admin(email: str, password: str | None, name: str) -> None:
        """Create an admin account for EMAIL, or make the existing account admin."""
        if password is not None and len(password) < 10:
            raise click.UsageError("Het wachtwoord moet minstens 10 tekens lang zijn.")
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        if user is None:
            user = User(email=email, display_name=name, is_verified=True)
            db.session.add(user)
        user.is_admin = True
        user.is_active = True
        user.set_password(password)
        db.session.commit()
        click.echo(f"Beheerder {email} is klaar.")
        if generated:
            click.echo(f"Wachtwoord: {password}")

    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Send the mails waiting in the outbox (retries failed ones that are due)."""
        sent, failed = deliver_outbox(limit=1000)
        click.echo(f"{sent} verzonden, {failed} mislukt.")
