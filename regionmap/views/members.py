"""The member directory: the list (members only), one's own entry, contact through the platform."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts.filters import region_arg
from community.accounts.models import Sector
from community.core.errors import DomainError
from community.core.extensions import db, limiter
from community.core.filters import choice_arg, page_arg
from regionmap.directory import (
    DirectoryFilter,
    can_use_directory,
    contact_member,
    entry_of,
    list_members,
    listed_entry,
    save_entry,
)
from regionmap.forms import ContactForm, DirectoryEntryForm
from regionmap.views import all_regions, bp, refuse_at, render_form


def _members_only() -> None:
    if not can_use_directory(current_user):
        abort(403)


@bp.get("/leden")
@login_required
def members():
    _members_only()
    wanted = DirectoryFilter(
        region=region_arg(request.args),
        sector=(sector.value if (sector := choice_arg(request.args, "sector", Sector)) else None),
        tag=" ".join(request.args.get("expertise", "").split())[:40],
        text=" ".join(request.args.get("q", "").split())[:100],
    )
    entries, total, pages = list_members(wanted, page_arg(request.args))
    args = {
        k: v for k, v in request.args.items() if k in ("regio", "sector", "expertise", "q") and v
    }
    return render_template(
        "regionmap/members.html",
        entries=entries,
        total=total,
        page=min(page_arg(request.args), pages),
        pages=pages,
        wanted=wanted,
        args=args,
        regions=all_regions(),
        sectors=list(Sector),
        own=entry_of(current_user),
    )


@bp.route("/leden/mijn-vermelding", methods=["GET", "POST"])
@login_required
def directory_entry():
    _members_only()
    entry = entry_of(current_user)
    form = DirectoryEntryForm()
    if request.method == "GET" and entry is not None:
        form.is_listed.data = entry.is_listed
        form.expertise.data = ", ".join(entry.expertise or [])
        form.about.data = entry.about
    if form.validate_on_submit():
        try:
            saved = save_entry(
                current_user,
                bool(form.is_listed.data),
                form.expertise.data or "",
                form.about.data or "",
            )
        except DomainError as error:
            refuse_at(form, error, default_field="expertise")
        else:
            db.session.commit()
            flash(
                _("Je staat in de ledenlijst.")
                if saved.is_listed
                else _("Je staat niet in de ledenlijst."),
                "success",
            )
            return redirect(url_for("regionmap.members"))
    return render_form("regionmap/directory_entry.html", form)


@bp.route("/leden/<int:user_id>/contact", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])  # a member's mailbox is no target for floods
def contact(user_id):
    _members_only()
    entry = listed_entry(user_id)
    if entry is None:
        abort(404)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact_member(current_user, entry, form.subject.data or "", form.message.data or "")
        except DomainError as error:
            refuse_at(form, error, default_field="message")
        else:
            db.session.commit()
            flash(_("Je bericht is verstuurd. Het antwoord komt in je eigen mailbox."), "success")
            return redirect(url_for("regionmap.members"))
    return render_form("regionmap/contact.html", form, entry=entry)
