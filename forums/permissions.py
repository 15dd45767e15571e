"""Who may read a forum; used by views and exported to templates."""

from __future__ import annotations

from community.permissions import can_read_members_content
from forums.models import Forum


def can_read_forum(user, forum: Forum) -> bool:
    """True when ``user`` may read the threads of ``forum``: public forums for all, else members.

    The forum index (names and thread titles) is public; reading posts is not
    (issue 2, "Pages").
    """
    return forum.is_public or can_read_members_content(user)


TEMPLATE_RULES = {"can_read_forum": can_read_forum}
