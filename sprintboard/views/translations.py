"""Translations of user content: the queue, the side-by-side page, machine suggestions."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms.translations import ONE_LINE, translation_form
from ..i18n import LANGUAGES
from ..services import machine_translation, translations

bp = Blueprint("translations", __name__, url_prefix="/p/<int:pid>/translations")
navigation.add_tab("translations.index", _l("Translations"), 75)


# Where each kind of content is shown (kind -> function(pid, obj) -> URL).
OBJECT_URLS = {
    "card": lambda pid, o: url_for("cards.show", pid=pid, card_id=o.id),
    "comment": lambda pid, o: url_for("cards.show", pid=pid, card_id=o.card_id) + f"#comment-{o.id}",
    "project": lambda pid, o: url_for("projects.show", pid=pid, project_id=o.id),
    "funding": lambda pid, o: url_for("funding.show", pid=pid, fid=o.id),
    "sprint": lambda pid, o: url_for("sprints.show", pid=pid, sid=o.id),
    "workshop": lambda pid, o: url_for("workshops.show", pid=pid, wid=o.id),
    "agenda": lambda pid, o: url_for("workshops.show", pid=pid, wid=o.workshop_id),
    "actor": lambda pid, o: url_for("actors.index", pid=pid),
    "entry": lambda pid, o: url_for("match.entries", pid=pid),
    "retro": lambda pid, o: url_for("facilitation.index", pid=pid),
    "column": lambda pid, o: url_for("columns.settings", pid=pid) + f"#column-{o.id}",
}


def object_url(pid: int, kind: str, obj) -> str:
    """Where the translated object is shown."""
    return OBJECT_URLS[kind](pid, obj)


def _reader_language() -> str:
    asked = request.args.get("into")
    return asked if asked in LANGUAGES else str(get_locale())


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid)
    language = _reader_language()
    kind = request.args.get("kind") if request.args.get("kind") in translations.KINDS else None
    return htmx.render(
        "translations/index.html",
        "translations/_queue.html",
        partnership=partnership,
        language=language,
        kind=kind,
        kinds=translations.KINDS,
        items=translations.queue_for(partnership, language, kind),
        may_translate=access.can(current_user, "edit", partnership),
        object_url=object_url,
    )


def _load(pid, tkind, tid, tlang, need="view"):
    partnership = access.get_partnership_or_404(pid, need=need)
    obj = access.get_translatable_or_404(partnership, translations.KINDS.get(tkind), tid)
    if tlang not in LANGUAGES:
        abort(404)
    return partnership, obj


def _form(version):
    data = {name: row.text for name, row in version.rows.items() if row.status == "ready"}
    return translation_form(translations.KINDS[version.kind].fields, formdata=None, data=data)


def _page(partnership, obj, tkind, tlang, form=None, status=200, error=None):
    version = translations.versions(tkind, [obj], tlang)[obj.id]
    response = htmx.render(
        "translations/edit.html",
        "translations/_side_by_side.html",
        status,
        partnership=partnership,
        obj=obj,
        kind=tkind,
        language=tlang,
        version=version,
        fields=list(translations.KINDS[tkind].fields),
        one_line=ONE_LINE,
        form=form or _form(version),
        error=error,
        may_translate=access.can(current_user, "edit", partnership),
        machine_enabled=machine_translation.is_enabled(tlang),
        back=object_url(partnership.id, tkind, obj),
    )
    return response


@bp.get("/<tkind>/<int:tid>/<tlang>")
def edit(pid, tkind, tid, tlang):
    partnership, obj = _load(pid, tkind, tid, tlang)
    return _page(partnership, obj, tkind, tlang)


@bp.post("/<tkind>/<int:tid>/<tlang>")
def save(pid, tkind, tid, tlang):
    partnership, obj = _load(pid, tkind, tid, tlang, need="edit")
    form = translation_form(translations.KINDS[tkind].fields)
    if form.validate_on_submit():
        texts = {name: getattr(form, name).data for name in translations.KINDS[tkind].fields}
        with rule_errors(form):
            translations.save_translation(obj, tlang, texts, actor=current_user)
    if form.errors or form.form_errors:
        return _page(partnership, obj, tkind, tlang, form=form, status=422)
    db.session.commit()
    return htmx.redirect_to(object_url(pid, tkind, obj))


@bp.post("/<tkind>/<int:tid>/<tlang>/suggest")
def suggest(pid, tkind, tid, tlang):
    partnership, obj = _load(pid, tkind, tid, tlang, need="edit")
    with rule_errors() as broken:
        try:
            translations.request_machine(obj, tlang, actor=current_user)
        except translations.MachineUnavailable as error:
            db.session.rollback()
            body, status = _page(partnership, obj, tkind, tlang, status=503, error=error.message)
            return body, status, {"Retry-After": "300"}
    if broken:
        return _page(partnership, obj, tkind, tlang, status=422, error=broken.message)
    db.session.commit()
    return htmx.redirect_to(url_for("translations.edit", pid=pid, tkind=tkind, tid=tid, tlang=tlang))
