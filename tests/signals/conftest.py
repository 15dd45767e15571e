"""Fixtures of the signal tests: three regions with a coordinator each, members, signals."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from community.accounts.models import Region, Sector, User
from community.core.extensions import db
from signals import reporting
from signals.models import Signal

_n = itertools.count(1)


@dataclass
class Network:
    """Regions West, Oost, Limburg; their coordinators; a network-wide coordinator; an admin."""

    west: Region
    east: Region
    limburg: Region
    flanders: Region
    west_coordinator: User
    east_coordinator: User
    network_coordinator: User
    admin: User


@pytest.fixture
def network(app, make_region, make_user, make_theme) -> Network:
    make_theme(1)
    make_theme(2)
    west = make_region(name="West-Vlaanderen", slug="west-vlaanderen")
    east = make_region(name="Oost-Vlaanderen", slug="oost-vlaanderen")
    limburg = make_region(name="Limburg", slug="limburg")
    flanders = make_region(name="Vlaanderen en Brussel", slug="vlaanderen", is_network_wide=True)
    return Network(
        west=west,
        east=east,
        limburg=limburg,
        flanders=flanders,
        west_coordinator=make_user("coordinator", regions=[west], region=west),
        east_coordinator=make_user("coordinator", regions=[east], region=east),
        network_coordinator=make_user("coordinator", regions=[flanders], region=flanders),
        admin=make_user("admin"),
    )


@pytest.fixture
def make_signal(app, make_user):
    """Return a callable reporting a signal through the domain (committed)."""

    def _make(region: Region, reporter: User | None = None, **overrides) -> Signal:
        n = next(_n)
        reporter = reporter or make_user(region=region, sector=Sector.EDUCATION)
        values = {
            "title": f"Geen dagbesteding voor uitgesloten jongeren {n}",
            "description": "Jongeren van 15 die uitgesloten zijn, zitten weken thuis.",
            "region": region,
            "sectors": [Sector.EDUCATION, Sector.WELFARE],
        }
        values.update(overrides)
        signal = reporting.report_signal(reporter, reporting.SignalInput(**values))
        db.session.commit()
        return signal

    return _make
