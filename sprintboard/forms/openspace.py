"""Forms of open-space events: the event, rooms, slots, sessions, placement, notes, registration."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from ..i18n import language_name
from ..models.openspace import SESSION_LANGUAGES
from ..services.entries import ENTRY_KIND_LABELS
from ..services.openspace import DOTS_MAX, TIMEZONES
from ..services.openspace_sessions import (
    DESCRIPTION_MAX,
    FORMAT_LABELS,
    NEED_LABELS,
    NOTES_MAX,
)
from ..services.openspace_venue import ROOM_CAPACITY_MAX
from . import options
from .base import Form
from .cards import CheckboxesField


def language_options():
    return options((code, language_name(code)) for code in SESSION_LANGUAGES)


def _none_if_empty(value):
    return int(value) if value not in (None, "", "None") else None


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    timezone = SelectField(
        _l("Time zone of the venue"),
        choices=lambda: options((z, z) for z in TIMEZONES),
        default="Europe/Berlin",
    )
    dots_per_person = IntegerField(
        _l("Interest dots per person"),
        default=3,
        validators=[InputRequired(), NumberRange(min=1, max=DOTS_MAX)],
    )
    votes_visible = BooleanField(_l("Everyone sees how many dots each session has"))
    registration_open = BooleanField(_l("Registration by the public link is open"))
    capacity = IntegerField(
        _l("Places for registration"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Leave empty for no limit."),
    )
    workshop = SelectField(_l("Part of the workshop"), coerce=_none_if_empty, validate_choice=False)


class NewEventForm(EventForm):
    partnership = SelectField(
        _l("Partnership"),
        coerce=_none_if_empty,
        description=_l("Without a partnership it is a BarCamp open to everyone who registers."),
    )


class RoomForm(Form):
    name = StringField(_l("Room"), validators=[DataRequired(), Length(max=120)])
    capacity = IntegerField(
        _l("Places"), default=20, validators=[InputRequired(), NumberRange(min=1, max=ROOM_CAPACITY_MAX)]
    )
    accessible = BooleanField(_l("Step-free access"), default=True)
    online_url = StringField(
        _l("Online link (optional)"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )


class SlotForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired()])
    starts = TimeField(_l("Starts"), validators=[InputRequired()])
    ends = TimeField(_l("Ends"), validators=[InputRequired()])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("A slot ends after it starts."))


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What is it about?"), validators=[Length(max=DESCRIPTION_MAX)])
    format = SelectField(_l("Format"), choices=lambda: options(FORMAT_LABELS.items()), default="discussion")
    languages = CheckboxesField(_l("Languages of the session"), choices=language_options)
    needs = CheckboxesField(_l("Needs"), choices=lambda: options(NEED_LABELS.items()))
    cohosts = SelectMultipleField(
        _l("Hosts"),
        coerce=int,
        description=_l("Who hosts it with you (people who have registered)."),
    )


class PlaceForm(Form):
    room = SelectField(_l("Room"), coerce=_none_if_empty, validate_choice=False)
    slot = SelectField(_l("Time slot"), coerce=_none_if_empty, validate_choice=False)


class SuggestForm(Form):
    keep_placed = BooleanField(_l("Keep the sessions already placed"), default=True)


class NotesForm(Form):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    outcome = StringField(_l("Outcome in one sentence"), validators=[Length(max=500)])
    notes = TextAreaField(
        _l("Notes"),
        validators=[Length(max=NOTES_MAX)],
        description=_l("Markdown: **bold**, _italic_, [link](https://…), lists with -"),
    )
    languages = CheckboxesField(_l("Languages of the notes"), choices=language_options)


class ProfileForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    city = StringField(_l("Your city"), validators=[Length(max=120)])
    languages = CheckboxesField(_l("Languages you speak"), choices=language_options)
    needs_access = BooleanField(_l("I need rooms with step-free access"))


class ToCardForm(Form):
    partnership = SelectField(_l("Partnership"), coerce=int)


class ToEntryForm(Form):
    city = SelectField(_l("City"), coerce=int)
    kind = SelectField(_l("Kind"), choices=lambda: options(ENTRY_KIND_LABELS.items()), default="idea")


class RoleForm(Form):
    role = SelectField(
        _l("Role"),
        choices=lambda: options((("participant", _l("Participant")), ("facilitator", _l("Facilitator")))),
    )
