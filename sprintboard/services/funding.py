"""Funding ideas: creating, editing, moving through the pipeline, totals and deadlines.

Pipeline rules (TRANSITIONS): while an idea is open (idea, researching, drafting, submitted)
it may move to any other open stage (skip the research for a well-known programme, or go back
to drafting when the funder asks for changes) or be withdrawn. Only a submitted application is
granted or rejected. A decision recorded by mistake goes back to "submitted"; a rejected or
withdrawn idea is reopened as a new "idea" (say, for the programme's next call). A grant is not
reopened as an idea: a new application is a new funding idea.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import timezones
from ..extensions import db
from ..i18n import LANGUAGES
from ..models import (
    CURRENCIES,
    FUNDING_STATUSES,
    OPEN_FUNDING_STATUSES,
    FundingIdea,
    Partnership,
    Project,
    User,
)
from ..models.base import utcnow
from . import DomainError
from .activity import describes, log

STATUS_LABELS = {
    "idea": _l("Idea"),
    "researching": _l("Researching"),
    "drafting": _l("Drafting"),
    "submitted": _l("Submitted"),
    "granted": _l("Granted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}

TRANSITIONS = {
    **{s: {*OPEN_FUNDING_STATUSES, "withdrawn"} - {s} for s in OPEN_FUNDING_STATUSES},
    "submitted": {"idea", "researching", "drafting", "granted", "rejected", "withdrawn"},
    "granted": {"submitted"},
    "rejected": {"submitted", "idea"},
    "withdrawn": {"idea"},
}

MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
FIELDS = (
    "title",
    "funder",
    "programme",
    "url",
    "amount",
    "cofunding",
    "currency",
    "deadline",
    "owner",
    "next_step",
    "notes",
    "projects",
    "language",
)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# Values ------------------------------------------------------------------------------------


def parse_amount(value) -> Decimal | None:
    """An exact, non-negative amount with at most two decimals; '' means none.

    Text is read in the current language ("25.000,50" in German, "25,000.50" in English,
    "25 000,50" in Russian), and "25000.50" is understood everywhere. Nothing is rounded."""
    if value is None or isinstance(value, Decimal):
        amount = value
    else:
        text = "".join(str(value).split()).replace("\u202f", "").replace("'", "")
        if not text:
            return None
        amount = _read_number(text)
    if amount is None:
        return None
    if not amount.is_finite():
        raise DomainError(_("Enter an amount as a number, e.g. 25000.00."))
    if amount < 0:
        raise DomainError(_("An amount cannot be negative."))
    if amount > MAX_AMOUNT:  # (before quantize: a 5,000-digit number cannot be quantized)
        raise DomainError(_("That amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(_("An amount can have at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def _read_number(text: str) -> Decimal:
    try:
        locale = str(get_locale() or "en") if has_request_context() else "en"
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        raise DomainError(_("Enter an amount as a number, e.g. 25000.00.")) from None


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code not in CURRENCIES:
        raise DomainError(_("Unknown currency: use an ISO 4217 code such as EUR, UAH or PLN."))
    return code


def _clean(partnership: Partnership, values: dict, current_owner: User | None = None) -> dict:
    title = " ".join((values.get("title") or "").split())
    if not title:
        raise DomainError(_("A funding idea needs a title."))
    if len(title) > 200:
        raise DomainError(_("A title can have at most %(n)d characters.", n=200))
    url = (values.get("url") or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise DomainError(_("A link must start with http:// or https://."))
    deadline = values.get("deadline")
    if deadline is not None and not isinstance(deadline, date):
        raise DomainError(_("Enter the deadline as a date (YYYY-MM-DD)."))
    owner = values.get("owner")
    if owner is not None and owner is not current_owner and not _is_member(owner, partnership):
        raise DomainError(_("The owner must be a member of the partnership."))
    language = values.get("language") or None
    if language is not None and language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    projects = list(values.get("projects") or [])
    if any(p.partnership_id != partnership.id for p in projects):
        raise DomainError(_("That belongs to another partnership."))
    return {
        "title": title,
        "funder": (values.get("funder") or "").strip()[:200],
        "programme": (values.get("programme") or "").strip()[:200],
        "url": url[:500],
        "amount": parse_amount(values.get("amount")),
        "cofunding": parse_amount(values.get("cofunding")),
        "currency": check_currency(values.get("currency") or "EUR"),
        "deadline": deadline,
        "owner": owner,
        "next_step": (values.get("next_step") or "").strip()[:300],
        "notes": (values.get("notes") or "").strip(),
        "projects": projects,
        # (the original language of title and next step; none given: its author's, see translations)
        "language": language,
    }


def _is_member(user: User, partnership: Partnership) -> bool:
    from ..models import Membership

    return (
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.user_id == user.id, Membership.partnership_id == partnership.id
            )
        )
        > 0
    )


# Writes ------------------------------------------------------------------------------------


def create_funding_idea(partnership: Partnership, *, actor, status: str = "idea", **values) -> FundingIdea:
    """A new funding idea (fields as in FIELDS; amounts as Decimal or text)."""
    if status not in FUNDING_STATUSES:
        raise DomainError(_("Unknown status."))
    clean = _clean(partnership, values)
    idea = FundingIdea(
        partnership=partnership, status=status, created_by_id=actor.id if actor else None, **clean
    )
    db.session.add(idea)
    db.session.flush()
    log(actor, "funding.created", idea, partnership=partnership, title=idea.title)
    return idea


def update_funding_idea(idea: FundingIdea, *, actor, **values) -> list[str]:
    """Change the idea's fields; returns the names of the fields that changed."""
    # (An owner who has since left the partnership may stay the owner until someone changes it.)
    clean = _clean(
        idea.partnership, {**{f: getattr(idea, f) for f in FIELDS}, **values}, current_owner=idea.owner
    )
    changed = []
    for field, value in clean.items():
        current = getattr(idea, field)
        if field == "projects":
            if {p.id for p in current} != {p.id for p in value}:
                idea.projects = value
                changed.append(field)
        elif current != value:
            setattr(idea, field, value)
            changed.append(field)
    if changed:
        idea.updated_at = utcnow()
        db.session.flush()
        log(actor, "funding.updated", idea, partnership=idea.partnership, title=idea.title, fields=changed)
    return changed


def move_funding_idea(idea: FundingIdea, status: str, *, actor) -> bool:
    """Move the idea to `status` if the pipeline allows it; False if it is there already."""
    if status not in FUNDING_STATUSES:
        raise DomainError(_("Unknown status."))
    if status == idea.status:
        return False
    if status not in TRANSITIONS[idea.status]:
        raise DomainError(
            _(
                "A funding idea cannot go from “%(frm)s” to “%(to)s”.",
                frm=status_label(idea.status),
                to=status_label(status),
            )
        )
    old = idea.status
    idea.status = status
    idea.updated_at = utcnow()
    db.session.flush()
    log(actor, "funding.moved", idea, partnership=idea.partnership, title=idea.title, frm=old, to=status)
    return True


def neighbour_status(status: str, step: int) -> str | None:
    """The pipeline column before (step=-1) or after (step=1) `status` on the board."""
    i = FUNDING_STATUSES.index(status) + step
    return FUNDING_STATUSES[i] if 0 <= i < len(FUNDING_STATUSES) else None


def delete_funding_idea(idea: FundingIdea, *, actor) -> None:
    """The idea goes, with its attachments (their stored files once the deletion is committed)."""
    from .attachments import attachments_of, forget_files

    log(actor, "funding.deleted", idea, partnership=idea.partnership, title=idea.title)
    forget_files(attachments_of(idea))  # the rows go with the idea (ON DELETE CASCADE)
    db.session.delete(idea)
    db.session.flush()


# Reads -------------------------------------------------------------------------------------


def ideas_of(partnership: Partnership) -> list[FundingIdea]:
    """All ideas, by deadline (those without one last), then title."""
    return list(
        db.session.scalars(
            select(FundingIdea)
            .where(FundingIdea.partnership_id == partnership.id)
            .options(db.selectinload(FundingIdea.owner), db.selectinload(FundingIdea.projects))
            .order_by(FundingIdea.deadline.is_(None), FundingIdea.deadline, FundingIdea.title, FundingIdea.id)
        )
    )


def pipeline(partnership: Partnership) -> list[tuple[str, list[FundingIdea]]]:
    """(status, ideas by deadline) for every status, in pipeline order."""
    columns = {status: [] for status in FUNDING_STATUSES}
    for idea in ideas_of(partnership):
        columns[idea.status].append(idea)
    return list(columns.items())


def totals(partnership_ids) -> dict[int, dict[str, dict[str, Decimal]]]:
    """{partnership id: {status: {currency: requested amount}}} in one grouped query.

    Amounts are summed per currency only: there is no conversion between currencies."""
    rows = db.session.execute(
        select(
            FundingIdea.partnership_id, FundingIdea.status, FundingIdea.currency, func.sum(FundingIdea.amount)
        )
        .where(FundingIdea.partnership_id.in_(list(partnership_ids)), FundingIdea.amount.is_not(None))
        .group_by(FundingIdea.partnership_id, FundingIdea.status, FundingIdea.currency)
    ).all()
    result: dict = defaultdict(lambda: defaultdict(dict))
    for pid, status, currency, total in rows:
        result[pid][status][currency] = Decimal(total).quantize(Decimal("0.01"))
    return result


def totals_by_status(partnership: Partnership) -> list[tuple[str, list[tuple[str, Decimal]]]]:
    """[(status, [(currency, total), …])] in pipeline order, only statuses with amounts."""
    per_status = totals([partnership.id]).get(partnership.id, {})
    return [(s, sorted(per_status[s].items())) for s in FUNDING_STATUSES if s in per_status]


def upcoming_deadlines(partnership: Partnership, days: int = 30, today: date | None = None):
    """Open ideas whose deadline falls within the next `days` days, soonest first."""
    today = today or timezones.partnership_today(partnership)
    return list(
        db.session.scalars(
            select(FundingIdea)
            .where(
                FundingIdea.partnership_id == partnership.id,
                FundingIdea.status.in_(("idea", "researching", "drafting")),
                FundingIdea.deadline >= today,
                FundingIdea.deadline <= today + timedelta(days=days),
            )
            .order_by(FundingIdea.deadline, FundingIdea.title)
        )
    )


def projects_of(partnership: Partnership) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project).where(Project.partnership_id == partnership.id).order_by(Project.title)
        )
    )


# Activity sentences ------------------------------------------------------------------------


@describes("funding.created")
def _created(d, who):
    return _("%(who)s added the funding idea %(title)s", who=who, title=d.get("title", ""))


@describes("funding.updated")
def _updated(d, who):
    return _("%(who)s edited the funding idea %(title)s", who=who, title=d.get("title", ""))


@describes("funding.moved")
def _moved(d, who):
    return _(
        "%(who)s moved the funding idea %(title)s from %(frm)s to %(to)s",
        who=who,
        title=d.get("title", ""),
        frm=status_label(d.get("frm", "")),
        to=status_label(d.get("to", "")),
    )


@describes("funding.deleted")
def _deleted(d, who):
    return _("%(who)s deleted the funding idea %(title)s", who=who, title=d.get("title", ""))
