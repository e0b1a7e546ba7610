"""What /metrics reads when it is scraped: the outbox backlog and the tasks in the queue."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily

from ..extensions import db
from ..models import Outbox
from ..models.base import utcnow
from ..queue import queue

log = logging.getLogger(__name__)


class AppCollector:
    """Read at scrape time, in the app context of the /metrics request."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        yield from self._outbox()
        pending = GaugeMetricFamily("sprintboard_queue_pending", "Tasks waiting in the queue")
        try:
            pending.add_metric([], queue.huey_of_app(self.app).pending_count())
        except Exception:  # noqa: BLE001 - a scrape never fails on one source
            log.warning("metrics: the queue could not be read")
        yield pending

    def _outbox(self):
        backlog = GaugeMetricFamily("sprintboard_outbox_backlog", "Emails not sent yet (not given up)")
        failed = GaugeMetricFamily("sprintboard_outbox_failed", "Emails given up after every attempt")
        oldest = GaugeMetricFamily(
            "sprintboard_outbox_oldest_due_seconds", "How long the oldest due email has waited"
        )
        try:
            c = Outbox.__table__.c
            now = utcnow()
            due = sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now)
            waiting = sa.and_(c.sent_at.is_(None), c.failed_at.is_(None))
            row = db.session.execute(
                sa.select(
                    sa.func.count().filter(waiting),
                    sa.func.count().filter(c.failed_at.is_not(None)),
                    sa.func.min(sa.func.coalesce(c.next_attempt_at, c.created_at)).filter(
                        sa.and_(waiting, due)
                    ),
                )
            ).one()
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.warning("metrics: the outbox could not be read")
            return
        finally:
            db.session.remove()
        backlog.add_metric([], row[0])
        failed.add_metric([], row[1])
        oldest.add_metric([], max(0.0, (now - row[2]).total_seconds()) if row[2] else 0.0)
        yield from (backlog, failed, oldest)
