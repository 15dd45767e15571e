"""Public views of events: the blueprint ``events``; its routes are in the modules below.

``public`` (agenda, archive, an activity, registering, confirming, cancelling, my
activities), ``feeds`` (calendar feeds and the subscribe page) and ``materials`` (an
organiser adds material to an activity) add their routes to :data:`bp`. The organiser
pages are the blueprint ``manage`` in :mod:`events.views.manage`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)

from events.views import feeds, invitations, materials, public  # noqa: E402, F401  (routes on bp)
