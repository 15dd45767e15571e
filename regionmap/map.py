"""The map of the provinces and Brussels: our shipped SVG, coloured and annotated per region.

``static/regionmap/provinces.svg`` holds one path per region (its id is the region's
slug; source and licence in the file). :func:`province_map` draws it inline, with
presentation attributes only (the page's CSP allows no inline style or script), each
province a link to its region's catalogue, shaded by the number of published offers and
labelled with that number and the number of gaps named in its analyses.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

SVG_FILE = Path(__file__).resolve().parent.parent / "static" / "regionmap" / "provinces.svg"
_NS = "{http://www.w3.org/2000/svg}"
# Light to dark (blue), enough contrast for the dark labels on the first three.
SHADES = ("#eef3fa", "#cfdff2", "#a6c4e8", "#6f9fd6", "#3b74b8")


@functools.cache
def _shapes() -> tuple[str, list[dict[str, str]]]:
    root = ET.parse(SVG_FILE).getroot()
    shapes = [dict(path.attrib) for path in root.iter(f"{_NS}path")]
    return root.attrib["viewBox"], shapes


def _shade(count: int, highest: int) -> str:
    if count <= 0 or highest <= 0:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, 1 + (count * (len(SHADES) - 2)) // highest)]


def province_map(regions, offer_totals: Mapping[int, int], gaps: Mapping[int, list]) -> Markup:
    """Return the inline SVG map: a link per region of ``regions`` that the SVG draws.

    ``offer_totals`` maps a region id to its number of published offers, ``gaps`` a region
    id to the gaps of its newest analyses. Regions the SVG does not draw are left out
    (the table next to the map lists all).
    """
    view_box, shapes = _shapes()
    by_slug = {region.slug: region for region in regions}
    highest = max([offer_totals.get(r.id, 0) for r in regions] or [0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(view_box)}" '
        f'class="province-map" role="group" aria-label="{escape(_("Kaart van de regio’s"))}">'
    ]
    labels = []
    for shape in shapes:
        region = by_slug.get(shape.get("id", ""))
        if region is None:
            continue
        count = offer_totals.get(region.id, 0)
        gap_count = len(gaps.get(region.id, []))
        name = _(
            "%(region)s: %(offers)s aanbod, %(gaps)s leemtes",
            region=region.name,
            offers=count,
            gaps=gap_count,
        )
        href = url_for("regionmap.catalogue", regio=region.slug)
        parts.append(
            f'<a href="{escape(href)}" aria-label="{escape(name)}"><title>{escape(name)}</title>'
            f'<path d="{escape(shape["d"])}" fill="{_shade(count, highest)}" '
            f'fill-rule="evenodd" stroke="#1d3557" stroke-width="1.2"/></a>'
        )
        x, y = shape.get("data-x", "0"), shape.get("data-y", "0")
        dark = _shade(count, highest) in SHADES[3:]
        colour = "#ffffff" if dark else "#10243e"
        small = region.slug == "brussel"
        labels.append(
            f'<text x="{escape(x)}" y="{escape(y)}" text-anchor="middle" '
            f'font-size="{11 if small else 14}" '
            f'font-family="sans-serif" fill="{colour}" aria-hidden="true">'
            f'<tspan x="{escape(x)}" font-weight="bold">{escape(str(count))}</tspan>'
            + (
                ""
                if small
                else f'<tspan x="{escape(x)}" dy="16" font-size="11">{escape(region.name)}</tspan>'
            )
            + "</text>"
        )
    parts.extend(labels)
    parts.append("</svg>")
    return Markup("".join(parts))
