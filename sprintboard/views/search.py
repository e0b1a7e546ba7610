"""Search everything the person may see, from the header box or the search page."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from .. import access
from ..forms.search import KIND_LABELS, SearchForm
from ..services import search

bp = Blueprint("search", __name__)


@bp.get("/search")
def index():
    partnerships = access.visible_partnerships(current_user)
    form = SearchForm(request.args)
    form.set_choices(partnerships, search.cities_of(partnerships))
    results = None
    status = 200
    if request.args and not form.validate():
        status = 422
    elif (form.q.data or "").strip():
        ids = [form.p.data] if form.p.data else [p.id for p in partnerships]
        results = search.search(
            ids,
            form.q.data,
            kind=form.kind.data or None,
            city_id=form.city.data,
            since=form.since.data,
            until=form.until.data,
            with_toolbox=not form.p.data,
        )
    return render_template(
        "search/index.html",
        form=form,
        results=results,
        groups=results.groups(None if form.kind.data else search.PER_KIND) if results else [],
        labels=KIND_LABELS,
        show=_presenter(results, {p.id: p for p in partnerships}),
    ), status


def _presenter(results, partnerships):
    """What each result shows: its title in the reader's language, its link, its partnership."""
    if results is None:
        return None
    titles = search.titles_in(results, str(get_locale()))

    def show(entry):
        return {
            "title": search.highlight(titles.get(entry.id, entry.title), results.keys),
            "snippet": search.snippet(entry.body, results.keys),
            "url": _url(entry),
            "partnership": partnerships.get(entry.partnership_id),
        }

    return show


def _url(entry) -> str:
    pid = entry.partnership_id
    if entry.kind == "card":
        return url_for("cards.show", pid=pid, card_id=entry.ref_id)
    if entry.kind == "comment":
        return url_for("cards.show", pid=pid, card_id=entry.card_id, _anchor=f"comment-{entry.ref_id}")
    if entry.kind == "project":
        return url_for("projects.show", pid=pid, project_id=entry.ref_id)
    if entry.kind == "workshop":
        return url_for("workshops.show", pid=pid, wid=entry.ref_id)
    if entry.kind == "actor":
        return url_for("actors.index", pid=pid, _anchor=f"actor-{entry.ref_id}")
    if entry.kind == "entry":
        return url_for("match.entries", pid=pid, _anchor=f"entry-{entry.ref_id}")
    if entry.kind == "funding":
        return url_for("funding.show", pid=pid, fid=entry.ref_id)
    if pid is not None:  # a partnership's own version of a method
        return url_for("toolbox_copies.show", pid=pid, method_id=entry.ref_id)
    return url_for("toolbox.show", slug=entry.ref_key)
