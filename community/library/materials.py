"""Materials: who may see and change them, uploading, versions, removal, search, downloads."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from community.accounts.models import Organisation, Region, Theme, User
from community.accounts.permissions import (
    can_coordinate_in,
    can_post,
    can_read_members_content,
    is_project_group_member,
    is_signed_in,
    project_group_filter,
)
from community.core.db import utcnow
from community.core.extensions import db
from community.core.features import features
from community.core.locks import lock_for_update
from community.core.markup import render_markdown
from community.core.storage.hooks import release_file, store_file
from community.core.text import fold
from community.core.text import slugify as text_slugify
from community.library.models import Licence, Material, MaterialTag, MaterialType, MaterialVersion
from community.library.uploads import (
    PDF,
    CheckedFile,
    UploadRefused,
    check_web_link,
    extract_pdf_text,
)

log = logging.getLogger(__name__)

# Shown in the browser rather than downloaded (all other files are attachments).
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")
# Never sent with their own type, whatever a row says (shared/cases K3).
NEVER_SERVED_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")

FILE_OR_LINK = _l("Kies een bestand of geef een webkoppeling (niet allebei).")
MAX_TAGS = 10
MAX_TAG_LENGTH = 40


class MaterialSort(enum.StrEnum):
    """Orders of the library page: newest first, or most downloaded first."""

    NEWEST = "nieuw"
    MOST_DOWNLOADED = "downloads"


# --- permissions ---------------------------------------------------------------


def can_view_material(user, material: Material) -> bool:
    """True when ``user`` may see ``material``: public ones for all, the rest for members;
    the project group's materials for its members only (issue 18)."""
    if material.is_project_group:
        return is_project_group_member(user)
    return material.is_public or can_read_members_content(user)


def visible_materials_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the materials ``user`` may see (see can_view_material)."""
    group = project_group_filter(user, Material.is_project_group)
    if can_read_members_content(user):
        return group
    return and_(Material.is_public.is_(True), group)


def can_upload_material(user) -> bool:
    """True when ``user`` may share material: signed in with a verified e-mail (issue 6)."""
    return can_post(user)


def can_edit_material(user, material: Material) -> bool:
    """True when ``user`` may edit, version or remove ``material``.

    Issue 6, "Materials": the uploader, the coordinators of the material's
    region (``can_coordinate_in``: a material of no region is the network-wide
    pseudo-region's), and admins. Unverified or deactivated accounts may not.
    """
    if not is_signed_in(user):
        return False
    if can_coordinate_in(user, material.region_id):
        return True
    return material.uploader_id is not None and material.uploader_id == user.id and can_post(user)


# --- helpers -------------------------------------------------------------------


def make_slug(text: str, max_length: int = 100) -> str:
    """Return a lowercase ASCII slug of ``text`` ("Coördinatie – 2026" → "coordinatie-2026")."""
    return text_slugify(text, max_length=max_length, fallback="item")


def unique_slug(model, text: str) -> str:
    """Return a slug of ``text`` that no ``model`` row uses yet ("rapport", "rapport-2", ...)."""
    base = make_slug(text)
    taken = set(
        db.session.scalars(
            select(model.slug).where(or_(model.slug == base, model.slug.like(f"{base}-%")))
        )
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def tags_from_text(text: str) -> list[MaterialTag]:
    """Return the tags named in ``text`` (comma-separated), adding the new ones to the database.

    Names are trimmed and cut to :data:`MAX_TAG_LENGTH` characters; the slug
    (lowercase ASCII) identifies a tag, so "NAFT" and "naft" are one tag. At
    most :data:`MAX_TAGS` tags; duplicates and empty names are dropped.
    """
    wanted: dict[str, str] = {}
    for raw in (text or "").split(","):
        name = " ".join(raw.split())[:MAX_TAG_LENGTH].strip()
        if name:
            wanted.setdefault(make_slug(name, 60), name)
        if len(wanted) >= MAX_TAGS:
            break
    if not wanted:
        return []
    tags = {
        tag.slug: tag
        for tag in db.session.scalars(select(MaterialTag).where(MaterialTag.slug.in_(wanted)))
    }
    new = [{"slug": slug, "name": name} for slug, name in wanted.items() if slug not in tags]
    if new:
        # Two materials may bring the same new tag at the same moment: the second insert
        # waits for the first and leaves its row (no unique violation), then both read it.
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(MaterialTag).values(new).on_conflict_do_nothing())
        added = select(MaterialTag).where(MaterialTag.slug.in_([tag["slug"] for tag in new]))
        tags.update((tag.slug, tag) for tag in db.session.scalars(added))
    return [tags[slug] for slug in wanted]


@dataclass(frozen=True)
class MaterialFields:
    """The describing fields of a material, as the form gives them (issue 6, "Materials")."""

    title: str
    description: str = ""
    type: MaterialType = MaterialType.OTHER
    themes: Sequence[Theme] = ()
    region: Region | None = None
    tags: str = ""
    language: str = "nl"
    licence: Licence = Licence.CC_BY
    is_public: bool = True
    is_project_group: bool = False


def _apply_fields(material: Material, fields: MaterialFields) -> None:
    material.title = fields.title.strip()
    material.description = fields.description or ""
    material.description_html = render_markdown(material.description)
    material.type = MaterialType(fields.type)
    material.themes = list(fields.themes)
    material.region = fields.region
    material.tags = tags_from_text(fields.tags)
    material.language = fields.language
    material.licence = Licence(fields.licence).value
    # A material of the project group is never public (issue 18).
    material.is_project_group = fields.is_project_group
    material.is_public = fields.is_public and not fields.is_project_group


def _set_current_file(material: Material, version: MaterialVersion) -> None:
    material.file_key = version.file_key
    material.file_name = version.file_name
    material.content_type = version.content_type
    material.file_size = version.size
    material.file_text = version.text


def _new_version(
    session: Session, material: Material, uploader: User | None, upload: CheckedFile, note: str
) -> MaterialVersion:
    key = store_file(session, upload.data)
    text = extract_pdf_text(upload.data) if upload.kind is PDF else ""
    number = 1 + max((v.number for v in material.versions), default=0)
    version = MaterialVersion(
        number=number,
        file_key=key,
        file_name=upload.name,
        content_type=upload.kind.mime,
        size=upload.size,
        text=text,
        note=(note or "").strip()[:300],
        uploader=uploader,
        uploaded_at=utcnow(),
    )
    material.versions.append(version)
    _set_current_file(material, version)
    return version


# --- domain functions ------------------------------------------------------------


def create_material(
    uploader: User | None,
    fields: MaterialFields,
    *,
    upload: CheckedFile | None = None,
    url: str | None = None,
    organisation: Organisation | None = None,
    slug: str | None = None,
) -> Material:
    """Add a material with a file (``upload``, as :func:`check_upload` accepted it) or a link.

    The file is written first under its content key, then the row and its
    first version are flushed; when the transaction does not commit, a file
    this call created is removed again (``community.core.storage.hooks``). ``slug`` is
    made from the title when not given. The organisation defaults to the
    uploader's. Raises ``UploadRefused`` for both or neither of file and link,
    or a link that is not http(s); ``IntegrityError`` from the flush (e.g. a
    ``slug`` in use). Returns the new material (flushed, not committed).
    """
    if (upload is None) == (not url):
        raise UploadRefused(FILE_OR_LINK)
    material = Material(
        slug=slug or unique_slug(Material, fields.title),
        uploader=uploader,
        organisation=organisation or (uploader.organisation if uploader else None),
    )
    _apply_fields(material, fields)
    if upload is not None:
        _new_version(db.session, material, uploader, upload, note="")
    else:
        material.url = check_web_link(url)
    db.session.add(material)
    db.session.flush()
    log.info("material %s added by user %s", material.slug, uploader.id if uploader else None)
    return material


def update_material(material: Material, fields: MaterialFields, url: str | None = None) -> None:
    """Change the describing fields of ``material``; a link material may get a new ``url``.

    Raises ``UploadRefused`` for a link that is not http(s). Flushes. Takes
    ``material``'s row lock first: the form sent twice at once saves twice, in turn.
    """
    lock_for_update(material)
    _apply_fields(material, fields)
    if material.file_key is None and url is not None:
        material.url = check_web_link(url)
    db.session.flush()
    log.info("material %s edited", material.slug)


def add_material_version(
    material: Material, uploader: User | None, upload: CheckedFile, note: str = ""
) -> MaterialVersion:
    """Add ``upload`` as the newest version of ``material``; earlier versions stay listed.

    A link material becomes a file material. Returns the new version (flushed). Takes
    ``material``'s row lock first, so two uploads at once get numbers one after the other.
    """
    lock_for_update(material)
    version = _new_version(db.session, material, uploader, upload, note)
    material.url = None
    db.session.flush()
    log.info("material %s: version %s added", material.slug, version.number)
    return version


def remove_material(material: Material) -> None:
    """Delete ``material`` with its versions; after the commit, files no row refers to go too."""
    keys = {v.file_key for v in material.versions} | {material.file_key}
    slug = material.slug
    db.session.delete(material)
    db.session.flush()
    for key in keys:
        release_file(db.session, key)
    log.info("material %s removed", slug)


def served_type(content_type: str | None) -> str:
    """Return the Content-Type to send for a stored file: never HTML or SVG (shared/cases K3)."""
    value = (content_type or "").split(";")[0].strip().lower()
    if not value or value in NEVER_SERVED_TYPES or value.startswith("text/"):
        return "application/octet-stream"
    return value


def is_inline(material) -> bool:
    """True when the file is a PDF or an image, shown in the browser instead of saved."""
    return served_type(material.content_type) in INLINE_TYPES


# --- library: filters and search --------------------------------------------------


@dataclass(frozen=True)
class MaterialFilter:
    """A library filter a feature package registers (``events`` adds "activiteit").

    ``choices(user)`` returns (value, label) pairs for the select (one query);
    ``criterion(user, value)`` returns a WHERE clause on ``Material``.
    """

    parameter: str
    label: object
    choices: Callable[[object], list[tuple[str, str]]]
    criterion: Callable[[object, str], ColumnElement[bool]]
    order: int = 50


def material_filters() -> list[MaterialFilter]:
    """Return the library filters the features registered, in their order."""
    return sorted(features().material_filters, key=lambda f: (f.order, f.parameter))


def search_materials(
    user,
    *,
    text: str = "",
    region: Region | None = None,
    theme: Theme | None = None,
    type: MaterialType | None = None,
    tag: MaterialTag | None = None,
    criteria: Iterable[ColumnElement[bool]] = (),
    sort: MaterialSort = MaterialSort.NEWEST,
) -> Select:
    """Return a SELECT of the materials ``user`` may see that match every given filter.

    ``text``: every word must occur in the title, the description or the text of
    the current PDF, ignoring accents and case (``fold``: "coordinatie" finds
    "Coördinatie"; ``%`` and ``_`` taken literally).
    ``criteria``: extra clauses from registered filters. Sorted newest first
    or most downloaded first (ties: newest). Issue 6, "Library page".
    """
    query = select(Material).where(visible_materials_filter(user), *criteria)
    for word in fold(text or "").split()[:10]:
        query = query.where(Material.search_text.contains(word, autoescape=True))
    if region is not None:
        query = query.where(Material.region_id == region.id)
    if theme is not None:
        query = query.where(Material.themes.any(Theme.id == theme.id))
    if type is not None:
        query = query.where(Material.type == type)
    if tag is not None:
        query = query.where(Material.tags.any(MaterialTag.id == tag.id))
    order = [Material.created_at.desc(), Material.id.desc()]
    if sort == MaterialSort.MOST_DOWNLOADED:
        order.insert(0, Material.download_count.desc())
    return query.order_by(*order)


def count_rows(query: Select) -> int:
    """Return the number of rows ``query`` selects (one COUNT query)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
