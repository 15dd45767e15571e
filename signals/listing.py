"""Lists of signals: search and filters for members, counts over time for the overview."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Region, Sector, Theme
from community.core.extensions import db
from signals.models import Signal, SignalBundle, State, signal_themes


@dataclass
class SignalFilter:
    """What a member filters on; None (or "") means any."""

    text: str = ""
    region: Region | None = None
    theme: Theme | None = None
    sector: Sector | None = None
    state: State | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.text or self.region or self.theme or self.sector or self.state)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def signals_query(chosen: SignalFilter) -> Select:
    """The signals matching ``chosen``, newest first (withdrawn ones only on request)."""
    query = select(Signal).options(
        joinedload(Signal.region), selectinload(Signal.themes), joinedload(Signal.bundle)
    )
    if chosen.text:
        pattern = _like(chosen.text)
        query = query.where(
            or_(
                Signal.title.ilike(pattern, escape="\\"),
                Signal.description.ilike(pattern, escape="\\"),
                Signal.municipality.ilike(pattern, escape="\\"),
            )
        )
    if chosen.region is not None:
        query = query.where(Signal.region_id == chosen.region.id)
    if chosen.theme is not None:
        query = query.where(
            Signal.id.in_(
                select(signal_themes.c.signal_id).where(signal_themes.c.theme_id == chosen.theme.id)
            )
        )
    if chosen.sector is not None:
        query = query.where(Signal.sectors.contains(f",{chosen.sector.value},"))
    if chosen.state is not None:
        query = query.where(Signal.state == chosen.state)
    else:
        query = query.where(Signal.state != State.WITHDRAWN)
    return query.order_by(Signal.created_at.desc(), Signal.id.desc())


@dataclass
class Overview:
    """Signals per region, per theme and per policy domain, per quarter (labels "2027 K1")."""

    periods: list[str]
    by_region: dict[str, list[int]]
    by_theme: dict[str, list[int]]
    by_domain: dict[str, list[int]]
    total: int


def _quarter(signal: Signal) -> str:
    return f"{signal.created_at.year} K{(signal.created_at.month - 1) // 3 + 1}"


def overview() -> Overview:
    """Count every signal that was not withdrawn, per quarter of its report (UTC)."""
    signals = list(
        db.session.scalars(
            select(Signal)
            .where(Signal.state != State.WITHDRAWN)
            .options(
                joinedload(Signal.region),
                selectinload(Signal.themes),
                joinedload(Signal.bundle),
            )
        )
    )
    periods = sorted({_quarter(s) for s in signals})
    index = {p: n for n, p in enumerate(periods)}
    regions: dict[str, list[int]] = {}
    themes: dict[str, list[int]] = {}
    domains: dict[str, list[int]] = {}
    for signal in sorted(signals, key=lambda s: (s.region.position, s.id)):
        period = index[_quarter(signal)]
        regions.setdefault(signal.region.name, [0] * len(periods))[period] += 1
        for theme in signal.themes:
            themes.setdefault(theme.label, [0] * len(periods))[period] += 1
        bundle: SignalBundle | None = signal.bundle
        if bundle is not None and bundle.policy_domain:
            domains.setdefault(bundle.domain_label, [0] * len(periods))[period] += 1
    return Overview(periods, regions, dict(sorted(themes.items())), domains, len(signals))


def state_counts(signals: list[Signal]) -> Counter[State]:
    """How many of ``signals`` are in each state."""
    return Counter(signal.state for signal in signals)
