"""Help: a short page per area, in the reader's language, and an index of them (public: no
partnership data in them)."""

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from .. import access
from ..services import help as help_service

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
@access.public
def index():
    return render_template("help/index.html", topics=help_service.all_topics(str(get_locale())))


@bp.get("/<topic>")
@access.public
def topic(topic):
    text = help_service.help_text(topic, str(get_locale()))
    if text is None:
        abort(404)
    return render_template("help/topic.html", text=text, topics=help_service.all_topics(str(get_locale())))
