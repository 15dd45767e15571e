"""Command-line commands of the case tables (``flask <command>``; cron: README)."""

from __future__ import annotations

import click

#: Registered by ``app.CLI_COMMANDS``.
COMMANDS: list[click.Command] = []
