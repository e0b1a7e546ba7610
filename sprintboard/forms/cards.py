from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from ..services.cards import BODY_MAX, CHECKLIST_TEXT_MAX, COMMENT_MAX, ESTIMATE_MAX, TITLE_MAX
from . import options
from .base import Form
from .projects import _none_if_empty, language_choices


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CardForm(Form):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        _l("Description"),
        validators=[Length(max=BODY_MAX)],
        description=_l("Markdown: **bold**, _italic_, [link](https://…), lists with -"),
    )
    project = SelectField(_l("Project"), coerce=_none_if_empty)
    estimate = IntegerField(
        _l("Estimate (points)"), validators=[Optional(), NumberRange(min=0, max=ESTIMATE_MAX)]
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])
    language = SelectField(_l("Original language"), choices=language_choices, default="")
    assignees = SelectMultipleField(_l("Assignees"), coerce=int)
    labels = CheckboxesField(_l("Labels"), coerce=int)

    def set_choices(self, projects, members, labels):
        self.project.choices = options([("", _l("No project")), *((p.id, p.title) for p in projects)])
        self.assignees.choices = options((user.id, f"{user.name} ({city.name})") for user, city in members)
        self.labels.choices = options((label.id, label.name) for label in labels)


class ChecklistItemForm(Form):
    text = StringField(_l("New checklist item"), validators=[DataRequired(), Length(max=CHECKLIST_TEXT_MAX)])


class CommentForm(Form):
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=COMMENT_MAX)],
        description=_l("Markdown works here too."),
    )


class CommentEditForm(Form):
    """One's own comment, changed (one form per comment: prefix "comment-<id>")."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=COMMENT_MAX)])
