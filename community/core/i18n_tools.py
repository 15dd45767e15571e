"""Catalogue upkeep: ``python -m community.core.i18n_tools fill-source PO`` (used by the Makefile).

The UI is written in Dutch, so Dutch strings are the msgids; the Dutch
catalogue repeats each msgid as its translation so that it is complete.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def fill_source(path: str) -> int:
    """Copy each untranslated msgid of the catalogue at ``path`` into its msgstr.

    Returns the number of entries filled. Plural entries get (singular, plural).
    """
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, str):
            if not message.string:
                message.string = message.id
                filled += 1
        elif not all(message.string or ()):
            message.string = tuple(message.id)
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalogue, width=100)
    return filled


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "fill-source":
        sys.exit("gebruik: python -m community.core.i18n_tools fill-source PAD/messages.po")
    print(f"{fill_source(sys.argv[2])} vertalingen aangevuld in {sys.argv[2]}")
