"""Reference data every Bruggen needs: the regions, the themes and a network per region.

``flask load-reference-data`` loads it (also in production, where ``seed-demo``
refuses); ``flask seed-demo`` starts with it, so a demo and a production site name
their regions, themes, networks and forums alike (the same slugs and names as
``demo/content.yaml``; ``tests/community/test_reference_data.py`` keeps the two equal).
Features add their part through the registry (``Features.add_reference_data``): the
forums register one forum per theme plus the general one. Sectors need no rows: they
are a fixed list in the code (``community.accounts.models.Sector``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from community.accounts.models import Network, Region, Theme
from community.core.extensions import db
from community.core.features import features

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegionData:
    """A region as the reference data has it (matched by ``slug`` when loading)."""

    slug: str
    name: str
    is_network_wide: bool = False


@dataclass(frozen=True)
class ThemeData:
    """A theme as the reference data has it (matched by ``number``: 1 or 2)."""

    number: int
    name: str
    short: str
    focus: str


#: The six regions, each with its learning network, and the network-wide pseudo-region
#: for activities of the whole network (which has no network of its own). In this order.
REGIONS = (
    RegionData("west-vlaanderen", "West-Vlaanderen"),
    RegionData("oost-vlaanderen", "Oost-Vlaanderen"),
    RegionData("antwerpen", "Antwerpen"),
    RegionData("limburg", "Limburg"),
    RegionData("vlaams-brabant", "Vlaams-Brabant"),
    RegionData("brussel", "Brussel"),
    RegionData("vlaanderen", "Vlaanderen en Brussel", is_network_wide=True),
)

THEMES = (
    ThemeData(
        1,
        "Kleuter- en basisonderwijs",
        "-12",
        "schooluitval voorkomen bij kleuters en lagereschoolkinderen: welzijn binnen in de "
        "school, vroeg en nabij, ondersteuning van leerkrachten en zorgteams",
    ),
    ThemeData(
        2,
        "Secundair onderwijs en (her)oriëntering naar school of werk",
        "+12",
        "uitval voorkomen (NAFT, bemiddelen bij dreigende schorsing), bij uitval heroriënteren "
        "naar school, anders toeleiden naar werk, alternatieve dagbesteding zo kort als "
        "mogelijk en zo lang als nodig",
    ),
)

NETWORK_NAME = "Lerend netwerk jeugdhulp-onderwijs {region}"

#: The order of the counts :func:`load_reference_data` returns.
BASE_KINDS = ("regions", "themes", "networks")


def load_reference_data() -> dict[str, int]:
    """Add the reference data that is missing; return how many rows of each kind were added.

    Rows are found by their natural key (a region's slug, a theme's number, a network's
    region; the features' parts by theirs), and an existing row is left as it is: a
    name an admin changed stays, a second run adds nothing and returns only zeros.
    Networks get no contact address: the admin fills it in. Flushes; the caller commits.
    Keys: ``regions``, ``themes``, ``networks``, then those of the registered parts
    (``forums``), in their order.
    """
    counts = dict.fromkeys(BASE_KINDS, 0)
    regions = {}
    for position, data in enumerate(REGIONS, start=1):
        region = db.session.scalar(select(Region).where(Region.slug == data.slug))
        if region is None:
            region = Region(
                slug=data.slug,
                name=data.name,
                is_network_wide=data.is_network_wide,
                position=position,
            )
            db.session.add(region)
            counts["regions"] += 1
        regions[data.slug] = region
    for data in THEMES:
        if db.session.scalar(select(Theme.id).where(Theme.number == data.number)) is None:
            db.session.add(
                Theme(number=data.number, name=data.name, short=data.short, focus=data.focus)
            )
            counts["themes"] += 1
    db.session.flush()
    for data in REGIONS:
        region = regions[data.slug]
        if data.is_network_wide:
            continue
        if db.session.scalar(select(Network.id).where(Network.region_id == region.id)) is None:
            db.session.add(Network(region=region, name=NETWORK_NAME.format(region=data.name)))
            counts["networks"] += 1
    db.session.flush()
    for part in sorted(features().reference_data.values()):
        counts.update(part.function())
        db.session.flush()
    log.info("reference data loaded: %s", counts)
    return counts
