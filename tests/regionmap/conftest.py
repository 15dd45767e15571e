"""Fixtures of the regional map tests: regions, organisations and a maker of offers."""

from __future__ import annotations

import itertools

import pytest

from community.accounts.models import Organisation, OrganisationType, Sector
from community.core.extensions import db
from regionmap.catalogue import OfferFields, create_offer

_numbers = itertools.count(1)


@pytest.fixture
def west(make_region):
    return make_region(slug="west-vlaanderen", name="West-Vlaanderen")


@pytest.fixture
def antwerp(make_region):
    return make_region(slug="antwerpen", name="Antwerpen")


@pytest.fixture
def themes(make_theme):
    return make_theme(1), make_theme(2)


@pytest.fixture
def provider(west):
    organisation = Organisation(
        name="NAFT-aanbieder Brugge",
        sector=Sector.WELFARE,
        region=west,
        organisation_type=OrganisationType.NAFT.value,
        municipality="Brugge",
        street_address="Stationsplein 1",
        postal_code="8000",
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


@pytest.fixture
def make_offer(app, west):
    """Return a callable adding a published offer (committed); keyword arguments override."""

    def _make(**overrides):
        values = {
            "title": f"Aanbod {next(_numbers)}",
            "region": west,
            "kind": "naft",
            "description": "Korte trajecten voor jongeren die dreigen af te haken.",
            "age_min": 12,
            "age_max": 18,
        }
        values.update(overrides)
        offer = create_offer(OfferFields(**values), by=None)
        db.session.commit()
        return offer

    return _make


@pytest.fixture
def coordinator(make_user, west):
    return make_user("coordinator", regions=[west])


@pytest.fixture
def other_coordinator(make_user, antwerp):
    return make_user("coordinator", regions=[antwerp])
