"""The project group's closed space: its forum, its materials, its meetings, its reports.

Members are the coordinators, the admins and the accounts given a project-group role
(``community.accounts.permissions.is_project_group_member``). What is the group's is
marked where it lives: ``Forum.is_project_group``, ``Material.is_project_group``,
``Event.visibility == "project_group"``; each package's own visibility rules keep it
from everyone else (issue 18).
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import Region, User, coordinator_regions
from community.core.db import utcnow
from community.core.extensions import db
from community.library.models import Material
from events.models import Event, EventStatus, Visibility
from forums.models import Forum, Thread

from .models import FinalReport, ProgressReport, ReportStatus

GROUP_FORUM_SLUG = "projectgroep"
GROUP_FORUM_NAME = "Projectgroep"
GROUP_FORUM_DESCRIPTION = (
    "Het gesloten forum van de projectgroep: de coördinatoren met de vertegenwoordigers van "
    "Opgroeien en Onderwijs. Alleen leden van de projectgroep zien het."
)
RECENT = 5


def load_group_forum() -> dict[str, int]:
    """Reference data: the project group's closed forum when it is missing (by slug);
    returns ``{"project_group_forum": n}``. Flushes."""
    if db.session.scalar(select(Forum.id).where(Forum.slug == GROUP_FORUM_SLUG)) is not None:
        return {"project_group_forum": 0}
    db.session.add(
        Forum(
            slug=GROUP_FORUM_SLUG,
            name=GROUP_FORUM_NAME,
            description=GROUP_FORUM_DESCRIPTION,
            is_public=False,
            is_project_group=True,
            position=90,
        )
    )
    db.session.flush()
    return {"project_group_forum": 1}


def group_forum() -> Forum | None:
    """The project group's forum (the first marked as the group's), or None."""
    return db.session.scalars(
        select(Forum).where(Forum.is_project_group.is_(True)).order_by(Forum.position, Forum.id)
    ).first()


def group_members() -> list[User]:
    """The people of the project group, by name: active, verified accounts that coordinate
    a region or have a project-group role (admins are members by their role, not listed)."""
    coordinates = exists().where(coordinator_regions.c.user_id == User.id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active.is_(True),
                User.is_verified.is_(True),
                or_(coordinates, User.project_group_role.is_not(None)),
            )
            .options(joinedload(User.organisation))
            .order_by(User.display_name, User.id)
        ).unique()
    )


def group_space() -> dict:
    """What the group's page shows (for a member; the caller checks): the forum and its
    newest conversations, the group's materials, its meetings to come and past, the newest
    submitted progress reports and the final reports. A fixed number of queries."""
    forum = group_forum()
    threads = []
    if forum is not None:
        threads = db.session.scalars(
            select(Thread)
            .where(Thread.forum_id == forum.id)
            .order_by(Thread.last_post_at.desc(), Thread.id.desc())
            .limit(RECENT)
        ).all()
    materials = db.session.scalars(
        select(Material)
        .where(Material.is_project_group.is_(True))
        .order_by(Material.created_at.desc(), Material.id.desc())
        .limit(10)
    ).all()
    now = utcnow()
    meetings = select(Event).where(
        Event.visibility == Visibility.PROJECT_GROUP,
        Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)),
    )
    upcoming = db.session.scalars(
        meetings.where(Event.ends_at >= now).order_by(Event.starts_at).limit(RECENT)
    ).all()
    past = db.session.scalars(
        meetings.where(Event.ends_at < now).order_by(Event.starts_at.desc()).limit(RECENT)
    ).all()
    reports = db.session.scalars(
        select(ProgressReport)
        .join(Region, Region.id == ProgressReport.region_id)
        .where(ProgressReport.status == ReportStatus.SUBMITTED)
        .options(joinedload(ProgressReport.region))
        .order_by(ProgressReport.submitted_at.desc(), Region.position)
        .limit(10)
    ).all()
    finals = db.session.scalars(select(FinalReport).order_by(FinalReport.updated_at.desc())).all()
    return {
        "forum": forum,
        "threads": threads,
        "materials": materials,
        "upcoming": upcoming,
        "past": past,
        "reports": reports,
        "final_reports": finals,
        "members": group_members(),
    }
