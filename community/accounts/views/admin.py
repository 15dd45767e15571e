"""Admin pages: the list of users, one user's roles, (de)activation; mails that failed."""

from __future__ import annotations

from functools import wraps

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.accounts import auth
from community.accounts.auth import (
    SelfLockout,
)
from community.accounts.forms import (
    UserRolesForm,
    fill_role_choices,
)
from community.accounts.models import ProjectGroupRole, Region, Sector, User
from community.accounts.permissions import can_administer
from community.accounts.views import bp
from community.accounts.views.account import _form_page
from community.core.extensions import db
from community.core.forms import EmptyForm
from community.core.mail import outbox
from community.core.mail.models import OutboxMessage
from community.core.routing import safe_next


def admin_required(view):
    """Only admins: anonymous users go to the login page, other accounts get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/beheer/gebruikers")
@admin_required
def admin_users():
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.coordinated_regions), selectinload(User.organisation))
        .order_by(func.lower(User.display_name), User.id)
    ).all()
    return render_template("accounts/admin/users.html", users=users, form=EmptyForm())


@bp.route("/beheer/gebruikers/<int:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user(user_id: int):
    user = db.get_or_404(User, user_id)
    data = {
        "is_admin": user.is_admin,
        "regions": [r.id for r in user.coordinated_regions],
        "project_group_role": user.project_group_role or "",
    }
    form = UserRolesForm(data=data)
    fill_role_choices(form)
    if not form.validate_on_submit():
        sector = Sector(user.sector) if user.sector else None
        return _form_page(
            "accounts/admin/user.html", form, user=user, sector=sector, state_form=EmptyForm()
        )
    regions = db.session.scalars(select(Region).where(Region.id.in_(form.regions.data))).all()
    try:
        auth.set_roles(
            user,
            form.is_admin.data,
            regions,
            actor=current_user,
            project_group_role=ProjectGroupRole(form.project_group_role.data)
            if form.project_group_role.data
            else None,
        )
    except SelfLockout:
        flash(_("Je kunt jezelf de beheerdersrol niet afnemen."), "error")
        return redirect(url_for("accounts.admin_user", user_id=user.id))
    db.session.commit()
    flash(_("De rollen van %(name)s zijn bewaard.", name=user.display_name), "success")
    return redirect(url_for("accounts.admin_user", user_id=user.id))


def _set_active(user_id: int, is_active: bool):
    user = db.get_or_404(User, user_id)
    try:
        auth.set_active(user, is_active, actor=current_user)
    except SelfLockout:
        flash(_("Je kunt je eigen account niet deactiveren."), "error")
        return redirect(url_for("accounts.admin_users"))
    db.session.commit()
    if is_active:
        flash(_("Het account van %(name)s is weer actief.", name=user.display_name), "success")
    else:
        flash(_("Het account van %(name)s is gedeactiveerd.", name=user.display_name), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.admin_users"))


@bp.post("/beheer/gebruikers/<int:user_id>/deactiveren")
@admin_required
def admin_deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/beheer/gebruikers/<int:user_id>/activeren")
@admin_required
def admin_activate(user_id: int):
    return _set_active(user_id, True)


@bp.get("/beheer/mails")
@admin_required
def admin_mails():
    """The mails that could not be sent (issue 13, item 10): where to, what, why."""
    return render_template(
        "accounts/admin/mails.html",
        mails=outbox.failed_mails(),
        domain=outbox.recipient_domain,
        error=outbox.error_summary,
        form=EmptyForm(),
    )


@bp.post("/beheer/mails/<int:message_id>/opnieuw")
@admin_required
def admin_mail_retry(message_id: int):
    """Send a failed mail again (after the cause is gone); back to the list."""
    message = db.get_or_404(OutboxMessage, message_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outbox.retry_mail(message)
    except outbox.MailNotFailed as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.admin_mails"))
    db.session.commit()
    flash(_("De mail wordt opnieuw verstuurd."), "success")
    return redirect(url_for("accounts.admin_mails"))
