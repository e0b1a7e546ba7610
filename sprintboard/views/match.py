"""The match page (cities side by side, ranked themes, matches, dot votes), entries and themes."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..csvsafe import csv_response
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.match import DotVoteForm, EntryForm, MatchForm, MatchProjectsForm, ThemeForm
from ..forms.projects import chosen_language
from ..i18n import LANGUAGES
from ..ids import valid_id
from ..services import DomainError, match, themes
from ..services import entries as entry_service
from ..services.facilitation import ensure_not_frozen

bp = Blueprint("match", __name__, url_prefix="/p/<int:pid>")
navigation.add_tab("match.index", _l("Match"), 70)
navigation.add_home_section("match/_home.html", 60, lambda p: {"summary": match.summary(p)})


def _compared(partnership):
    """The cities to compare: ?all=1 → all of them; ?a=&b= → that pair; default: the first two."""
    cities = list(partnership.cities)
    if request.args.get("all") and len(cities) > 2:
        return cities, True
    by_id = {str(c.id): c for c in cities}
    a = by_id.get(request.args.get("a", ""), cities[0])
    b = by_id.get(request.args.get("b", ""), next(c for c in cities if c is not a))
    if a is b:
        b = next(c for c in cities if c is not a)
    return [a, b], False


def _match_context(partnership, picked=None, project_error=None, dot_error=None, dot_value=None):
    dot_vote = match.dot_votes(partnership)
    matches = match.matches_of(partnership, dot_vote["dots"])
    result = match.vote_result(dot_vote, matches)
    return {
        "partnership": partnership,
        "matches": matches,
        "dot_vote": dot_vote,
        "vote_result": result,
        # Ticked in the vote result: the top matches, or what the person ticked before an error.
        "picked": set(picked) if picked is not None else match.top_match_ids(result or []),
        "project_error": project_error,
        "dot_error": dot_error,
        "dot_value": dot_value,
        "may_edit": access.can(current_user, "edit", partnership),
        "may_manage": access.can(current_user, "manage", partnership),
        "confirm": ConfirmForm(),
    }


def _index_page(partnership, fragment="match/_compare.html", status=200, refused=None, **context):
    cities, all_cities = _compared(partnership)
    shared, one_sided = match.rank_themes(partnership, cities)
    return htmx.render(
        "match/index.html",
        fragment,
        status,
        cities=cities,
        all_cities=all_cities,
        shared=shared,
        one_sided=one_sided,
        refused=refused,
        **_match_context(partnership, **context),
    )


def _match_refused(partnership, form, message, status=422):
    """The theme's form again with the entries ticked and the reason; htmx swaps the comparison
    (the form's usual target is the match list)."""
    refused = {"theme": form.theme.data or "", "entries": {str(e) for e in form.entries.data or []}}
    html, status = _index_page(partnership, status=status, refused={**refused, "message": message})
    headers = {"HX-Retarget": "#match-compare", "HX-Reswap": "outerHTML"} if htmx.is_htmx() else {}
    return html, status, headers


@bp.get("/match/")
def index(pid):
    return _index_page(access.get_partnership_or_404(pid))


@bp.get("/match/export.csv")
def export(pid):
    partnership = access.get_partnership_or_404(pid)
    header, rows = match.match_csv(partnership)
    return csv_response(f"matches-{partnership.id}.csv", header, rows)


def _after_match_change(partnership, message=None):
    """htmx: the match list (the change shows there); browsers: a flash and back to the page."""
    if htmx.is_htmx():
        html = render_template("match/_matches.html", **_match_context(partnership))
        if message:  # said now, in the flash region, not on the next page loaded
            html += render_template("_flash_oob.html", category="success", message=message)
        return html
    if message:
        flash(message, "success")
    return htmx.redirect_to(
        request.referrer
        if _same_page(request.referrer, partnership)
        else url_for("match.index", pid=partnership.id)
    )


def _same_page(url, partnership):
    from urllib.parse import urlsplit

    if not url:
        return False
    parts = urlsplit(url)
    return parts.netloc in ("", request.host) and parts.path == url_for("match.index", pid=partnership.id)


@bp.post("/match/matches")
def create_match(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = MatchForm()
    if not form.validate_on_submit():
        return _match_refused(partnership, form, _("Choose entries of at least two cities."))
    try:
        chosen = entry_service.resolve_entries(partnership, form.entries.data)
        theme = None
        if form.theme.data:
            if valid_id(form.theme.data) is None:
                raise DomainError(_("Unknown theme."))
            theme = themes.resolve_themes(partnership, [form.theme.data])[0]
        match.create_match(partnership, chosen, theme=theme, actor=current_user)
    except DomainError as error:  # (a frozen board too: 423)
        db.session.rollback()
        return _match_refused(partnership, form, error.message, error.status)
    db.session.commit()
    return _after_match_change(partnership, _("The match has been marked."))


@bp.post("/match/dot-vote")
def open_dot_vote(pid):
    """Facilitators open a dot vote (the facilitation page's) on the open matches."""
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = DotVoteForm()
    try:
        if not form.validate_on_submit():
            raise DomainError(_("Each person can have from 1 to %(n)d votes.", n=DotVoteForm.MAX))
        session = match.open_dot_vote(
            partnership, votes_per_person=form.votes_per_person.data, actor=current_user
        )
    except DomainError as error:  # the form again, in the match list, with the number typed
        db.session.rollback()
        typed = request.form.get("votes_per_person", "")
        html, status = _index_page(
            partnership, "match/_matches.html", error.status, dot_error=error.message, dot_value=typed
        )
        return html, status, ({"HX-Retarget": "#matches", "HX-Reswap": "outerHTML"} if htmx.is_htmx() else {})
    db.session.commit()
    return htmx.redirect_to(url_for("voting.vote", pid=pid, vid=session.id))


@bp.post("/match/matches/<int:match_id>/accept")
def accept(pid, match_id):
    partnership = access.get_partnership_or_404(pid, need="manage")
    record = access.get_match_or_404(partnership, match_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    match.accept_match(record, actor=current_user)
    db.session.commit()
    return _after_match_change(partnership)


@bp.post("/match/matches/<int:match_id>/delete")
def delete_match(pid, match_id):
    partnership = access.get_partnership_or_404(pid, need="manage")
    record = access.get_match_or_404(partnership, match_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    match.delete_match(record, actor=current_user)
    db.session.commit()
    return _after_match_change(partnership, _("The match has been removed."))


@bp.post("/match/matches/<int:match_id>/project")
def make_project(pid, match_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    record = access.get_match_or_404(partnership, match_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        project = match.create_project_from_match(record, actor=current_user)
    except DomainError as error:  # (already a project, a frozen board): the list says why
        db.session.rollback()
        fragment = "match/_matches.html"
        html, status = _index_page(partnership, fragment, error.status, project_error=error.message)
        return html, status, ({"HX-Retarget": "#matches", "HX-Reswap": "outerHTML"} if htmx.is_htmx() else {})
    db.session.commit()
    return _after_match_change(
        partnership,
        _("The project “%(title)s” has been created with a first card in the backlog.", title=project.title),
    )


@bp.post("/match/projects")
def make_projects(pid):
    """The dot vote's result: the ticked matches (the top three by default) become projects."""
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = MatchProjectsForm()
    valid = form.validate_on_submit()
    picked = (form.matches.data or []) if valid else []
    try:
        # Projects put their first cards on the board: frozen, members get 423 before the ticks
        ensure_not_frozen(partnership, current_user)
        if not valid:
            raise DomainError(_("Choose matches from the list."))
        chosen = [access.get_match_or_404(partnership, match_id) for match_id in picked]
        created = match.create_projects_from_matches(chosen, actor=current_user)
    except DomainError as error:  # the result form again, in the match list, ticked as sent
        db.session.rollback()
        return _index_page(
            partnership, "match/_matches.html", error.status, picked=picked, project_error=error.message
        )
    db.session.commit()
    return _after_match_change(
        partnership,
        ngettext(
            "%(num)d project has been created, each with a first card in the backlog.",
            "%(num)d projects have been created, each with a first card in the backlog.",
            len(created),
        ),
    )


# Entries ---------------------------------------------------------------------------------------


def _prepare(form, partnership):
    form.city.choices = options((c.id, c.name) for c in partnership.cities)
    form.themes.choices = options((t.id, themes.theme_name(t)) for t in themes.themes_of(partnership))
    return form


def _entries_page(partnership, form=None, status=200):
    if form is None:
        form = _prepare(EntryForm(formdata=None), partnership)
        membership = access.membership_of(current_user, partnership)
        form.city.data = membership.city_id if membership else partnership.cities[0].id
    recorded = entry_service.entries_of(partnership)
    by_city = [(c, [e for e in recorded if e.city_id == c.id]) for c in partnership.cities]
    return htmx.render(
        "match/entries.html",
        "match/_entries.html",
        status,
        partnership=partnership,
        form=form,
        by_city=by_city,
        confirm=ConfirmForm(),
        may_edit=access.can(current_user, "edit", partnership),
    )


@bp.get("/entries/")
def entries(pid):
    partnership = access.get_partnership_or_404(pid)
    return _entries_page(partnership)


def _save_entry(partnership, form, entry=None):
    city = access.get_city_or_404(partnership, form.city.data)
    chosen = themes.resolve_themes(partnership, form.themes.data)
    language = chosen_language(form.language)
    if entry is None:
        return entry_service.create_entry(
            partnership, city, form.kind.data, form.text.data, chosen, actor=current_user, **language
        )
    return entry_service.update_entry(
        entry, city, form.kind.data, form.text.data, chosen, actor=current_user, **language
    )


@bp.post("/entries/")
def create_entry(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = _prepare(EntryForm(), partnership)
    if form.validate_on_submit():
        with rule_errors(form):
            _save_entry(partnership, form)
        if not form.errors:
            db.session.commit()
            flash(_("The entry has been added."), "success")
            return htmx.redirect_to(url_for("match.entries", pid=pid))
    if htmx.is_htmx():  # the form again in its place, with the reasons and what was typed
        body = render_template("match/_entry_form.html", partnership=partnership, form=form)
        return body, 422, {"HX-Retarget": "#entry-form", "HX-Reswap": "outerHTML"}
    return _entries_page(partnership, form, status=422)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(pid, entry_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    entry = access.get_entry_or_404(partnership, entry_id)
    form = _prepare(EntryForm(obj=entry if request.method == "GET" else None), partnership)
    status = 200
    if request.method == "GET":
        form.city.data = entry.city_id
        form.themes.data = [t.id for t in entry.themes]
    elif form.validate_on_submit():
        with rule_errors(form):
            _save_entry(partnership, form, entry)
        if not form.errors:
            db.session.commit()
            flash(_("The entry has been saved."), "success")
            return htmx.redirect_to(url_for("match.entries", pid=pid))
        status = 422
    else:
        status = 422
    return render_template("match/entry_form.html", partnership=partnership, form=form, entry=entry), status


@bp.post("/entries/<int:entry_id>/delete")
def delete_entry(pid, entry_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    entry = access.get_entry_or_404(partnership, entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    entry_service.delete_entry(entry, actor=current_user)
    db.session.commit()
    flash(_("The entry has been deleted."), "success")
    return htmx.redirect_to(url_for("match.entries", pid=pid))


# Themes ----------------------------------------------------------------------------------------


def _themes_page(partnership, form=None, status=200):
    return render_template(
        "match/themes.html",
        partnership=partnership,
        form=form or ThemeForm(formdata=None),
        themes=themes.themes_of(partnership),
        languages=LANGUAGES,
        may_manage=access.can(current_user, "manage", partnership),
    ), status


@bp.get("/themes/")
def theme_list(pid):
    partnership = access.get_partnership_or_404(pid)
    return _themes_page(partnership)


@bp.post("/themes/")
def add_theme(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = ThemeForm()
    if form.validate_on_submit():
        with rule_errors(form):
            # The name in the facilitator's language comes first: it is the fallback.
            first = str(get_locale()) if str(get_locale()) in LANGUAGES else "en"
            codes = [first] + [code for code in LANGUAGES if code != first]
            themes.add_theme(
                partnership, {code: form[f"name_{code}"].data for code in codes}, actor=current_user
            )
        if not form.errors:
            db.session.commit()
            flash(_("The theme has been added."), "success")
            return htmx.redirect_to(url_for("match.theme_list", pid=pid))
    return _themes_page(partnership, form, status=422)
