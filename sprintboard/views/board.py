import re

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import access, compression, errors, htmx, navigation, request_keys
from ..board import query, render
from ..database import begin_writing, reads_first
from ..extensions import db
from ..forms.board import FilterForm, FoldForm, MoveForm, QuickAddForm, ViewForm
from ..ids import arg_int
from ..services import DomainError, board_view, cards, facilitation, sprints
from ..services import board as board_service
from ..services import undo as undo_service
from . import safe_next, undo
from .cards import card_page_context

bp = Blueprint("board", __name__, url_prefix="/p/<int:pid>")
navigation.add_tab("board.show", _l("Board"), 10)


FILTER_ARGS = ("q", "group", "project", "label", "assignee", "city", "due", "sprint")


def _args(form: FilterForm) -> tuple:
    """The board's arguments as it shows them, part of the cached board's and filter form's
    keys: the valid filters in one order, without their defaults. Unknown or invalid arguments
    are left out, so they can neither fill nor flush the cache."""
    if form.errors:
        return ()
    args = []
    for name in FILTER_ARGS:
        value = form[name].data
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "" or (name == "group" and value == "project"):
            continue
        args.append((name, str(value)))
    return tuple(args)


def _filters(form: FilterForm, sprint) -> query.Filters:
    if form.errors:
        return query.Filters()
    return query.Filters(
        q=(form.q.data or "").strip(),
        group=form.group.data or "project",
        project=form.project.data,
        label=form.label.data,
        assignee=form.assignee.data,
        city=form.city.data,
        due=form.due.data or "",
        # "Active sprint only" with no sprint running shows no card (sprint id 0 never exists).
        sprint_id=(sprint.id if sprint else 0) if form.sprint.data == "active" else None,
    )


def _filter_form(partnership, reader=None):
    """The board's filter form and what it offers (with `reader`, their page's state too:
    query.load_options)."""
    form = FilterForm(request.args)
    options = query.load_options(partnership, reader)
    form.set_choices(options.projects, options.labels, options.people, options.cities)
    return form, options, (200 if form.validate() else 422)


@bp.get("/board")
def show(pid):
    partnership = access.get_partnership_or_404(pid)
    return _board_page(partnership)


def _board_page(partnership, status=200, **refused):
    """The board (its page, or for htmx the board alone). `refused`: a View or lane form sent
    from this page and refused, shown again in its place with the reason (status 422)."""
    # (the page's state before the board: its live updates start at the latest activity read)
    form, options, filter_status = _filter_form(partnership, current_user)
    status = max(status, filter_status)
    limit = None if request.args.get("all") else query.CELL_LIMIT
    state = options.page
    sprint = state.sprint
    filters = _filters(form, sprint)
    board = query.plan_board(
        partnership, filters, options=options, limit=limit, wide=render.wide_plan(partnership)
    )
    may_edit = access.can(current_user, "edit", partnership) and not facilitation.is_frozen_for(
        partnership, current_user
    )
    args = _args(form)
    view = state.view
    html, pieces = render.board_html(
        board, may_edit=may_edit, args=args, csrf_token=generate_csrf(), collapsed=view.collapsed_lanes
    )
    if not htmx.is_htmx():
        html = render.page_with_board(
            "board/show.html",
            html,
            partnership=partnership,
            form=form,
            may_edit=may_edit,
            filters_html=render.filters_html(partnership, form, options, args),
            active_filters=filters.active_count,
            sprint=sprint,
            live_since=state.live_since,
            present=request.args.get("present") == "1",
            plain_args={k: v for k, v in request.args.items() if k != "present"},
            density=refused.pop("density", None) or view.density,
            collapsed=refused.pop("collapsed", None) or view.collapsed_lanes,
            lanes=[(lane.key, lane.title) for lane in board.lanes],
            watching=state.watching,
            **refused,
        )
    # The board's pieces are compressed once, however often they are sent (compression.py).
    return compression.precompressed(Response(html, status, mimetype="text/html"), pieces)


@bp.get("/board/cell")
def cell(pid):
    """All cards of one lane and column (the rest of a cell the board cut short)."""
    partnership = access.get_partnership_or_404(pid)
    form, options, status = _filter_form(partnership)
    column = access.get_column_or_404(partnership, request.args.get("column", type=int))
    lane_key = request.args.get("lane", "")
    board = render.load_board(
        partnership,
        _filters(form, sprints.active_sprint(partnership)),
        options=options,
        limit=None,
        cell=(lane_key, column.id),
    )
    lane = next((lane for lane in board.lanes if lane.key == lane_key), None)
    if lane is None:
        abort(404)
    return lane.cells[column.id], status


@bp.post("/board/cards")
def add_card(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = QuickAddForm()
    if not form.validate_on_submit():
        if form.column.errors:  # not from the board's form: nothing to give back
            return errors.form_errors(form)
        return _quick_add_refused(partnership, form, " ".join(map(str, form.title.errors)), 422)
    column = access.get_column_or_404(partnership, form.column.data)
    project = access.get_project_or_404(partnership, form.project.data) if form.project.data else None
    try:
        card = cards.create_card(
            partnership,
            form.title.data,
            column=column,
            project=project,
            actor=current_user,
            language=str(get_locale()),
        )
    except DomainError as error:
        db.session.rollback()
        return _quick_add_refused(partnership, form, error.message, error.status)
    request_keys.commit_with_answer()
    if not htmx.is_htmx():
        return htmx.redirect_to(safe_next(form.next.data, url_for("board.show", pid=pid)))
    return render_template(
        "board/_card_added.html",
        partnership=partnership,
        card=card,
        fragment=render.card_fragment(partnership, card),
        heads=render.column_heads(partnership, [column]),
    )


QUICK_ADD_ID = re.compile(r"qa-(?P<lane>[\w-]+)-\d+-form")  # templates/board/_quick_add.html


def _quick_add_refused(partnership, form, message, status):
    """The quick add again with the title typed and the reason: for htmx in place of the form
    that was sent (its id comes as HX-Trigger); without JavaScript, a page with just that form."""
    sent = QUICK_ADD_ID.fullmatch(request.headers.get("HX-Trigger", ""))
    message = message or _("Give the card a title.")
    if htmx.is_htmx() and not sent:
        return errors.render_error(status, message)
    context = dict(
        partnership=partnership,
        url=url_for("board.add_card", pid=partnership.id),
        column_id=form.column.data,
        lane_key=sent["lane"] if sent else "refused",
        project_id=form.project.data,
        title=form.title.data or "",
        error=message,
        next=form.next.data or "",
    )
    if sent:
        headers = {"HX-Retarget": f"#{sent[0]}", "HX-Reswap": "outerHTML"}
        return render_template("board/_quick_add_refused.html", **context), status, headers
    return render_template("board/add_card.html", **context), status


@bp.post("/cards/<int:card_id>/move")
@reads_first
def move(pid, card_id):
    partnership = access.get_partnership_or_404(pid, need="edit", card_id=card_id)
    card = access.get_card_or_404(partnership, card_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _move_refused(partnership, card, form, errors.form_error_text(form), 422)
    # The board's columns from one query, named as the mover reads them: while they are held
    # here, the target and the card's own column are found without a query of their own.
    columns = board_service.columns_of(partnership)
    column = access.get_column_or_404(partnership, form.column.data, among=columns)
    before = access.get_card_or_404(partnership, form.before.data) if form.before.data else None
    after = access.get_card_or_404(partnership, form.after.data) if form.after.data else None
    override = form.override_wip.data and access.can(current_user, "manage", partnership)
    begin_writing(card, column)  # checked without the write lock; the card's place is read under it
    place = undo_service.card_place(card)
    try:
        old, new = board_service.move_card(
            card, column, before=before, after=after, actor=current_user, override_wip=override
        )
    except DomainError as error:
        db.session.rollback()
        wip = isinstance(error, board_service.WipLimitReached)
        return _move_refused(partnership, card, form, error.message, error.status, wip=wip)
    action = undo_service.offer(partnership, "card.move", place, actor=current_user)
    request_keys.commit_with_answer()  # the answer shows what was just saved: no need to read it all back
    undo.offer(action)
    if not htmx.is_htmx():
        return htmx.redirect_to(safe_next(form.next.data, url_for("board.show", pid=pid)))
    heads, place = render.moved_heads(partnership, card, {old, new})
    total = next(n for column, n in heads if column is new)
    return render_template(
        "board/_moved.html",
        partnership=partnership,
        card=card,
        fragment=render.card_fragment(partnership, card),
        heads=heads,
        message=_(
            "Moved “%(title)s” to %(column)s, position %(place)d of %(total)d.",
            title=card.title,
            column=new.shown_name,
            place=place,
            total=total,
        ),
    )


def _move_refused(partnership, card, form, message, status, wip=False):
    """A move refused (nonsense sent, the WIP limit, a frozen board): the card's move form (the
    one without JavaScript) with the reason and the place that was asked for. For htmx (a drag or
    Shift + arrow on the board) above the board, where board.js has put the card back; for
    browsers on the card's page. At the WIP limit, facilitators may move it anyway."""
    asked = dict(
        move_error=message or _("Choose a column."),
        move_column=form.column.data if isinstance(form.column.data, int) else None,
        move_before=form.before.data if isinstance(form.before.data, int) else None,
        move_next=safe_next(form.next.data, url_for("board.show", pid=partnership.id)),
        move_anyway=wip and access.can(current_user, "manage", partnership),
        move_form=form,
    )
    if htmx.is_htmx():
        html = render_template(
            "board/_move_refused.html",
            partnership=partnership,
            card=card,
            move_url=url_for("board.move", pid=partnership.id, card_id=card.id),
            move_targets=cards.move_targets(partnership, card),
            may_manage=access.can(current_user, "manage", partnership),
            **asked,
        )
        return html, status, {"HX-Retarget": "#board-refused", "HX-Reswap": "innerHTML"}
    context = card_page_context(partnership, card, message, **asked)
    return render_template("cards/show.html", **context), status


@bp.get("/board/done")
def done(pid):
    partnership = access.get_partnership_or_404(pid)
    page = arg_int("page", 1)
    rows, has_next = query.done_cards(partnership, page)
    return htmx.render(
        "board/done.html",
        "board/_done_list.html",
        partnership=partnership,
        rows=rows,
        page=page,
        has_next=has_next,
    )


@bp.post("/board/view")
def save_view(pid):
    """This person's density and collapsed lanes (the View panel; works without JavaScript)."""
    partnership = access.get_partnership_or_404(pid)
    form = ViewForm()
    if form.validate_on_submit():
        with errors.rule_errors(form) as broken:
            board_view.save_view(
                partnership,
                current_user,
                density=form.density.data,
                collapsed=form.collapsed.data,
                actor=current_user,
            )
        if not broken:
            db.session.commit()
            return htmx.redirect_to(safe_next(form.next.data, url_for("board.show", pid=pid)))
    # The board again with the View panel open: what was chosen, and why it was not saved.
    sent = dict(
        view_error=errors.form_error_text(form) or " ".join(map(str, form.form_errors)),
        view_next=safe_next(form.next.data, url_for("board.show", pid=pid)),
        density=form.density.data if form.density.data in ("comfortable", "compact") else None,
        collapsed=[str(key) for key in form.collapsed.data or []],
    )
    if htmx.is_htmx():
        headers = {"HX-Retarget": ".view-box .view-form", "HX-Reswap": "outerHTML"}
        context = {**sent, "density": sent["density"] or "comfortable"}
        lanes = _lanes(partnership)
        html = render_template("board/_view_form.html", partnership=partnership, lanes=lanes, **context)
        return html, 422, headers
    return _board_page(partnership, 422, **sent)


def _lanes(partnership) -> list[tuple[str, str]]:
    """The board's lanes (key, title) as its View and lane forms list them."""
    return [(lane.key, lane.title) for lane in query.plan_board(partnership, query.Filters(), limit=0).lanes]


@bp.post("/board/lanes")
def fold_lane(pid):
    """One lane collapsed or expanded: board.js sends it when a lane's title is clicked."""
    partnership = access.get_partnership_or_404(pid)
    form = FoldForm()
    if form.validate_on_submit():
        with errors.rule_errors(form) as broken:
            board_view.fold_lane(
                partnership, current_user, form.lane.data, collapsed=form.collapsed.data, actor=current_user
            )
        if not broken:
            db.session.commit()
            if htmx.is_htmx():
                return Response(status=204)
            return htmx.redirect_to(safe_next(form.next.data, url_for("board.show", pid=pid)))
    message = " ".join(map(str, form.lane.errors or form.form_errors)) or errors.form_error_text(form)
    next_url = safe_next(form.next.data, url_for("board.show", pid=pid))
    if htmx.is_htmx():  # (the lane's title was clicked: the lane form appears above the board)
        return (
            render_template(
                "board/_lane_form.html",
                partnership=partnership,
                lanes=_lanes(partnership),
                lane_error=message,
                lane_sent=form.lane.data,
                lane_collapsed=form.collapsed.data,
                view_next=next_url,
            ),
            422,
            {"HX-Retarget": "#board-refused", "HX-Reswap": "innerHTML"},
        )
    return _board_page(
        partnership,
        422,
        lane_error=message,
        lane_sent=form.lane.data,
        lane_collapsed=form.collapsed.data,
        view_next=next_url,
    )
