"""The public page: what the networks passed on and what came back (only what was published)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.core.extensions import db
from community.core.pagecache.middleware import cached_page
from signals.models import SignalBundle
from signals.views import bp


@bp.route("/signalen/doorgegeven")
@cached_page("signals")
def passed_on():
    """Published bundles: title, summary, dates, level, answers; never a signal or a name."""
    bundles = db.session.scalars(
        select(SignalBundle)
        .where(SignalBundle.is_published.is_(True))
        .options(selectinload(SignalBundle.answers))
        .order_by(SignalBundle.published_at.desc(), SignalBundle.id.desc())
    ).all()
    return render_template("signals/passed_on.html", bundles=bundles)
