"""Models of reporting: the progress-report template, progress reports and final reports."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import Region, User
from community.core.db import Base, utcnow


class ProgressReportSection(Base):
    """One section of the progress-report template the admin sets ("what was done", ...).

    A new progress report copies the sections as they are then; changing the template
    later does not change reports already begun.
    """

    __tablename__ = "progress_report_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")


class ReportStatus(enum.StrEnum):
    """A progress report is drafted by the region's tandem, then submitted (read-only)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return str(REPORT_STATUS_LABELS[self])


REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: _l("ontwerp"),
    ReportStatus.SUBMITTED: _l("ingediend"),
}


class ProgressReport(Base):
    """A region's report to the project group for a period (voortgangsrapport).

    ``period_first``/``period_last`` are local dates (Europe/Brussels, both included).
    ``sections`` is a list of ``{"title", "guidance", "text"}`` copied from the template
    when the report was begun. ``figures`` holds the period's statistics as they were on
    submission (``reporting.progress.figures_snapshot``); while a draft they are computed
    live. ``revision`` grows with every save: a save based on an older revision is
    refused, so one of the tandem never overwrites the other's text unseen.
    """

    __tablename__ = "progress_reports"
    __table_args__ = (UniqueConstraint("region_id", "period_first", "period_last"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    period_first: Mapped[dt.date] = mapped_column(Date)
    period_last: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(String(20), default=ReportStatus.DRAFT)
    sections: Mapped[list] = mapped_column(JSON, default=list)
    figures: Mapped[dict | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]

    region: Mapped[Region] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label


class FinalReport(Base):
    """The project group's final report (eindrapport): editable text around chapters.

    ``chapters`` is a list of ``{"key", "title", "region_id" (None: across regions),
    "text"}``; the figures, progress reports and practices of each chapter are pulled in
    when the report is shown or exported (``reporting.final``), so they are always the
    current ones.
    """

    __tablename__ = "final_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
    period_first: Mapped[dt.date] = mapped_column(Date)
    period_last: Mapped[dt.date] = mapped_column(Date)
    chapters: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()
