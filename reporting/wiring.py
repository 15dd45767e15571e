"""What reporting registers with the base: template rules, the template's default sections,
and its part of an account's deletion."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug reporting into the base (``community.core.features``).

    Template rules (statistics, progress reports); the small-cell rule as the filter
    ``figure``; the project group's closed forum in ``flask load-reference-data``; on
    deletion of an account its project-group place ends. (The progress-report template
    needs no reference data: without rows it is ``progress.DEFAULT_SECTIONS``.)
    """
    from reporting import (
        models,  # noqa: F401  (the tables, for the schema)
        progress,
        project_group,
    )
    from reporting.permissions import can_view_statistics
    from reporting.statistics import shown

    features.add_template_globals(
        can_view_statistics=can_view_statistics,
        can_view_progress_reports=progress.can_view_progress_reports,
    )
    features.add_template_filters(figure=shown)
    features.add_reference_data("project_group_forum", project_group.load_group_forum, order=60)
    features.add_erasure("project_group", progress.erase_project_group_role)
