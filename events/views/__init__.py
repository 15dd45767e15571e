"""Public views of events: the blueprint ``events``; its routes are in the modules below.

``public`` (agenda, archive, an activity, registering, confirming, cancelling, my
activities), ``feeds`` (calendar feeds and the subscribe page) and ``materials`` (an
organiser adds material to an activity) add their routes to :data:`bp`. The organiser
pages are the blueprint ``manage`` in :mod:`events.views.manage`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)

from events.views import (  # noqa: E402, F401  (routes on bp)
    agenda_mail,  # issue 17: the weekly "nieuw in de agenda" mail
    embed,  # issue 17: the agenda on other websites
    feeds,
    followup,  # issue 17: certificates, evaluation
    invitations,  # issue 17: an invitee's answer by the link in the mail
    materials,
    public,
)
