"""Mail about case requests, through the outbox (issue 19): code and link only.

A case's content never goes into a mail (issue 19, "Rules"): the requester hears "Je
aanvraag C-… is ontvangen", the region's coordinators "Nieuwe casusaanvraag C-…", and
every later change "Je hebt een update over casus C-…", each with a link to the case
page behind the sign-in. One template, ``email/case_update.txt``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casetables.models import CaseRequest
from community.accounts.models import Region, User
from community.core.extensions import db
from community.core.mail.outbox import queue_mail


def case_path(case: CaseRequest) -> str:
    """The path of the case page (``casetables.case``), without a request."""
    return f"/casustafel/{case.code}"


def region_coordinators(region_id: int) -> list[User]:
    """The active coordinators of the region ``region_id``, by id."""
    query = (
        select(User)
        .where(User.is_active.is_(True), User.coordinated_regions.any(Region.id == region_id))
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def _send(
    case: CaseRequest, people: Iterable[User | None], subject, line, path: str | None = None
) -> int:
    sent = 0
    seen: set[int] = set()
    for person in people:
        if person is None or not person.is_active or person.id in seen:
            continue
        seen.add(person.id)
        queue_mail(
            person.email,
            subject,
            "case_update",
            language=person.locale or "nl",
            user=person,
            line=line,
            path=path or case_path(case),
        )
        sent += 1
    return sent


def notify_filed(case: CaseRequest) -> int:
    """Queue "Je aanvraag C-… is ontvangen" to the requester and "Nieuwe casusaanvraag
    C-…" to the active coordinators of the case's region; returns how many mails."""
    sent = _send(
        case,
        [case.requester],
        _l("Je aanvraag %(code)s is ontvangen", code=case.code),
        _l("Je aanvraag voor een casustafel %(code)s is ontvangen.", code=case.code),
    )
    return sent + _send(
        case,
        region_coordinators(case.region_id),
        _l("Nieuwe casusaanvraag %(code)s", code=case.code),
        _l("Er is een nieuwe casusaanvraag %(code)s in je regio.", code=case.code),
    )


def notify_update(case: CaseRequest, people: Iterable[User | None], path: str | None = None) -> int:
    """Queue "Je hebt een update over casus C-…" to ``people`` (inactive, missing and
    repeated ones skipped) with a link to ``path`` (a page of the case; default the case
    page): the code is all the mail says of the case. Returns how many mails."""
    return _send(
        case,
        people,
        _l("Je hebt een update over casus %(code)s", code=case.code),
        _l("Er is nieuws over casus %(code)s.", code=case.code),
        path,
    )
