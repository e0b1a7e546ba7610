"""Funding ideas: the pipeline board, the table, forms, moves and the CSV export."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, csvsafe, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.funding import FundingIdeaForm, MoveFundingForm
from ..models import FUNDING_STATUSES
from ..services import DomainError, funding, partnerships, translations
from .attachments import panel_for

bp = Blueprint("funding", __name__, url_prefix="/p/<int:pid>/funding")

navigation.add_tab("funding.index", _l("Funding"), 50)
navigation.add_home_section("funding/_home.html", 50, lambda p: {"upcoming": funding.upcoming_deadlines(p)})


@bp.app_template_filter("money")
def money(amount, currency: str) -> str:
    """An exact amount in its own currency, formatted for the current language."""
    return "" if amount is None else format_currency(amount, currency)


def _board_context(partnership):
    return {
        "partnership": partnership,
        "columns": funding.pipeline(partnership),
        "totals": funding.totals_by_status(partnership),
        "may_edit": access.can(current_user, "edit", partnership),
    }


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid)
    return htmx.render("funding/index.html", "funding/_board.html", **_board_context(partnership))


@bp.get("/table")
def table(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_template(
        "funding/table.html",
        partnership=partnership,
        ideas=funding.ideas_of(partnership),
        totals=funding.totals_by_status(partnership),
    )


def _people(partnership, idea=None) -> dict:
    """Who can own an idea: the members, and the current owner even if they have left."""
    people = {m.user.id: m.user for _c, ms in partnerships.members_by_city(partnership) for m in ms}
    if idea is not None and idea.owner is not None:
        people.setdefault(idea.owner.id, idea.owner)
    return people


def _form_choices(form, partnership, idea=None):
    people = sorted(_people(partnership, idea).values(), key=lambda u: u.name)
    form.owner.choices = options([(0, _("Nobody yet"))] + [(u.id, u.name) for u in people])
    form.projects.choices = options((p.id, p.title) for p in funding.projects_of(partnership))


def _values(form, partnership, idea=None) -> dict:
    members = _people(partnership, idea)
    projects = {p.id: p for p in funding.projects_of(partnership)}
    return {
        "title": form.title.data,
        "funder": form.funder.data,
        "programme": form.programme.data,
        "url": form.url.data,
        "amount": form.amount.data,
        "cofunding": form.cofunding.data,
        "currency": form.currency.data,
        "deadline": form.deadline.data,
        "owner": members.get(form.owner.data),
        "next_step": form.next_step.data,
        "notes": form.notes.data,
        "projects": [projects[i] for i in form.projects.data or [] if i in projects],
        "language": form.language.data or None,
    }


@bp.route("/new", methods=["GET", "POST"])
def new(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = FundingIdeaForm()
    _form_choices(form, partnership)
    if form.validate_on_submit():
        with rule_errors(form):
            idea = funding.create_funding_idea(
                partnership, actor=current_user, status=form.status.data, **_values(form, partnership)
            )
        if not form.errors:
            db.session.commit()
            flash(_("The funding idea has been added."), "success")
            return redirect(url_for("funding.show", pid=pid, fid=idea.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("funding/form.html", partnership=partnership, form=form, idea=None), status


@bp.get("/<int:fid>")
def show(pid, fid):
    partnership = access.get_partnership_or_404(pid)
    idea = access.get_funding_idea_or_404(partnership, fid)
    return _show(partnership, idea)


def _show(partnership, idea, move_form=None, status=200):
    move_form = _move_choices(move_form or MoveFundingForm(status=idea.status, formdata=None), idea)
    return render_template(
        "funding/show.html",
        partnership=partnership,
        idea=idea,
        move_form=move_form,
        confirm=ConfirmForm(),
        may_edit=access.can(current_user, "edit", partnership),
        attachments=panel_for(partnership, idea, may_upload=access.can(current_user, "edit", partnership)),
    ), status


def _move_choices(move_form, idea):
    """The statuses the idea can go to from where it is (and that one)."""
    allowed = funding.TRANSITIONS[idea.status]
    move_form.status.choices = options(
        (s, funding.STATUS_LABELS[s]) for s in FUNDING_STATUSES if s in allowed or s == idea.status
    )
    return move_form


@bp.route("/<int:fid>/edit", methods=["GET", "POST"])
def edit(pid, fid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    idea = access.get_funding_idea_or_404(partnership, fid)
    form = FundingIdeaForm(obj=idea)
    _form_choices(form, partnership, idea)
    if request.method == "GET":
        form.owner.data = idea.owner_id or 0
        form.projects.data = [p.id for p in idea.projects]
        form.amount.data = "" if idea.amount is None else str(idea.amount)
        form.cofunding.data = "" if idea.cofunding is None else str(idea.cofunding)
    elif form.validate_on_submit():
        with rule_errors(form):
            funding.update_funding_idea(idea, actor=current_user, **_values(form, partnership, idea))
        if not form.errors:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("funding.show", pid=pid, fid=idea.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("funding/form.html", partnership=partnership, form=form, idea=idea), status


@bp.post("/<int:fid>/move")
def move(pid, fid):
    """One endpoint for drag and drop, the keyboard shortcut and the no-JS form."""
    partnership = access.get_partnership_or_404(pid, need="edit")
    idea = access.get_funding_idea_or_404(partnership, fid)
    form = MoveFundingForm()
    if not form.validate_on_submit():
        return _move_refused(partnership, idea, form, 422)
    try:
        funding.move_funding_idea(idea, form.status.data, actor=current_user)
    except DomainError as error:  # not allowed in the pipeline; a frozen board (423)
        db.session.rollback()
        form.form_errors.append(error.message)
        return _move_refused(partnership, idea, form, error.status)
    db.session.commit()
    message = _(
        "“%(title)s” moved to “%(status)s”.", title=idea.title, status=funding.status_label(idea.status)
    )
    if htmx.is_htmx():
        return render_template("funding/_moved.html", message=message, **_board_context(partnership))
    flash(message, "success")
    if request.form.get("back") == "show":
        return redirect(url_for("funding.show", pid=pid, fid=fid), code=303)
    return redirect(url_for("funding.index", pid=pid) + f"#idea-{fid}", code=303)


def _move_refused(partnership, idea, form, status):
    """The idea's move form again with the reason: on its page, or for htmx (a drag or
    Shift + arrow on the pipeline, which funding.js redraws as it was) above the pipeline."""
    if not htmx.is_htmx():
        return _show(partnership, idea, form, status=status)
    _move_choices(form, idea)
    html = render_template("funding/_move_refused.html", partnership=partnership, idea=idea, move_form=form)
    return html, status, {"HX-Retarget": "#funding-refused", "HX-Reswap": "innerHTML"}


@bp.post("/<int:fid>/delete")
def delete(pid, fid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    idea = access.get_funding_idea_or_404(partnership, fid)
    if not ConfirmForm().validate_on_submit():
        return _show(partnership, idea, status=422)
    funding.delete_funding_idea(idea, actor=current_user)
    db.session.commit()
    flash(_("The funding idea has been deleted."), "success")
    return htmx.redirect_to(url_for("funding.index", pid=pid))


@bp.get("/funding.csv")
def export_csv(pid):
    partnership = access.get_partnership_or_404(pid)
    header = [
        _("Title"),
        _("Funder"),
        _("Programme"),
        _("Link"),
        _("Amount requested"),
        _("Co-funding"),
        _("Currency"),
        _("Deadline"),
        _("Status"),
        _("Owner"),
        _("Next step"),
        _("Projects"),
        _("Notes"),
    ]
    ideas = funding.ideas_of(partnership)
    rows = [
        [
            i.title,
            i.funder,
            i.programme,
            i.url,
            i.amount,
            i.cofunding,
            i.currency,
            i.deadline.isoformat() if i.deadline else "",
            funding.status_label(i.status),
            i.owner.name if i.owner else "",
            i.next_step,
            "; ".join(p.title for p in i.projects),
            i.notes,
        ]
        for i in ideas
    ]
    extra, by_idea = translations.language_columns(
        "funding", ideas, {"title": _("Title"), "next_step": _("Next step")}
    )
    rows = [row + by_idea[i.id] for row, i in zip(rows, ideas, strict=True)]
    return csvsafe.csv_response(f"funding-{partnership.id}.csv", header + extra, rows)
