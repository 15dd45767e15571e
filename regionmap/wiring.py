"""What the regional map registers with the base: the region page's section, rules, search DDL."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the regional map into the base (``community.core.features``).

    On a region's page: its tandem of coordinators with their contact, its offer and its
    newest analyses. The rules that keep the map in templates; the full-text search
    objects the models do not describe; a member's directory entry in the data export and
    the erasure.
    """
    from regionmap import catalogue, directory, organisations, search
    from regionmap.sections import region_section

    features.add_section("region", "regionmap/_region_map.html", region_section, order=5)
    features.add_template_globals(
        can_keep_offer=catalogue.can_keep_offer,
        can_propose_offer=catalogue.can_propose_offer,
        can_keep_organisation=organisations.can_keep_organisation,
        can_keep_body=organisations.can_keep_body,
    )
    features.add_unmodelled(*search.UNMODELLED)
    features.add_export("member_directory", directory.export_directory_entry, order=40)
    features.add_erasure("member_directory", directory.erase_directory_entry, order=40)
