"""The ``flask seed-demo`` command: loads the demo content and prints the demo logins."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from community.core.extensions import db

# Where ``make run`` serves the site.
SITE_URL = "http://127.0.0.1:5000"

REFUSED_IN_PRODUCTION = (
    "seed-demo weigert: dit is een productieomgeving (BRUGGEN_ENV=production); "
    "demo-accounts met een bekend wachtwoord horen daar niet."
)

COUNT_LABELS = {
    "regions": "regio's",
    "themes": "thema's",
    "organisations": "organisaties",
    "networks": "lerende netwerken",
    "accounts": "demo-accounts",
    "events": "activiteiten",
    "programme_items": "programmaonderdelen",
    "practices": "praktijkvoorbeelden",
    "materials": "materialen",
    "event_materials": "koppelingen materiaal-activiteit",
    "forums": "forums",
    "threads": "gesprekken",
    "posts": "berichten",
    "forum_categories": "forumcategorieën",
    "project_group_forum": "forum van de projectgroep",
    "invitations": "uitnodigingen",
    "signals": "signalen",
    "recognitions": "herkenningen",
    "signal_bundles": "bundels",
    "present": "aanwezigen",
    "certificates": "attesten",
    "evaluations": "evaluaties",
    "project_group_members": "leden van de projectgroep",
    "project_group_meetings": "vergaderingen van de projectgroep",
    "project_group_threads": "gesprekken van de projectgroep",
    "project_group_materials": "materialen van de projectgroep",
    "registrations": "inschrijvingen",
    "progress_reports": "voortgangsrapporten",
    "final_reports": "eindrapporten",
    "offers": "aanbodrecords",
    "consultation_bodies": "overlegfora",
    "regional_analyses": "omgevingsanalyses",
    "case_requests": "casusaanvragen",
}


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo content (idempotent) and print the demo logins."""
    from demo.seed import DEMO_PASSWORD, demo_accounts, seed_demo

    if current_app.config["BRUGGEN_ENV"] == "production":
        click.echo(REFUSED_IN_PRODUCTION, err=True)
        raise click.exceptions.Exit(1)
    counts = seed_demo()
    db.session.commit()
    created = {key: n for key, n in counts.items() if n}
    if created:
        summary = ", ".join(f"{n} {COUNT_LABELS.get(key, key)}" for key, n in created.items())
        click.echo(f"Democontent geladen: {summary}.")
    else:
        click.echo("Democontent al geladen: niets toegevoegd.")
    click.echo("")
    click.echo(f"Demo-aanmeldingen (wachtwoord voor elk account: {DEMO_PASSWORD}):")
    accounts = demo_accounts()
    width = max(len(account["email"]) for account in accounts)
    for account in accounts:
        click.echo(f"  {account['email']:<{width}}  {account['role_label']}")
    click.echo("")
    click.echo(f"Bruggen: {SITE_URL}")


COMMANDS = (seed_demo_command,)
