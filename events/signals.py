"""Signals other packages listen to, so that ``events`` need not import them (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the ``Event`` (as sender) after it was published and flushed, before the
#: view commits; receivers add to the same unit of work (e.g. forums open its thread).
event_published = _signals.signal("event-published")

#: Sent with the ``Event`` after a change of time, place or status was flushed.
event_changed = _signals.signal("event-changed")
