from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..i18n import LANGUAGES
from ..services.accounts import MIN_PASSWORD
from . import options
from .base import Form


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    timezone = HiddenField()  # the browser's zone (static/js/app.js), kept if none is set yet


def _new_password():
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
    )


def _confirm():
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class SetupForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = _new_password()
    confirm = _confirm()


class AcceptInvitationForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = _new_password()
    confirm = _confirm()
    timezone = HiddenField()


class JoinForm(Form):
    """Accepting an invitation while logged in: nothing to fill in but the CSRF token."""


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = _new_password()
    confirm = _confirm()


class ProfileForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=options(LANGUAGES.items()))
    timezone = SelectField(
        _l("Time zone"),
        description=_l("Dates in emails, and the hour of your daily digest, follow it."),
    )  # (no `required`: a select always sends one of its zones, and others fail validate_choice)

    def __init__(self, *args, **kwargs):
        from ..timezones import names

        super().__init__(*args, **kwargs)
        self.timezone.choices = options((name, name.replace("_", " ")) for name in names())
        if not self.timezone.data:
            self.timezone.data = "UTC"


class LanguageForm(Form):
    lang = SelectField(_l("Language"), choices=options(LANGUAGES.items()))
    next = HiddenField()


class LogoutForm(Form):
    pass


class ForgotForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(Form):
    password = _new_password()
    confirm = _confirm()
