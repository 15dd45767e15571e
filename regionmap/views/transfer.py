"""Import (preview, then commit), export of offer and organisations, HSDS open data."""

from __future__ import annotations

import base64
import binascii
import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Organisation, Region
from community.accounts.permissions import can_coordinate, coordinated_filter
from community.core.extensions import db
from community.core.pagecache.middleware import cached_page
from regionmap.forms import ImportCommitForm, ImportForm, fill_region_choices
from regionmap.hsds import HSDS_TABLES, hsds_csv, hsds_tables
from regionmap.models import Offer, OfferStatus
from regionmap.transfer import (
    SpreadsheetRefused,
    commit_import,
    csv_bytes,
    offer_rows,
    organisation_rows,
    preview_import,
    xlsx_bytes,
)
from regionmap.views import bp, kept_regions

_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _coordinator_only() -> None:
    if not can_coordinate(current_user):
        abort(403)


def _import_form() -> ImportForm:
    form = ImportForm()
    fill_region_choices(form.region, kept_regions(current_user))
    return form


@bp.route("/kaart/import", methods=["GET", "POST"])
@login_required
def import_preview():
    _coordinator_only()
    form = _import_form()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read() if upload else b""
        name = (getattr(upload, "filename", "") or "")[:200]
        region = db.session.get(Region, form.region.data) if form.region.data else None
        try:
            preview = preview_import(form.what.data, data, name, current_user, region)
        except SpreadsheetRefused as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            db.session.rollback()  # the preview writes nothing
            token = json.dumps(
                {
                    "what": form.what.data,
                    "region": region.id if region else None,
                    "name": name,
                    "data": base64.b64encode(data).decode(),
                }
            )
            commit_form = ImportCommitForm(token=token)
            return render_template(
                "regionmap/import_preview.html", preview=preview, form=commit_form, name=name
            )
    status = 422 if form.errors else 200
    return render_template("regionmap/import.html", form=form), status


@bp.post("/kaart/import/bevestigen")
@login_required
def import_commit():
    _coordinator_only()
    form = ImportCommitForm()
    if not form.validate_on_submit():
        flash(_("Dit importvoorstel is onvolledig; kies het bestand opnieuw."), "error")
        return render_template("regionmap/import.html", form=_import_form()), 422
    try:
        token = json.loads(form.token.data or "")
        data = base64.b64decode(token["data"], validate=True)
        what, name = str(token["what"]), str(token["name"])
        region = db.session.get(Region, int(token["region"])) if token.get("region") else None
        if what not in ("aanbod", "organisaties"):
            raise ValueError(what)
    except (ValueError, KeyError, TypeError, binascii.Error):
        flash(_("Dit importvoorstel is onleesbaar; kies het bestand opnieuw."), "error")
        return render_template("regionmap/import.html", form=_import_form()), 422
    try:
        result = commit_import(what, data, name, current_user, region)
    except SpreadsheetRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("regionmap/import.html", form=_import_form()), 422
    db.session.commit()
    flash(
        _(
            "Import klaar: %(created)s nieuw, %(changed)s gewijzigd, %(refused)s geweigerd.",
            created=result.count("create"),
            changed=result.count("change"),
            refused=result.count("refused"),
        ),
        "success",
    )
    return redirect(url_for("regionmap.keep"))


def _download(content: bytes, name: str, extension: str) -> Response:
    response = Response(content, content_type=_TYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@bp.get("/kaart/export/aanbod.<extension>")
@login_required
def export_offers(extension):
    """The offer of the regions the coordinator keeps, in the import format."""
    _coordinator_only()
    if extension not in _TYPES:
        abort(404)
    offers = db.session.scalars(
        select(Offer)
        .where(
            Offer.status != OfferStatus.PROPOSED, coordinated_filter(current_user, Offer.region_id)
        )
        .options(
            joinedload(Offer.region),
            joinedload(Offer.contact_organisation),
            selectinload(Offer.themes),
            selectinload(Offer.providers),
        )
        .order_by(Offer.region_id, Offer.title)
    ).all()
    rows = offer_rows(offers)
    content = csv_bytes(rows) if extension == "csv" else xlsx_bytes(rows, "aanbod")
    return _download(content, "aanbod", extension)


@bp.get("/kaart/export/organisaties.<extension>")
@login_required
def export_organisations(extension):
    """The organisations of the regions the coordinator keeps, in the import format."""
    _coordinator_only()
    if extension not in _TYPES:
        abort(404)
    organisations = db.session.scalars(
        select(Organisation)
        .where(coordinated_filter(current_user, Organisation.region_id))
        .options(joinedload(Organisation.region))
        .order_by(Organisation.name)
    ).all()
    rows = organisation_rows(organisations)
    content = csv_bytes(rows) if extension == "csv" else xlsx_bytes(rows, "organisaties")
    return _download(content, "organisaties", extension)


@bp.get("/open-data")
@cached_page("site")
def open_data():
    return render_template("regionmap/open_data.html", tables=list(HSDS_TABLES))


@bp.get("/open-data/hsds.json")
@cached_page("site")
def hsds_json():
    body = json.dumps(hsds_tables(), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json")


@bp.get("/open-data/hsds/<table>.csv")
@cached_page("site")
def hsds_table(table):
    if table not in HSDS_TABLES:
        abort(404)
    return Response(hsds_csv(table), content_type="text/csv; charset=utf-8")
