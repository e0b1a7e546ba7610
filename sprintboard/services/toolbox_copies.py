"""A partnership's own copies of shared toolbox methods: adapted without changing the original."""

from __future__ import annotations

from ..extensions import db
from ..models import Method, MethodTranslation
from ..models.base import utcnow
from . import toolbox
from .activity import log


def copy_of(method: Method, partnership) -> Method | None:
    """The partnership's copy of the shared `method`, if it made one."""
    return db.session.scalar(
        db.select(Method)
        .where(Method.adapted_from_id == method.id, Method.partnership_id == partnership.id)
        .order_by(Method.id)
        .limit(1)
    )


def adapt_method(method: Method, partnership, *, actor) -> tuple[Method, bool]:
    """The partnership's own copy of a shared method (made now unless it has one): (copy, made)."""
    existing = copy_of(method, partnership)
    if existing is not None:
        return existing, False
    copy = Method(
        slug=toolbox.unique_slug(f"p{partnership.id}-{method.slug}"),
        partnership=partnership,
        adapted_from=method,
        **{key: getattr(method, key) for key in toolbox.META_FIELDS},
    )
    for t in method.translations:
        copy.translations.append(
            MethodTranslation(locale=t.locale, **{key: getattr(t, key) for key in toolbox.TEXT_FIELDS})
        )
    copy.updated_at = utcnow()
    db.session.add(copy)
    db.session.flush()
    log(actor, "method.adapted", copy, partnership=partnership, slug=copy.slug, original=method.slug)
    return copy, True


def copies_in(partnerships) -> list[Method]:
    """The own copies of these partnerships, by partnership and title slug."""
    ids = [p.id for p in partnerships]
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(Method)
            .where(Method.partnership_id.in_(ids))
            .options(db.selectinload(Method.translations), db.joinedload(Method.partnership))
            .order_by(Method.partnership_id, Method.slug)
        )
    )
