"""Calls for applications: opening a call, applying, reviewing, selecting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import mean, pstdev
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..csvsafe import to_csv
from ..extensions import db
from ..models import Application, Call, Criterion, Review, Score
from ..models.applications import STATUSES
from ..models.base import utcnow
from . import DomainError
from .activity import describes, log
from .mail import queue
from .tokens import hash_token, new_token

# Size limits of the public form (characters); the form validates them too.
ANSWER_MAX = 5000
FIELDS = (
    "applicant_city",
    "applicant_country",
    "partner_city",
    "partner_country",
    "institution",
    "contact_person",
    "email",
    "phone",
    "social",
    "partner_contact_person",
    "partner_email",
    "answer_who",
    "answer_hopes",
    "answer_motivation",
    "answer_other",
)
REQUIRED = (
    "applicant_city",
    "applicant_country",
    "partner_city",
    "partner_country",
    "institution",
    "contact_person",
    "email",
    "answer_who",
    "answer_hopes",
    "answer_motivation",
)
# Where an application may go next; "selected" is reached only through select_application.
TRANSITIONS = {
    "received": ("shortlisted", "declined"),
    "shortlisted": ("received", "declined"),
    "declined": ("received", "shortlisted"),
    "selected": (),
}
SCORE_RANGE = range(0, 6)


def to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time in `timezone` as naive UTC."""
    return local.replace(tzinfo=zone(timezone)).astimezone(UTC).replace(tzinfo=None)


def zone(name: str) -> ZoneInfo:
    try:
        if name not in available_timezones():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(_("Unknown time zone: %(zone)s", zone=name)) from None


def open_call(title, description, *, countries, deadline_local, timezone, languages, actor) -> Call:
    """Open a call; the deadline is given as wall-clock time in `timezone`."""
    call = Call(created_by_id=actor.id if actor else None)
    _fill_call(call, title, description, countries, deadline_local, timezone, languages)
    db.session.add(call)
    db.session.flush()
    log(actor, "call.opened", call, partnership=None, title=call.title)
    return call


def update_call(call, title, description, *, countries, deadline_local, timezone, languages, actor):
    _fill_call(call, title, description, countries, deadline_local, timezone, languages)
    db.session.flush()
    log(actor, "call.updated", call, partnership=None, title=call.title)


def _fill_call(call, title, description, countries, deadline_local, timezone, languages):
    countries = sorted({c.strip().upper() for c in countries if c.strip()})
    if not countries:
        raise DomainError(_("Choose at least one eligible country."))
    call.title = title.strip()
    call.description = description.strip()
    call.countries = countries
    call.languages = list(languages)
    call.timezone = timezone
    call.deadline = to_utc(deadline_local, timezone)


def list_calls() -> list[Call]:
    return list(db.session.scalars(db.select(Call).order_by(Call.deadline.desc())))


def open_calls(now: datetime | None = None) -> list[Call]:
    now = now or utcnow()
    return list(db.session.scalars(db.select(Call).where(Call.deadline > now).order_by(Call.deadline)))


def _check_application(call: Call, data: dict, now: datetime | None) -> dict:
    if not call.is_open(now):
        raise DomainError(
            _(
                "This call closed on %(deadline)s. Applications are no longer accepted.",
                deadline=format_deadline(call),
            )
        )
    clean = {key: (data.get(key) or "").strip() for key in FIELDS}
    missing = [key for key in REQUIRED if not clean[key]]
    if missing:
        raise DomainError(_("Please fill in every required field."))
    for key in ("applicant_country", "partner_country"):
        clean[key] = clean[key].upper()
        if clean[key] not in call.countries:
            raise DomainError(_("Cities from this country are not eligible in this call."))
    if any(len(clean[key]) > ANSWER_MAX for key in FIELDS):
        raise DomainError(_("An answer is too long (at most %(n)d characters).", n=ANSWER_MAX))
    if not data.get("self_declaration"):
        raise DomainError(
            _(
                "Please confirm that the application is supported by the officials "
                "responsible for the city partnership."
            )
        )
    clean["email"] = clean["email"].lower()
    clean["partner_email"] = clean["partner_email"].lower()
    return clean


def submit_application(call: Call, data: dict, *, locale="en", now=None) -> tuple[Application, str]:
    """Store an application and queue its confirmation; returns it and its private link token."""
    clean = _check_application(call, data, now)
    token = new_token()
    application = Application(
        call=call, token_hash=hash_token(token), self_declaration=True, locale=locale, **clean
    )
    db.session.add(application)
    db.session.flush()
    link = private_link(token)
    with force_locale(locale):
        queue(
            application.email,
            _("Your application to %(call)s", call=call.title),
            _(
                "Thank you, %(name)s: we have received the application of %(city)s and %(partner)s.\n\n"
                "You can view it, and correct it until %(deadline)s, at this private link "
                "(keep it to yourself):\n%(link)s\n",
                name=application.contact_person,
                city=application.applicant_city,
                partner=application.partner_city,
                deadline=format_deadline(call),
                link=link,
            ),
        )
    log(None, "application.received", application, partnership=None, call=call.id)
    return application, token


def update_application(application: Application, data: dict, *, now=None) -> None:
    """The applicant corrects their application; only while the call is open."""
    clean = _check_application(application.call, data, now)
    for key, value in clean.items():
        setattr(application, key, value)
    application.updated_at = utcnow()
    db.session.flush()
    log(None, "application.corrected", application, partnership=None)


def find_by_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(db.select(Application).where(Application.token_hash == hash_token(token)))


def private_link(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("applications.mine", token=token)
    return base + path if base else url_for("applications.mine", token=token, _external=True)


def format_deadline(call: Call) -> str:
    """The deadline in the call's own zone, naming the zone (e.g. "1 Mar 2027, 23:59 (Europe/Kyiv)")."""
    from flask_babel import format_date, format_time

    local = call.local_deadline.replace(tzinfo=None)
    when = f"{format_date(local, 'medium')}, {format_time(local, 'short', rebase=False)}"
    return f"{when} ({call.timezone})"


def list_applications(call: Call, *, status: str | None = None, country: str | None = None):
    query = db.select(Application).where(Application.call_id == call.id)
    if status:
        query = query.where(Application.status == status)
    if country:
        country = country.upper()
        query = query.where(
            (Application.applicant_country == country) | (Application.partner_country == country)
        )
    # The reviews come in two more queries, whatever the number of applications.
    query = query.options(selectinload(Application.reviews).selectinload(Review.scores))
    return list(db.session.scalars(query.order_by(Application.created_at)))


def add_criterion(call: Call, name: str, weight: int, *, actor) -> Criterion:
    if any(c.name.casefold() == name.strip().casefold() for c in call.criteria):
        raise DomainError(_("This criterion already exists."))
    criterion = Criterion(name=name.strip(), weight=weight, position=len(call.criteria))
    call.criteria.append(criterion)
    db.session.flush()
    log(actor, "criterion.added", criterion, partnership=None, name=criterion.name)
    return criterion


def remove_criterion(criterion: Criterion, *, actor) -> None:
    log(actor, "criterion.removed", criterion, partnership=None, name=criterion.name)
    db.session.delete(criterion)
    db.session.flush()


@dataclass
class ReviewSummary:
    """What `viewer` may see of an application's reviews: the others' only once they scored it."""

    count: int  # how many reviewers scored it
    mine: Review | None
    reviews: list[Review]  # every review, or none while the viewer has not scored it
    average: float | None = None
    low: int | None = None
    high: int | None = None
    deviation: float | None = None

    @property
    def hidden(self) -> bool:
        return self.mine is None and self.count > 0


def review_summary(application: Application, viewer) -> ReviewSummary:
    """The average and spread (range, standard deviation) of the reviewers' totals, for a reviewer
    who has scored the application themselves; before that only how many reviewers did."""
    reviews = list(application.reviews)
    mine = application.review_by(viewer)
    if mine is None or not reviews:
        return ReviewSummary(count=len(reviews), mine=mine, reviews=[])
    totals = [r.total for r in reviews]
    return ReviewSummary(
        count=len(reviews),
        mine=mine,
        reviews=sorted(reviews, key=lambda r: (r is not mine, r.id)),
        average=_tidy(mean(totals)),
        low=min(totals),
        high=max(totals),
        deviation=_tidy(pstdev(totals)),
    )


def _tidy(value: float) -> float | int:
    """Rounded to one decimal, and whole numbers as such (7, not 7.0)."""
    value = round(value, 1)
    return int(value) if value == int(value) else value


def score_application(
    application: Application, values: dict[int, int | None], *, actor, note: str = ""
) -> Review | None:
    """Set `actor`'s own scores (0–5 per criterion id; None clears one) and note.

    Each reviewer has one review per application; clearing every score without a note removes it.
    """
    criteria = {c.id for c in application.call.criteria}
    for criterion_id, value in values.items():
        if criterion_id not in criteria:
            raise DomainError(_("Unknown criterion."))
        if value is not None and value not in SCORE_RANGE:
            raise DomainError(_("Scores go from 0 to 5."))
    note = (note or "").strip()
    review = application.review_by(actor)
    kept = {s.criterion_id: s.value for s in review.scores} if review else {}
    kept.update(values)
    if all(value is None for value in kept.values()):
        if note:
            raise DomainError(_("Give at least one score to save a note."))
        if review is not None:
            application.reviews.remove(review)
            db.session.flush()
            log(actor, "application.unscored", application, partnership=None)
        return None
    if review is None:
        review = Review(reviewer_id=actor.id, note="")
        application.reviews.append(review)
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, value in values.items():
        score = existing.get(criterion_id)
        if value is None:
            if score is not None:
                review.scores.remove(score)
        elif score is None:
            review.scores.append(Score(criterion_id=criterion_id, value=value))
        else:
            score.value, score.updated_at = value, utcnow()
    review.note = note
    review.updated_at = utcnow()
    db.session.flush()
    log(actor, "application.scored", application, partnership=None, total=review.total)
    return review


def save_notes(application: Application, notes: str, *, actor) -> None:
    application.notes = (notes or "").strip()
    log(actor, "application.noted", application, partnership=None)


def set_status(application: Application, status: str, *, actor) -> None:
    if status not in STATUSES:
        raise DomainError(_("Unknown status."))
    if status not in TRANSITIONS[application.status]:
        raise DomainError(
            _(
                "An application cannot go from %(frm)s to %(to)s.",
                frm=status_label(application.status),
                to=status_label(status),
            )
        )
    old = application.status
    application.status = status
    log(actor, "application.status", application, partnership=None, frm=old, to=status)
    if status in DECISIONS:
        tell_decision(application)


@dataclass
class Contact:
    """A contact person of an application, invited at selection."""

    key: str  # "applicant" or "partner"
    name: str
    email: str
    city: int  # the default home city: 0 the applicant city, 1 the partner city


@dataclass
class Delivery:
    """One invitation created at selection, and how it reaches the person."""

    name: str
    email: str
    role: str
    city: str
    link: str


def contacts_of(application: Application) -> list[Contact]:
    """The people invited when the application is selected: its contact, and the partner city's."""
    contacts = [Contact("applicant", application.contact_person, application.email, 0)]
    if application.partner_email and application.partner_email != application.email:
        name = application.partner_contact_person or application.partner_email
        contacts.append(Contact("partner", name, application.partner_email, 1))
    return contacts


def mail_is_sent() -> bool:
    """Whether queued mail leaves the outbox (a mail server is configured); else links are passed on."""
    return bool(current_app.config.get("MAIL_SERVER"))


def select_application(application: Application, *, actor, choices: dict | None = None):
    """Select a shortlisted application: its partnership, both cities and invitations are created.

    `choices` maps a contact's key ("applicant" / "partner") to (role, city index); a contact
    not in it is invited as a member of their own city. Returns the partnership and the
    invitations (with their links, shown once). Needs a request context (invitation links are
    built with url_for). Creating the partnership also plans the standard workshop series (see
    partnerships.create_partnership).
    """
    from . import invitations, partnerships

    if application.status != "shortlisted":
        raise DomainError(_("Only shortlisted applications can be selected."))
    choices = choices or {}
    contacts = contacts_of(application)
    for contact in contacts:
        role, city = choices.get(contact.key, ("member", contact.city))
        partnerships.check_role(role)
        if city not in (0, 1):
            raise DomainError(_("Choose one of the two cities."))
    partnership = partnerships.create_partnership(
        f"{application.applicant_city} – {application.partner_city}",
        application.institution,
        [
            (application.applicant_city, application.applicant_country),
            (application.partner_city, application.partner_country),
        ],
        actor=actor,
    )
    application.status = "selected"
    application.partnership = partnership
    tell_decision(application)
    delivered = []
    for contact in contacts:
        role, index = choices.get(contact.key, ("member", contact.city))
        city = partnership.cities[index]
        _invitation, link = invitations.invite(
            partnership, contact.email, role, city, actor=actor, locale=application.locale
        )
        delivered.append(Delivery(contact.name, contact.email, role, city.name, link))
    log(
        actor,
        "application.selected",
        application,
        partnership=partnership,
        institution=application.institution,
    )
    return partnership, delivered


DECISIONS = ("shortlisted", "selected", "declined")


def tell_decision(application: Application) -> None:
    """Email the applicant the decision, in the language they applied in."""
    call = application.call
    with force_locale(application.locale or "en"):
        subject = _("Your application to %(call)s", call=call.title)
        if application.status == "shortlisted":
            body = _(
                "Dear %(name)s,\n\nthe application of %(city)s and %(partner)s to %(call)s is on our "
                "shortlist. We will be in touch about the next steps.\n",
                name=application.contact_person,
                city=application.applicant_city,
                partner=application.partner_city,
                call=call.title,
            )
        elif application.status == "selected":
            body = _(
                "Dear %(name)s,\n\ncongratulations: the application of %(city)s and %(partner)s to "
                "%(call)s has been selected. You will receive an invitation to your partnership's "
                "space on Sprintboard in a separate email.\n",
                name=application.contact_person,
                city=application.applicant_city,
                partner=application.partner_city,
                call=call.title,
            )
        else:
            body = _(
                "Dear %(name)s,\n\nthank you for the application of %(city)s and %(partner)s to "
                "%(call)s. We are sorry: this time it has not been selected.\n",
                name=application.contact_person,
                city=application.applicant_city,
                partner=application.partner_city,
                call=call.title,
            )
        queue(application.email, subject, body)


def status_label(status: str) -> str:
    return {
        "received": _("received"),
        "shortlisted": _("shortlisted"),
        "selected": _("selected"),
        "declined": _("declined"),
    }[status]


CSV_FIELDS = ("id", "status", "created_at", *FIELDS, "self_declaration")
CSV_SCORES = ("reviews", "average_score", "lowest_score", "highest_score", "score_deviation", "my_score")


def export_csv(call: Call, viewer) -> str:
    """Every application of the call as formula-safe CSV: the reviews' average and spread (only
    where `viewer` has scored the application too), then `viewer`'s own score per criterion."""
    criteria = call.criteria
    header = [*CSV_FIELDS, *CSV_SCORES, "notes", *(c.name for c in criteria)]
    rows = []
    for a in call.applications:
        summary = review_summary(a, viewer)
        mine = summary.mine
        row = [getattr(a, f) for f in CSV_FIELDS]
        row += [summary.count, summary.average, summary.low, summary.high, summary.deviation]
        row += [
            mine.total if mine else None,
            a.notes,
            *(mine.score_for(c) if mine else None for c in criteria),
        ]
        rows.append(row)
    return to_csv(header, rows)


@describes("application.selected")
def _selected(d, who):
    return _(
        "%(who)s selected the application of %(institution)s", who=who, institution=d.get("institution", "")
    )
