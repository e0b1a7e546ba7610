import hashlib
import hmac

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import access, i18n, security
from ..errors import rule_errors
from ..extensions import db, limiter
from ..forms.auth import (
    AcceptInvitationForm,
    JoinForm,
    LoginForm,
    LogoutForm,
    PasswordForm,
    ProfileForm,
    SetupForm,
)
from ..models import User
from ..services import accounts, invitations
from . import safe_next

bp = Blueprint("auth", __name__)


KNOWN_COOKIE = "sprintboard_known"  # "this browser logged into this account before"


def _failed(response) -> bool:
    return response.status_code == 422


def _login_limit():
    """Failed logins per address (all accounts): LOGIN_IP_RATE_LIMIT, else LOGIN_RATE_LIMIT."""
    config = current_app.config
    return config.get("LOGIN_IP_RATE_LIMIT") or config["LOGIN_RATE_LIMIT"]


def _account_limit():
    """Failed logins per account from anywhere (rotating addresses do not help guessing)."""
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _known_mark(email: str) -> str:
    return hmac.new(current_app.secret_key.encode(), email.encode(), hashlib.sha256).hexdigest()[:32]


def _known_browser() -> bool:
    """This browser logged into the account being tried before (its cookie names it): it has
    its own allowance, so someone guessing elsewhere, or a busy office address, does not lock
    out the right password here."""
    email = _email()
    marks = (request.cookies.get(KNOWN_COOKIE) or "").split(".")
    return bool(email) and _known_mark(email) in marks


def _account_key() -> str:
    return f"login:{_email()}:{'known' if _known_browser() else 'any'}"


def _log_in(user: User) -> None:
    """A fresh session: the old cookie's contents (and any token in it) are dropped."""
    session.clear()
    accounts.start_session(user)
    login_user(user)
    session.permanent = True


@bp.route("/setup", methods=["GET", "POST"])
@access.public
def setup():
    if User.count() > 0:
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        with rule_errors(form, "email"):
            user = accounts.create_first_admin(
                form.email.data,
                form.name.data,
                form.password.data,
                locale=request.accept_languages.best_match(i18n.LANGUAGES.keys()),
            )
        if not form.errors:
            _log_in(user)
            db.session.commit()
            flash(_("Welcome! You are the administrator of this Sprintboard."), "success")
            return redirect(url_for("main.index"), code=303)
    return render_template("auth/setup.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, exempt_when=_known_browser)
@limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed, scope="login-account"
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET" and User.count() == 0:
        return redirect(url_for("auth.setup"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            accounts.remember_timezone(user, form.timezone.data)
            accounts.remember_locale(user, i18n.chosen())
            _log_in(user)
            db.session.commit()
            response = redirect(safe_next(form.next.data), code=303)
            _remember_browser(response, form.email.data)
            return response
        form.password.errors.append(_("Wrong email or password."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


def _remember_browser(response, email: str) -> None:
    marks = [m for m in (request.cookies.get(KNOWN_COOKIE) or "").split(".") if m]
    mark = _known_mark(email.strip().lower())
    marks = ([m for m in marks if m != mark] + [mark])[-5:]  # the last five accounts of this browser
    response.set_cookie(
        KNOWN_COOKIE,
        ".".join(marks),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        accounts.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "success")
    response = redirect(url_for("auth.login"), code=303)
    # Pages kept for offline use and changes waiting on this device belong to the person leaving.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account", methods=["GET", "POST"])
@security.no_store
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = PasswordForm(prefix="password")
    status = 200
    if request.method == "POST":
        if "profile-name" in request.form:
            if profile.validate_on_submit():
                with rule_errors(profile, "timezone"):
                    accounts.update_profile(
                        current_user, profile.name.data, profile.locale.data, profile.timezone.data
                    )
                if not profile.errors:
                    db.session.commit()
                    flash(_("Your profile has been saved."), "success")
                    return redirect(url_for("auth.account"), code=303)
        elif password.validate_on_submit():
            with rule_errors(password, "current"):
                accounts.change_password(current_user, password.current.data, password.password.data)
            if not password.errors:
                _log_in(current_user._get_current_object())
                db.session.commit()
                flash(_("Your password has been changed. Other sessions were logged out."), "success")
                return redirect(url_for("auth.account"), code=303)
        status = 422
    return render_template("auth/account.html", profile=profile, password=password), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@access.public
@access.limit_token_guessing
def accept_invitation(token):
    invitation = invitations.find_open(token)
    if invitation is None:
        abort(404)
    logged_in = current_user.is_authenticated
    form = JoinForm() if logged_in else AcceptInvitationForm()
    if form.validate_on_submit():
        with rule_errors() as broken:
            if logged_in:
                user = invitations.accept(invitation, user=current_user)
            else:
                user = invitations.accept(invitation, name=form.name.data, password=form.password.data)
                user.locale = str(_current_locale())
                accounts.remember_timezone(user, form.timezone.data)
        if broken:
            flash(broken.message, "error")
            return render_template("auth/accept_invitation.html", form=form, invitation=invitation), 422
        partnership_id = invitation.partnership_id
        if not logged_in:
            _log_in(user)
        db.session.commit()
        flash(_("Welcome to %(name)s!", name=invitation.partnership.name), "success")
        return redirect(url_for("partnerships.show", pid=partnership_id), code=303)
    status = 422 if form.errors else 200
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), status


def _current_locale():
    from flask_babel import get_locale

    return get_locale()
