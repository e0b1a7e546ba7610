"""Agenda items and links to cards/projects of a workshop, on the workshop page's address."""

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.projects import chosen_language
from ..forms.workshops import AgendaItemForm
from ..ids import valid_id
from ..services import DomainError, partnerships, toolbox, workshops
from .workshops import load, respond

bp = Blueprint("workshop_agenda", __name__, url_prefix="/p/<int:pid>/workshops")
# An agenda item's fields, as posted.
EDITED = ("title", "duration", "responsible", "method", "notes", "language")


def _responsible(partnership, value):
    if not value:
        return None
    user = next((u for u in partnerships.members_of(partnership) if str(u.id) == value), None)
    if user is None:
        raise DomainError(_("The responsible person must be a member of the partnership."))
    return user


def _method(partnership, value):
    """The toolbox method chosen for an agenda item (by id): a shared one or the partnership's own."""
    if not value:
        return None
    method_id = valid_id(value)
    method = toolbox.method_for(partnership, method_id) if method_id is not None else None
    if method is None:
        raise DomainError(_("That method is not in the toolbox."))
    return method


def _agenda_form(partnership):
    form = AgendaItemForm()
    form.responsible.choices = None  # validated below against the members
    form.responsible.validate_choice = False
    return form


@bp.post("/<int:wid>/agenda")
def add_item(pid, wid):
    partnership, workshop = load(pid, wid)
    form = _agenda_form(partnership)
    if not form.validate_on_submit():
        return respond(partnership, workshop, "agenda", 422, agenda_form=form)
    with rule_errors(form, "title"):
        workshops.add_agenda_item(
            workshop,
            form.title.data,
            duration=form.duration.data,
            responsible=_responsible(partnership, form.responsible.data),
            notes=form.notes.data,
            method=_method(partnership, form.method.data),
            actor=current_user,
            **chosen_language(form.language),
        )
    if form.errors:
        return respond(partnership, workshop, "agenda", 422, agenda_form=form)
    db.session.commit()
    return respond(partnership, workshop, "agenda")


@bp.post("/<int:wid>/agenda/<int:item_id>")
def update_item(pid, wid, item_id):
    partnership, workshop = load(pid, wid)
    item = access.get_agenda_item_or_404(workshop, item_id)
    form = AgendaItemForm()
    form.responsible.validate_choice = False
    # Refused, the item's form opens again with what was typed and the reason beside it.
    typed = {"id": item.id, **{name: request.form.get(name, "") for name in EDITED}}
    if not form.validate_on_submit():
        title = item.title
        typed["error"] = _("Agenda item “%(title)s” was not saved: check the title and minutes.", title=title)
        return respond(partnership, workshop, "agenda", 422, edited=typed)
    with rule_errors() as broken:
        workshops.update_agenda_item(
            item,
            form.title.data,
            duration=form.duration.data,
            responsible=_responsible(partnership, form.responsible.data),
            notes=form.notes.data,
            method=_method(partnership, form.method.data),
            actor=current_user,
            **chosen_language(form.language),
        )
    if broken:
        return respond(partnership, workshop, "agenda", 422, edited={**typed, "error": broken.message})
    db.session.commit()
    return respond(partnership, workshop, "agenda")


@bp.post("/<int:wid>/agenda/<int:item_id>/move")
def move_item(pid, wid, item_id):
    partnership, workshop = load(pid, wid)
    item = access.get_agenda_item_or_404(workshop, item_id)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "agenda", 422)
    workshops.move_agenda_item(item, request.form.get("direction", ""), actor=current_user)
    db.session.commit()
    return respond(partnership, workshop, "agenda")


@bp.post("/<int:wid>/agenda/<int:item_id>/delete")
def delete_item(pid, wid, item_id):
    partnership, workshop = load(pid, wid)
    item = access.get_agenda_item_or_404(workshop, item_id)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "agenda", 422)
    workshops.delete_agenda_item(item, actor=current_user)
    db.session.commit()
    return respond(partnership, workshop, "agenda")


def _linked_things(partnership):
    card_id, project_id = request.form.get("card", ""), request.form.get("project", "")
    card = access.get_card_or_404(partnership, card_id) if card_id.isdigit() else None
    project = access.get_project_or_404(partnership, project_id) if project_id.isdigit() else None
    return card, project


@bp.post("/<int:wid>/links")
def link(pid, wid):
    partnership, workshop = load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "links", 422)
    card, project = _linked_things(partnership)
    if card is None and project is None:
        return respond(partnership, workshop, "links", 422, error=_("Choose a card or a project."))
    workshops.link(workshop, card=card, project=project, actor=current_user)
    db.session.commit()
    return respond(partnership, workshop, "links")


@bp.post("/<int:wid>/links/remove")
def unlink(pid, wid):
    partnership, workshop = load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "links", 422)
    card, project = _linked_things(partnership)
    workshops.unlink(workshop, card=card, project=project, actor=current_user)
    db.session.commit()
    return respond(partnership, workshop, "links")
