"""Background work for reviews, for a database-backed worker (or run inline by the immediate backend).

A scheduler runs `reviews_tick` (deadlines) every hour or so and `reviews_fill_waiting_seats` every few
minutes; the services also enqueue the latter after any change that may let a waiting seat be filled
(a reviewer calibrated, submitted, declined or was relieved of an assignment). The management commands
of the same names do the same work from cron.
"""

from __future__ import annotations

from django_tasks import task

from reviews import services


@task()
def reviews_tick() -> dict[str, int]:
    report = services.reviews_tick()
    return {"reminded": report.reminded, "overdue": report.overdue, "expired": report.expired}


@task()
def reviews_fill_waiting_seats() -> int:
    return services.seats_fill_waiting()
