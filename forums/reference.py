"""The forums every Bruggen has: one per theme plus a general one (reference data).

Registered with the base (``forums.wiring``) and loaded by ``flask load-reference-data``
after the themes. The same slugs and names as ``demo/content.yaml``. Categories are not
reference data: the coordinators choose, rename and remove them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from community.accounts.models import Theme
from community.core.extensions import db
from forums.models import Forum


@dataclass(frozen=True)
class ForumData:
    """A forum as the reference data has it (matched by ``slug`` when loading)."""

    slug: str
    theme: int | None  # the theme's number; None for the general forum
    name: str
    description: str


FORUMS = (
    ForumData(
        "thema-1",
        1,
        "Thema 1: kleuter- en basisonderwijs",
        "Uitwisseling over schooluitval voorkomen bij kleuters en kinderen in de lagere school "
        "(-12): welzijn in de school, vroeg en nabij, ondersteuning van leerkrachten en "
        "zorgteams.",
    ),
    ForumData(
        "thema-2",
        2,
        "Thema 2: secundair onderwijs en (her)oriëntering",
        "Uitwisseling over uitval voorkomen in het secundair onderwijs (+12): NAFT, bemiddelen "
        "bij dreigende schorsing, heroriënteren naar school of toeleiden naar werk.",
    ),
    ForumData(
        "algemeen",
        None,
        "Algemeen",
        "Alles wat beide thema's overstijgt: signalen voor beleid, vragen aan de netwerken, "
        "gezochte praktijken.",
    ),
)


def load_forums() -> dict[str, int]:
    """Add the forums of :data:`FORUMS` that are missing (by slug); return ``{"forums": n}``.

    New forums are for members only (an admin can open one to everyone); an existing
    forum is left as it is. Flushes.
    """
    added = 0
    themes = {theme.number: theme for theme in db.session.scalars(select(Theme))}
    for position, data in enumerate(FORUMS, start=1):
        if db.session.scalar(select(Forum.id).where(Forum.slug == data.slug)) is None:
            db.session.add(
                Forum(
                    slug=data.slug,
                    name=data.name,
                    description=data.description,
                    theme=themes.get(data.theme) if data.theme is not None else None,
                    is_public=False,
                    position=position,
                )
            )
            added += 1
    db.session.flush()
    return {"forums": added}
