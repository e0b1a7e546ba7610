from wtforms import HiddenField

from .base import Form


class UndoForm(Form):
    """The Undo button of the toast: a CSRF-checked post, and where to go back to."""

    next = HiddenField()
