"""Library pages: the list (filters, search), a material, sharing, editing, versions, downloads."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from community.accounts.models import Region, Theme
from community.accounts.permissions import audience_of, can_contribute_to_project_group
from community.core.extensions import db, login_manager
from community.core.filters import InvalidFilter, choice_arg, page_arg
from community.core.forms import EmptyForm
from community.core.fragments import render_shared
from community.core.pagecache.middleware import cached_page
from community.core.storage.local import get_storage
from community.library.downloads import count_download, settle
from community.library.forms import MaterialForm, MaterialVersionForm, fill_material_choices
from community.library.materials import (
    INLINE_TYPES,
    MaterialFields,
    MaterialSort,
    add_material_version,
    can_edit_material,
    can_upload_material,
    can_view_material,
    create_material,
    material_filters,
    remove_material,
    search_materials,
    served_type,
    update_material,
)
from community.library.models import Licence, Material, MaterialTag, MaterialType, MaterialVersion
from community.library.uploads import UploadRefused, read_upload
from community.library.views import bp, material_options

PER_PAGE = 30


# --- shared helpers ------------------------------------------------------------------


def too_large(error: RequestEntityTooLarge):
    """Return the 413 page naming the upload limit in MB (issue 6, "Uploads, done safely")."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _(
        "Het bestand is te groot: je kan hoogstens %(mb)s MB opladen. Kies een kleiner bestand.",
        mb=round(limit / (1024 * 1024), 1) if limit else "?",
    )
    return render_template("errors/413.html", message=message), 413


bp.register_error_handler(RequestEntityTooLarge, too_large)


def ascii_file_name(name: str, stem_fallback: str = "bestand") -> str:
    """Return a readable ASCII stand-in for the file name ``name``, extension kept.

    Accents are dropped ("coördinatoren.pdf" -> "coordinatoren.pdf"); quotes,
    backslashes and control characters go. When nothing readable is left of the
    name before the extension (a name in Cyrillic, Greek, Chinese...), it becomes
    ``stem_fallback``: "Доклад.pdf" -> "bestand.pdf", never ".pdf", which clients
    save as a hidden file without a name. An extension is kept when it is ASCII letters
    and digits (at most 10).
    """

    def ascii_only(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        text = "".join(ch for ch in text if ch.isprintable() and ch not in '"\\')
        return " ".join(text.split())

    stem, dot, extension = name.rpartition(".")
    if not dot or not (extension.isascii() and extension.isalnum() and len(extension) <= 10):
        stem, extension = name, ""  # no extension ("Verslag", "v1.0 definitief")
    stem = ascii_only(stem).strip(" .-_")
    if not any(ch.isalnum() for ch in stem):
        stem = stem_fallback
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str, inline: bool) -> str:
    """Return a Content-Disposition value with an ASCII ``filename`` and RFC 6266 ``filename*``.

    RFC 6266 section 4.3 / RFC 8187: ``filename*=UTF-8''`` with percent-encoded
    UTF-8 keeps "Aanbevelingen coördinatoren.pdf" intact; ``filename`` is the
    ASCII fallback for old clients (:func:`ascii_file_name`: "bestand.pdf" for a
    name with no Latin letters).
    """
    kind = "inline" if inline else "attachment"
    fallback = ascii_file_name(name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored_file(key: str, name: str, content_type: str | None, private: bool):
    """Return the response for a stored file: safe type, nosniff, RFC 6266 name; 404 if gone.

    Never ``text/html`` or ``image/svg+xml`` (shared/cases K3); PDF and images
    inline, the rest as attachment. ``private`` files are not kept in shared caches.
    """
    try:
        path = get_storage().path(key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    mimetype = served_type(content_type)
    response = send_file(path, mimetype=mimetype, conditional=True)
    response.headers["Content-Disposition"] = content_disposition(
        name or "bestand", inline=mimetype in INLINE_TYPES
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def get_material_or_404(slug: str, edit: bool = False, full: bool = True) -> Material:
    """Return the material ``slug``; 404 when unknown, login when members-only, 403 when ``edit``
    is asked by someone who may not edit it. ``full=False`` loads the row alone (a download
    needs no themes, tags, region or organisation: one query instead of three)."""
    query = select(Material).where(Material.slug == slug)
    if full:
        query = query.options(*material_options())
    material = db.first_or_404(query)
    if not can_view_material(current_user, material):
        if material.is_project_group:  # the group's: no trace for others (issue 18)
            abort(404)
        abort(login_manager.unauthorized())
    if edit and not can_edit_material(current_user, material):
        abort(403)
    return material


def material_fields(form: MaterialForm) -> MaterialFields:
    """Return the describing fields of a validated :class:`MaterialForm`."""
    themes = []
    if form.themes.data:
        themes = db.session.scalars(
            select(Theme).where(Theme.id.in_(form.themes.data)).order_by(Theme.number)
        ).all()
    region = db.session.get(Region, form.region.data) if form.region.data else None
    return MaterialFields(
        title=form.title.data.strip(),
        description=(form.description.data or "").strip(),
        type=MaterialType(form.type.data),
        themes=themes,
        region=region,
        tags=form.tags.data or "",
        language=form.language.data,
        licence=Licence(form.licence.data),
        is_public=form.visibility.data == "public",
        is_project_group=form.visibility.data == "project_group",
    )


def refuse(form, error: UploadRefused) -> None:
    """Undo what the request added and show ``error`` at its field of ``form``."""
    db.session.rollback()
    target = getattr(form, error.field, None) or form.file
    target.errors = [*target.errors, str(error.message)]


# --- the library -----------------------------------------------------------------------


@dataclass
class LibraryFilters:
    """The library's query arguments, resolved against already loaded choices (no queries)."""

    text: str = ""
    region: Region | None = None
    theme: Theme | None = None
    type: MaterialType | None = None
    tag: MaterialTag | None = None
    sort: MaterialSort = MaterialSort.NEWEST
    page: int = 1
    extra: dict[str, str] = field(default_factory=dict)

    # The parameters from_args reads besides the registered filters' (the page cache keys on them).
    PARAMS: ClassVar[tuple[str, ...]] = ("q", "regio", "thema", "type", "tag", "sorteer", "pagina")

    @classmethod
    def from_args(cls, args: MultiDict, regions, themes, tags, extra_choices) -> LibraryFilters:
        """Read ``q``, ``regio``, ``thema``, ``type``, ``tag``, ``sorteer``, ``pagina`` and the
        registered filters; raises ``InvalidFilter`` for a value that is not among the choices."""

        def pick(name, rows, key):
            value = args.get(name, "").strip()
            if not value:
                return None
            for row in rows:
                if str(key(row)) == value:
                    return row
            raise InvalidFilter(name, value[:60])

        extra = {}
        for material_filter in material_filters():
            value = args.get(material_filter.parameter, "").strip()
            if value:
                if value not in {v for v, _ in extra_choices[material_filter.parameter]}:
                    raise InvalidFilter(material_filter.parameter, value[:60])
                extra[material_filter.parameter] = value
        page = page_arg(args)
        if page > 10_000:
            raise InvalidFilter("pagina", str(page))
        return cls(
            text=" ".join(args.get("q", "").split())[:200],
            region=pick("regio", regions, lambda r: r.slug),
            theme=pick("thema", themes, lambda t: t.number),
            type=choice_arg(args, "type", MaterialType),
            tag=pick("tag", tags, lambda t: t.slug),
            sort=choice_arg(args, "sorteer", MaterialSort) or MaterialSort.NEWEST,
            page=int(page),
            extra=extra,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.text or self.region or self.theme or self.type or self.tag or self.extra)

    def args(self, **changes) -> dict:
        """Return the query arguments of these filters (for links), with ``changes`` applied."""
        values = {
            "q": self.text,
            "regio": self.region.slug if self.region else "",
            "thema": self.theme.number if self.theme else "",
            "type": self.type.value if self.type else "",
            "tag": self.tag.slug if self.tag else "",
            "sorteer": self.sort.value if self.sort != MaterialSort.NEWEST else "",
            **self.extra,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


def _library_params() -> tuple[str, ...]:
    """The query parameters of the library page: its own and the registered filters'."""
    return (*LibraryFilters.PARAMS, *(f.parameter for f in material_filters()))


@bp.get("/materiaal")
@cached_page("library", "members", "site", params=_library_params)
def materials():
    # The same for everyone of the visitor's audience (issue 14); the "activity" filter
    # lists activities, hence "events".
    return render_shared(
        "library/materials.html",
        ("events", "library", "members", "site"),
        _materials_context,
        audience=audience_of(current_user),
    )


def _materials_context() -> dict:
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    tags = db.session.scalars(select(MaterialTag).order_by(MaterialTag.slug)).all()
    extra_choices = {f.parameter: f.choices(current_user) for f in material_filters()}
    filters = LibraryFilters.from_args(request.args, regions, themes, tags, extra_choices)
    criteria = [
        f.criterion(current_user, filters.extra[f.parameter])
        for f in material_filters()
        if f.parameter in filters.extra
    ]
    query = search_materials(
        current_user,
        text=filters.text,
        region=filters.region,
        theme=filters.theme,
        type=filters.type,
        tag=filters.tag,
        criteria=criteria,
        sort=filters.sort,
    )
    offset = (filters.page - 1) * PER_PAGE
    rows = db.session.scalars(
        query.options(*material_options()).offset(offset).limit(PER_PAGE + 1)
    ).all()
    return {
        "materials": rows[:PER_PAGE],
        "has_next": len(rows) > PER_PAGE,
        "filters": filters,
        "regions": regions,
        "themes": themes,
        "tags": tags,
        "types": list(MaterialType),
        "extra_filters": [(f, extra_choices[f.parameter]) for f in material_filters()],
        "sorts": list(MaterialSort),
    }


@bp.get("/materiaal/<slug>")
def material(slug):
    material = get_material_or_404(slug)
    settle(material)  # the "Downloads" figure counts every download so far
    return render_template(
        "library/material.html",
        material=material,
        version_form=MaterialVersionForm(),
        remove_form=EmptyForm(),
    )


# --- sharing and editing ------------------------------------------------------------------


@bp.route("/materiaal/nieuw", methods=["GET", "POST"])
@login_required
def material_new():
    if not can_upload_material(current_user):
        abort(403)
    form = MaterialForm()
    fill_material_choices(form, project_group=can_contribute_to_project_group(current_user))
    if form.validate_on_submit():
        try:
            material = create_material(
                current_user,
                material_fields(form),
                upload=read_upload(form.file.data),
                url=(form.url.data or "").strip() or None,
            )
        except UploadRefused as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("Het materiaal is gedeeld."), "success")
            return redirect(url_for("library.material", slug=material.slug))
    status = 422 if form.errors else 200
    return render_template("library/material_form.html", form=form, material=None), status


@bp.route("/materiaal/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def material_edit(slug):
    material = get_material_or_404(slug, edit=True)
    form = MaterialForm(obj=material if request.method == "GET" else None)
    fill_material_choices(form, project_group=can_contribute_to_project_group(current_user))
    if request.method == "GET":
        form.themes.data = [t.id for t in material.themes]
        form.region.data = material.region_id
        form.tags.data = ", ".join(t.name for t in material.tags)
        form.visibility.data = (
            "project_group"
            if material.is_project_group
            else ("public" if material.is_public else "members")
        )
    if form.validate_on_submit():
        try:
            url = (form.url.data or "").strip() or None
            update_material(material, material_fields(form), url=url)
        except UploadRefused as error:
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("De wijzigingen zijn bewaard."), "success")
            return redirect(url_for("library.material", slug=material.slug))
    status = 422 if form.errors else 200
    return render_template("library/material_form.html", form=form, material=material), status


@bp.post("/materiaal/<slug>/versies")
@login_required
def material_version_new(slug):
    material = get_material_or_404(slug, edit=True)
    form = MaterialVersionForm()
    if form.validate_on_submit():
        try:
            upload = read_upload(form.file.data)
            if upload is None:
                raise UploadRefused(_("Kies het nieuwe bestand."))
            add_material_version(material, current_user, upload, note=form.note.data or "")
        except UploadRefused as error:
            refuse(form, error)
            material = get_material_or_404(slug, edit=True)
        else:
            db.session.commit()
            flash(_("De nieuwe versie is opgeladen."), "success")
            return redirect(url_for("library.material", slug=material.slug))
    return render_template(
        "library/material.html", material=material, version_form=form, remove_form=EmptyForm()
    ), 422


@bp.post("/materiaal/<slug>/verwijderen")
@login_required
def material_remove(slug):
    material = get_material_or_404(slug, edit=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    title = material.title
    remove_material(material)
    db.session.commit()
    flash(_("„%(title)s” is verwijderd.", title=title), "success")
    return redirect(url_for("library.materials"))


# --- downloads -------------------------------------------------------------------------


@bp.get("/materiaal/<slug>/download")
def material_download(slug):
    material = get_material_or_404(slug, full=False)
    if not material.file_key:
        if not (material.url or "").startswith(("https://", "http://")):
            abort(404)
        response = redirect(material.url)
    else:
        response = send_stored_file(
            material.file_key,
            material.file_name or material.slug,
            material.content_type,
            private=not material.is_public,
        )
    count_download(material)  # no write here (community.library.downloads)
    return response


@bp.get("/materiaal/<slug>/versies/<int:number>")
def material_version_download(slug, number):
    material = get_material_or_404(slug)
    version = db.first_or_404(
        select(MaterialVersion).where(
            MaterialVersion.material_id == material.id, MaterialVersion.number == number
        )
    )
    return send_stored_file(
        version.file_key, version.file_name, version.content_type, private=not material.is_public
    )
