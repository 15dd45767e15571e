"""Models of the forums package: forums, threads, posts, subscriptions and moderation."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from community.accounts.models import Region, Theme, User
from community.core.db import Base, utcnow

if TYPE_CHECKING:
    from events.models import Event


class Forum(Base):
    """A forum: one per theme plus a general one (``theme_id`` None)."""

    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    is_public: Mapped[bool] = mapped_column(default=False)
    # The project group's closed forum: its members only (issue 18); never public.
    is_project_group: Mapped[bool] = mapped_column(default=False, server_default="0")
    position: Mapped[int] = mapped_column(default=0)

    theme: Mapped[Theme | None] = relationship()
    threads: WriteOnlyMapped[Thread] = relationship(back_populates="forum")
    categories: Mapped[list[Category]] = relationship(
        back_populates="forum", order_by="(Category.position, Category.id)"
    )


class Category(Base):
    """A category (rubriek) of a forum, managed by coordinators: "vragen uit de praktijk"..."""

    __tablename__ = "forum_categories"
    __table_args__ = (UniqueConstraint("forum_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    forum: Mapped[Forum] = relationship(back_populates="categories")


class Thread(Base):
    """A conversation (gesprek) in a forum; may belong to an activity and a region."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(160))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), unique=True
    )
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    post_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="SET NULL"), index=True
    )

    forum: Mapped[Forum] = relationship(back_populates="threads")
    category: Mapped[Category | None] = relationship()
    event: Mapped[Event | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    region: Mapped[Region | None] = relationship()
    posts: WriteOnlyMapped[Post] = relationship(back_populates="thread", order_by="Post.id")


class Post(Base):
    """A message (bericht) in a thread; ``body_html`` is the sanitised rendering of ``body``."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    is_deleted: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[User | None] = relationship()

    @property
    def is_visible(self) -> bool:
        """True when readers see the text: neither deleted by its author nor hidden."""
        return not (self.is_deleted or self.is_hidden)


class PostRevision(Base):
    """An earlier text of an edited post, kept for moderators (issue 5, "edits are kept")."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship()


class ThreadRead(Base):
    """How far a member read a thread: the last post id shown to them and when."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_post_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """A member watches one thread, one category or one whole forum (a theme).

    Exactly one of ``thread_id``, ``category_id`` and ``forum_id`` is set.
    """

    __tablename__ = "forum_subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", "category_id", "forum_id"),
        Index("ix_forum_subscriptions_thread_id", "thread_id"),
        Index("ix_forum_subscriptions_category_id", "category_id"),
        Index("ix_forum_subscriptions_forum_id", "forum_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE")
    )
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    thread: Mapped[Thread | None] = relationship()
    category: Mapped[Category | None] = relationship()
    forum: Mapped[Forum | None] = relationship()


class MailMode(enum.StrEnum):
    """How a member gets forum notifications by mail."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


class ForumPreference(Base):
    """A member's forum mail preference; members without a row get ``MailMode.IMMEDIATE``."""

    __tablename__ = "forum_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mail_mode: Mapped[MailMode] = mapped_column(String(20), default=MailMode.IMMEDIATE)
    last_digest_at: Mapped[dt.datetime | None]


class Notification(Base):
    """An in-site notice of a new post for one member: ``kind`` is "reply" or "mention".

    ``mailed_at`` is set when the post went out by mail (at once or in a digest).
    """

    __tablename__ = "forum_notifications"
    __table_args__ = (Index("ix_forum_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="reply")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
    mailed_at: Mapped[dt.datetime | None]

    post: Mapped[Post] = relationship()
    thread: Mapped[Thread] = relationship()
    user: Mapped[User] = relationship()


class Report(Base):
    """A member's report (melding) of a post, waiting in the moderation queue until resolved."""

    __tablename__ = "post_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class Suspension(Base):
    """A member may not post in the forums from ``created_at`` until ``ends_at`` (UTC)."""

    __tablename__ = "forum_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[dt.datetime]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])


class ModerationLog(Base):
    """One moderator action: ``action`` (pin, lock, move, rename, hide, ...) and its details."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
    thread: Mapped[Thread | None] = relationship()


class PrivacyOverride(Base):
    """The author ticked that the flagged data is not about a child or family, and posted.

    ``kinds`` lists the kinds of data the guard found (comma-separated); the data
    itself is not copied here (data minimisation).
    """

    __tablename__ = "privacy_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    kinds: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
