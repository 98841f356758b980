"""Background work for reviews, for a database-backed worker (or run inline by the immediate backend).

A scheduler runs `reviews_tick` (deadlines) every hour or so and `reviews_fill_waiting_seats` every few
minutes; the services also enqueue the latter after any change that may let a waiting seat be filled
(a reviewer calibrated, submitted, declined or was relieved of an assignment), which is why that task is
defined beside them, in reviews.services.panels. The management commands of the same names do the same
work from cron.
"""

from __future__ import annotations

from django_tasks import task

from core.changes import prune
from reviews import services
from reviews.services.panels import reviews_fill_waiting_seats

__all__ = ["reviews_fill_waiting_seats", "reviews_tick"]


@task()
def reviews_tick() -> dict[str, int]:
    report = services.reviews_tick()
    # The hourly job also keeps the change log short (core/changes.py).
    pruned = prune()
    return {"reminded": report.reminded, "overdue": report.overdue, "expired": report.expired, "pruned": pruned}
