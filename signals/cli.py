"""Command-line commands of the signal function: none yet (mail goes through the outbox)."""

from __future__ import annotations

COMMANDS: tuple = ()
