from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, security
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.partnerships import InviteForm, MemberForm
from ..services import DomainError, invitations, partnerships

bp = Blueprint("members", __name__, url_prefix="/p/<int:pid>/members")


def _city_choices(partnership):
    return options((city.id, city.name) for city in partnership.cities)


def _page(partnership, invite_form=None, link=None, status=200, refused=None):
    """The people page; `refused` = (membership, message) puts a refusal beside that person."""
    invite_form = invite_form or InviteForm(language=str(get_locale()))
    invite_form.city.choices = _city_choices(partnership)
    return render_template(
        "members/index.html",
        partnership=partnership,
        groups=partnerships.members_by_city(partnership),
        invitations=invitations.open_invitations(partnership),
        invite_form=invite_form,
        link=link,
        confirm=ConfirmForm(),
        may_manage=access.can(current_user, "manage", partnership),
        refused=refused,
    ), status


@bp.get("/")
@security.no_store
def index(pid):
    partnership = access.get_partnership_or_404(pid)
    return _page(partnership)


@bp.post("/invite")
def invite(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = InviteForm()
    form.city.choices = _city_choices(partnership)
    if not form.validate_on_submit():
        return _page(partnership, form, status=422)
    city = access.get_city_or_404(partnership, form.city.data)
    with rule_errors(form, "email"):
        _invitation, link = invitations.invite(
            partnership,
            form.email.data,
            form.role.data,
            city,
            actor=current_user,
            locale=form.language.data or str(get_locale()),
        )
    if form.errors:
        return _page(partnership, form, status=422)
    db.session.commit()
    flash(_("Invitation created for %(email)s.", email=form.email.data), "success")
    # The token is shown once, here: only its hash is stored.
    return _page(partnership, InviteForm(formdata=None, language=form.language.data), link=link)


@bp.post("/<int:mid>")
def change(pid, mid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    membership = access.get_membership_or_404(partnership, mid)
    form = MemberForm()
    form.city.choices = _city_choices(partnership)
    if not form.validate_on_submit():
        return _page(partnership, status=422, refused=(membership, _("Choose a role and a home city.")))
    city = access.get_city_or_404(partnership, form.city.data)
    try:
        partnerships.change_member(membership, form.role.data, city, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _page(partnership, status=error.status, refused=(membership, error.message))
    db.session.commit()
    flash(_("%(name)s has been updated.", name=membership.user.name), "success")
    return htmx.redirect_to(url_for("members.index", pid=pid))


@bp.post("/<int:mid>/remove")
def remove(pid, mid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    membership = access.get_membership_or_404(partnership, mid)
    if not ConfirmForm().validate_on_submit():
        return _page(partnership, status=422)
    name = membership.user.name
    try:
        partnerships.remove_member(membership, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _page(partnership, status=error.status, refused=(membership, error.message))
    db.session.commit()
    flash(_("%(name)s has been removed from the partnership.", name=name), "success")
    return htmx.redirect_to(url_for("members.index", pid=pid))


@bp.post("/invitations/<int:iid>/revoke")
def revoke_invitation(pid, iid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    invitation = access.get_invitation_or_404(partnership, iid)
    if not ConfirmForm().validate_on_submit():
        return _page(partnership, status=422)
    invitations.revoke(invitation, actor=current_user)
    db.session.commit()
    flash(_("The invitation has been revoked."), "success")
    return redirect(url_for("members.index", pid=pid), code=303)
