"""The personal-data guard on the free-text fields of signals, as strict as on forum posts.

Every free-text field (title, description, services, what was tried, what would help,
a recognition's line, a log note, a quote) is scanned by ``forums.pii_guard``; findings
refuse the text with ``forums.posting.PersonalDataFound`` (the fields and what was found,
for the view to mark), unless the author ticked that the data is not about a child or
family, as in the forums (DESIGN.md, "Privacy comes with the domain"). Quotes in a policy
note leave the networks: there the tick does not count.
"""

from __future__ import annotations

import logging

from forums.pii_guard import Finding, find_personal_data, finding_kinds
from forums.posting import PersonalDataFound
from signals.errors import SignalError

log = logging.getLogger(__name__)

__all__ = ["REFUSED", "PersonalDataFound", "guard"]

#: What a signal view catches from a domain function: every refusal with a message.
REFUSED = (SignalError, PersonalDataFound)


def guard(texts: dict[str, str], confirmed: bool = False) -> list[Finding]:
    """Scan each of ``texts`` (field name -> text); return the findings the author confirmed.

    Raises ``PersonalDataFound`` (422) when something is found and ``confirmed`` is False.
    """
    by_field = {name: (text, find_personal_data(text)) for name, text in texts.items() if text}
    by_field = {name: found for name, found in by_field.items() if found[1]}
    findings = [finding for _, found in by_field.values() for finding in found]
    if findings and not confirmed:
        raise PersonalDataFound(by_field)
    if findings:
        log.info("signal privacy guard overridden (%s)", ",".join(finding_kinds(findings)))
    return findings
