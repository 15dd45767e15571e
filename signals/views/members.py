"""Members' pages: the list, report a signal, my signals, a signal, recognise, follow, withdraw,
link (personal-data guard first)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Sector
from community.core.extensions import db
from community.core.filters import choice_arg, page_arg
from community.core.forms import EmptyForm
from community.library.models import Practice
from events.models import Event
from forums.models import Thread
from forums.pii_guard import highlight
from regionmap.models import AnalysisPoint, PointKind
from signals import reporting
from signals.errors import SignalError
from signals.forms import LinkForm, RecognitionForm, SignalForm
from signals.listing import SignalFilter, signals_query
from signals.models import LinkKind, LogEntry, Signal, SignalFollow, State
from signals.permissions import can_edit_signal
from signals.privacy import REFUSED, PersonalDataFound
from signals.views import (
    SIGNALS_PER_PAGE,
    bp,
    get_signal_or_404,
    regions_and_themes,
    reporter_name,
    require_member,
)


def privacy_context(error) -> dict:
    """Highlights of personal data per field for a refused text (``forums.pii_guard``)."""
    if not isinstance(error, PersonalDataFound):
        return {}
    return {
        "highlights": {name: highlight(*found) for name, found in error.by_field.items()},
        "privacy_needed": True,
    }


def _signal_input(form: SignalForm, regions) -> reporting.SignalInput:
    themes = [t for t in regions_and_themes()[1] if t.id in (form.themes.data or [])]
    return reporting.SignalInput(
        title=form.title.data or "",
        description=form.description.data or "",
        region=next((r for r in regions if r.id == form.region.data), None),
        themes=themes,
        age_group=form.age_group.data or None,
        municipality=form.municipality.data or "",
        sectors=[Sector(v) for v in form.sectors.data or []],
        services=form.services.data or "",
        frequency=form.frequency.data or None,
        tried=form.tried.data or "",
        would_help=form.would_help.data or "",
        is_name_shared=bool(form.is_name_shared.data),
    )


def _form_page(form, signal=None, status=200, error=None, privacy=None):
    page = render_template(
        "signals/form.html", form=form, signal=signal, error=error, **(privacy or {})
    )
    return page, status


@bp.route("/signalen")
def index():
    require_member()
    chosen = SignalFilter(
        text=request.args.get("q", "").strip()[:100],
        region=region_arg(request.args),
        theme=theme_arg(request.args),
        sector=choice_arg(request.args, "sector", Sector),
        state=choice_arg(request.args, "fase", State),
    )
    page = page_arg(request.args)
    pagination = db.paginate(signals_query(chosen), page=page, per_page=SIGNALS_PER_PAGE)
    regions, themes = regions_and_themes()
    return render_template(
        "signals/index.html",
        signals=pagination.items,
        pagination=pagination,
        chosen=chosen,
        regions=regions,
        themes=themes,
        sectors=list(Sector),
        states=list(State),
    )


@bp.route("/signalen/nieuw", methods=["GET", "POST"])
def new():
    require_member()
    regions, themes = regions_and_themes()
    form = SignalForm()
    form.fill_choices([r for r in regions if not r.is_network_wide], themes)
    if request.method == "GET":
        form.region.data = form.region.data or current_user.region_id
        return _form_page(form)
    if not form.validate():
        return _form_page(form, status=422)
    try:
        data = _signal_input(form, regions)
        signal = reporting.report_signal(
            current_user, data, privacy_confirmed=bool(form.privacy_confirmed.data)
        )
    except REFUSED as error:
        db.session.rollback()
        return _form_page(
            form, status=error.status, error=error.message, privacy=privacy_context(error)
        )
    db.session.commit()
    flash(_("Bedankt: je signaal is gemeld. Je krijgt mail als er iets mee gebeurt."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


@bp.route("/signalen/<int:signal_id>/bewerken", methods=["GET", "POST"])
def edit(signal_id):
    signal = get_signal_or_404(signal_id)
    if not can_edit_signal(current_user, signal):
        abort(403)
    regions, themes = regions_and_themes()
    form = SignalForm(obj=signal) if request.method == "GET" else SignalForm()
    form.fill_choices([r for r in regions if not r.is_network_wide], themes)
    if request.method == "GET":
        form.region.data = signal.region_id
        form.themes.data = [t.id for t in signal.themes]
        form.sectors.data = [s.value for s in signal.sector_list]
        return _form_page(form, signal)
    if not form.validate():
        return _form_page(form, signal, 422)
    try:
        reporting.edit_signal(
            signal,
            current_user,
            _signal_input(form, regions),
            privacy_confirmed=bool(form.privacy_confirmed.data),
        )
    except REFUSED as error:
        db.session.rollback()
        return _form_page(form, signal, error.status, error.message, privacy_context(error))
    db.session.commit()
    flash(_("Het signaal is aangepast."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


@bp.route("/signalen/mijn")
def mine():
    require_member()
    signals = db.session.scalars(
        select(Signal)
        .where(Signal.reporter_id == current_user.id)
        .order_by(Signal.created_at.desc(), Signal.id.desc())
    ).all()
    followed = db.session.scalars(
        select(Signal)
        .join(SignalFollow, SignalFollow.signal_id == Signal.id)
        .where(SignalFollow.user_id == current_user.id, Signal.reporter_id != current_user.id)
        .order_by(Signal.created_at.desc())
    ).all()
    return render_template("signals/mine.html", signals=signals, followed=followed)


def detail_context(signal: Signal) -> dict:
    """What the page of ``signal`` shows: the log (its own and its bundle's), links, follow."""
    owners = [LogEntry.signal_id == signal.id]
    if signal.bundle_id is not None:
        owners.append(LogEntry.bundle_id == signal.bundle_id)
    log_entries = db.session.scalars(
        select(LogEntry).where(db.or_(*owners)).order_by(LogEntry.at, LogEntry.id)
    ).all()
    targets = {
        LinkKind.THREAD: Thread,
        LinkKind.EVENT: Event,
        LinkKind.PRACTICE: Practice,
        LinkKind.GAP: AnalysisPoint,
    }
    links = []
    for link in signal.links:
        model = targets[LinkKind(link.kind)]
        target = db.session.get(
            model,
            link.thread_id or link.event_id or link.practice_id or link.analysis_point_id,
        )
        if target is not None:
            links.append((LinkKind(link.kind), target))
    recognised = any(r.user_id == current_user.id for r in signal.recognitions)
    return {
        "signal": signal,
        "log_entries": log_entries,
        "links": links,
        "reporter": reporter_name(signal),
        "is_following": reporting.is_following(signal, current_user),
        "has_recognised": recognised,
        "recognition_form": RecognitionForm(),
        "link_form": LinkForm(),
        "empty_form": EmptyForm(),
    }


@bp.route("/signalen/<int:signal_id>")
def detail(signal_id):
    signal = get_signal_or_404(signal_id)
    return render_template("signals/detail.html", **detail_context(signal))


def _detail_with_error(signal, error, status, **extra):
    context = detail_context(signal)
    context.update(extra)
    return render_template("signals/detail.html", error=error, **context), status


@bp.route("/signalen/<int:signal_id>/herkennen", methods=["POST"])
def recognise(signal_id):
    signal = get_signal_or_404(signal_id)
    form = RecognitionForm()
    if not form.validate():
        return _detail_with_error(signal, _("Het formulier is verlopen. Probeer opnieuw."), 422)
    try:
        reporting.recognise(
            signal,
            current_user,
            form.context.data or "",
            privacy_confirmed=bool(form.privacy_confirmed.data),
        )
    except REFUSED as error:
        db.session.rollback()
        signal = get_signal_or_404(signal_id)
        return _detail_with_error(
            signal, error.message, error.status, recognition_form=form, **privacy_context(error)
        )
    db.session.commit()
    flash(_("Bedankt: je herkenning is bijgeteld. Je volgt nu dit signaal."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


@bp.route("/signalen/<int:signal_id>/<any(volgen, ontvolgen):action>", methods=["POST"])
def follow(signal_id, action):
    signal = get_signal_or_404(signal_id)
    if action == "volgen":
        reporting.follow(signal, current_user)
        message = _("Je volgt dit signaal: je krijgt mail bij nieuws.")
    else:
        reporting.unfollow(signal, current_user)
        message = _("Je volgt dit signaal niet meer.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


@bp.route("/signalen/<int:signal_id>/intrekken", methods=["POST"])
def withdraw(signal_id):
    signal = get_signal_or_404(signal_id)
    try:
        reporting.withdraw_signal(signal, current_user)
    except REFUSED as error:
        db.session.rollback()
        return _detail_with_error(get_signal_or_404(signal_id), error.message, error.status)
    db.session.commit()
    flash(
        _("Je signaal is ingetrokken. Het blijft bewaard, maar wordt niet verder behandeld."),
        "success",
    )
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


def _link_target(address: str):
    """Return (kind, object) for the address of a thread, activity or practice on this site,
    or of a gap of a regional analysis (``/omgevingsanalyse/<id>#punt-<point id>``, the
    stable anchor of ``regionmap``).

    Raises ``SignalError`` (422) for anything else.
    """
    parts = urlsplit(address or "")
    path = parts.path
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, values = adapter.match(path, method="GET")
    except (NotFound, RequestRedirect, Exception):  # noqa: BLE001 - any unreadable address
        endpoint, values = "", {}
    if endpoint == "forums.thread":
        thread = db.session.get(Thread, values["thread_id"])
        if thread is not None:
            return LinkKind.THREAD, thread
    if endpoint == "events.detail":
        event = db.session.scalar(select(Event).where(Event.slug == values["slug"]))
        if event is not None:
            return LinkKind.EVENT, event
    if endpoint == "library.practice":
        practice = db.session.scalar(select(Practice).where(Practice.slug == values["slug"]))
        if practice is not None:
            return LinkKind.PRACTICE, practice
    if endpoint == "regionmap.analysis" and parts.fragment.startswith("punt-"):
        point_id = parts.fragment.removeprefix("punt-")
        point = (
            db.session.scalar(
                select(AnalysisPoint).where(
                    AnalysisPoint.id == int(point_id),
                    AnalysisPoint.analysis_id == values["analysis_id"],
                    AnalysisPoint.kind == PointKind.GAP.value,
                )
            )
            if point_id.isdigit() and len(point_id) < 12
            else None
        )
        if point is not None:
            return LinkKind.GAP, point
    raise SignalError(
        _(
            "Plak het adres van een gesprek, activiteit, praktijkvoorbeeld of leemte in een "
            "omgevingsanalyse op Bruggen."
        ),
        field="address",
    )


@bp.route("/signalen/<int:signal_id>/koppelen", methods=["POST"])
def link(signal_id):
    signal = get_signal_or_404(signal_id)
    if not (signal.reporter_id == current_user.id or can_edit_signal(current_user, signal)):
        abort(403)
    form = LinkForm()
    try:
        if not form.validate():
            raise SignalError(_("Het formulier is verlopen. Probeer opnieuw."))
        kind, target = _link_target(form.address.data or "")
        reporting.add_link(signal, current_user, kind, target)
    except REFUSED as error:
        db.session.rollback()
        return _detail_with_error(
            get_signal_or_404(signal_id), error.message, error.status, link_form=form
        )
    db.session.commit()
    flash(_("De koppeling is toegevoegd."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)
