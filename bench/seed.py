"""Realistic data for the page benchmarks, in a database that is thrown away afterwards (needs Django set up).

`seed_people` is what the pages are viewed as: the demo accounts (`make setup`'s), a real issued badge made
public, a demo educator with a draft and a badge, and educators with drafts to autosave. `grow_to(n)` then adds
Classkick attempts in bulk until there are n of them, as a busy program would have: nearly all decided and
earned (each reviewed by the demo reviewer staff1 and holding a badge, half of them public), the few still in
review holding open assignments, the demo reviewer's capped at ten, as a reviewer's capacity caps them. Grown
rows are written directly (INSERTs of prepared values), since setting them up is not what is measured; the badges
they hold carry an empty document (the lists show titles and dates, never the signed text).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DEMO = "demo.microcred.test"
GROWN = "grown.bench.example"
BATCH = 5000
OPEN_FOR_REVIEWER = 10  # open assignments the measured reviewer holds, however large the program
REVIEWER, ADMIN = f"staff1@{DEMO}", f"admin-classkick@{DEMO}"  # the demo accounts the pages are viewed as


@dataclass
class People:
    educator: Any
    reviewer: Any
    admin: Any
    public_badge: Any
    typists: list[tuple[Any, int, str]]  # (educator, submission id, field "part.field") each with a draft


def _demo_accounts() -> None:
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("load_calibration_samples", stdout=quiet)
    call_command("seed_demo", stdout=quiet)


def _text_field(credential: Any) -> str:
    from catalog.schema import TextField

    return next(
        f"{part.id}.{spec.id}"
        for part in credential.current_version.spec.parts
        for spec in part.fields
        if isinstance(spec, TextField) and spec.multiline
    )


def seed_people(typists: int) -> People:
    from django.utils import timezone

    from accounts.models import User
    from awards.models import Badge, Visibility
    from awards.services import badge_issue, issuer_keys_create
    from bench.bench_awards import earned_attempts
    from catalog.models import Credential, Issuer
    from submissions.services import submission_start

    _demo_accounts()
    for issuer in Issuer.objects.all():
        issuer_keys_create(issuer=issuer)
    classkick = Credential.objects.select_related("current_version").get(slug="classkick-collaboration")
    rising = Credential.objects.select_related("current_version").get(slug="educators-rising-collaboration")
    public = badge_issue(attempt=earned_attempts(1, classkick)[0])
    Badge.objects.filter(pk=public.pk).update(visibility=Visibility.PUBLIC)
    educator = User.objects.get(email=f"educator@{DEMO}")
    # The demo educator's dashboard: a badge earned and a draft under way.
    attempt = earned_attempts(1, classkick)[0]
    from submissions.models import Submission

    Submission.objects.filter(pk=attempt.submission_id).update(educator=educator)
    attempt.submission.educator = educator
    Badge.objects.filter(pk=badge_issue(attempt=attempt).pk).update(visibility=Visibility.PUBLIC)
    submission_start(educator=educator, credential=rising)
    field = _text_field(rising)
    drafts = []
    for number in range(typists):
        user = User.objects.create_user(
            email=f"typist{number}@bench.example",
            password=None,
            name=f"Typist {number}",
            email_verified_at=timezone.now(),
        )
        submission, _ = submission_start(educator=user, credential=rising)
        drafts.append((user, submission.pk, field))
    return People(
        educator=educator,
        reviewer=User.objects.get(email=REVIEWER),
        admin=User.objects.get(email=ADMIN),
        public_badge=public,
        typists=drafts,
    )


def grown() -> int:
    from submissions.models import Attempt

    return Attempt.objects.filter(submission__educator__email__endswith=f"@{GROWN}").count()


UNDER_REVIEW_AT_LEAST = 60


def grow_to(n: int, reviewer: Any) -> None:
    """Add bulk Classkick attempts (and everything that hangs on them) until `n` have been grown."""
    from reviews.models import Assignment, AssignmentState

    start = grown()
    # The last few added are still in review; the reviewer holds open assignments for some of them, up to ten. At
    # least a full page of the pipeline (50 attempts) and one more, so that the smallest size compares a page of the
    # same length as the largest, not a shorter one.
    in_review = set(range(max(start, n - max(UNDER_REVIEW_AT_LEAST, (n - start) // 100)), n))
    held = Assignment.objects.filter(reviewer=reviewer, state=AssignmentState.OPEN).count()
    mine_open = set(sorted(in_review)[: max(0, OPEN_FOR_REVIEWER - held)])
    for first in range(start, n, BATCH):
        _grow_batch(range(first, min(first + BATCH, n)), n, reviewer, in_review, mine_open)


def _plain(field: Any) -> type | None:
    """The type whose values (and NULL) `field`'s get_db_prep_save hands back as they are, if it is one of
    Django's own number, text or boolean columns, or a key to a number. Django's own only: a subclass may
    prepare its values (encrypt them, say)."""
    from django.db import models

    if isinstance(field, models.ForeignKey):
        return _plain(field.target_field)
    if not type(field).__module__.startswith("django.db.models."):
        return None
    for kind, python in ((models.BooleanField, bool), (models.IntegerField, int)):
        if isinstance(field, kind):
            return python
    return str if isinstance(field, models.CharField | models.TextField) else None


def _preparer(field: Any, connection: Any, moments: dict[datetime, Any]) -> Any:
    """The function that turns a value of `field` into what the database driver is given, as `get_db_prep_save`
    does: its work made once per column rather than once per value, where the value needs none (a number, a
    string, a boolean or NULL in a plain column) or only the backend's date-time adapter (each date-time
    adapted once, in `moments`: a grown row's few dates recur across the tables)."""
    from django.db import models

    prepare = field.get_db_prep_save
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value

        def moment(value: Any) -> Any:
            # An aware date-time is what get_prep_value hands the adapter unchanged; anything else takes the
            # whole way.
            if isinstance(value, datetime) and value.tzinfo is not None:
                adapted = moments.get(value)
                if adapted is None:
                    adapted = moments[value] = adapt(value)
                return adapted
            return prepare(value, connection)

        return moment
    kind = _plain(field)
    if kind is not None:

        def plain(value: Any) -> Any:
            return value if value is None or type(value) is kind else prepare(value, connection)

        return plain
    return lambda value: prepare(value, connection)


def _insert(model: Any, template: Any, rows: list[dict[str, Any]], moments: dict[datetime, Any]) -> int:
    """Insert one row per dict (attribute name -> value), every other column as in `template`; the first new id.

    bulk_create prepares every field of every object in Python, which made 100k rows take many minutes on a busy
    machine; here only the columns that differ are prepared per row. Ids are given explicitly (the next free ones;
    nothing else writes during seeding), and PostgreSQL's sequence is moved past them afterwards."""
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Max

    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    position = {f.attname: number for number, f in enumerate(fields, start=1)}
    preparers = {f.attname: _preparer(f, connection, moments) for f in fields}
    first = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    base = [first, *(f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in fields)])
    # Names from the model's own metadata, quoted; every value goes as a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
    params = []
    for number, row in enumerate(rows):
        values = base.copy()
        values[0] = first + number
        for name, value in row.items():
            values[position[name]] = preparers[name](value)
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    return first


def _grow_batch(numbers: range, total: int, reviewer: Any, in_review: set[int], mine_open: set[int]) -> None:
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from awards.models import Badge, IssuerKey, StatusList, Visibility
    from catalog.models import Credential
    from reviews.models import Assignment, AssignmentState, Seat
    from submissions.models import Attempt, AttemptStatus, Status, Submission

    credential = Credential.objects.select_related("current_version", "issuer").get(slug="classkick-collaboration")
    version = credential.current_version
    assert version is not None
    status_list = StatusList.objects.filter(issuer=credential.issuer).order_by("-number").first()
    assert status_list is not None
    signing = IssuerKey.objects.get(issuer=credential.issuer, algorithm="Ed25519", is_active=True)
    jwt_key = IssuerKey.objects.get(issuer=credential.issuer, algorithm="P-256", is_active=True)
    other = User.objects.filter(email__startswith="staff2@").values_list("pk", flat=True).first()
    now = timezone.now()
    top = Badge.objects.filter(status_list=status_list).order_by("-status_index").values_list("status_index", flat=True)
    next_index = (top.first() or 0) + 1
    when = {i: now - timedelta(minutes=200_000 - i) for i in numbers}  # in the order grown, all in the past
    holders = {i: reviewer.pk if (i not in in_review or i in mine_open) else other for i in numbers}
    tag = secrets.token_hex(3)
    moments: dict[datetime, Any] = {}
    with transaction.atomic():
        user0 = _insert(
            User,
            User(email="template@bench.example", name="", password="!"),
            [{"email": f"e{i}-{tag}@{GROWN}", "name": f"Educator {i}"} for i in numbers],
            moments,
        )
        users = {i: user0 + k for k, i in enumerate(numbers)}
        submission0 = _insert(
            Submission,
            Submission(educator_id=user0, credential=credential, version=version, status=Status.EARNED, is_open=False),
            [
                {"educator_id": users[i]} | ({"status": Status.IN_REVIEW, "is_open": True} if i in in_review else {})
                for i in numbers
            ],
            moments,
        )
        submissions = {i: submission0 + k for k, i in enumerate(numbers)}
        attempt0 = _insert(
            Attempt,
            Attempt(
                submission_id=submission0,
                number=1,
                version=version,
                responses={},
                submitted_by_id=user0,
                submitted_at=now,
                status=AttemptStatus.EARNED,
                status_changed_at=now,
            ),
            [
                {
                    "submission_id": submissions[i],
                    "submitted_by_id": users[i],
                    "submitted_at": when[i],
                    "status_changed_at": when[i],
                }
                | ({"status": AttemptStatus.IN_REVIEW} if i in in_review else {})
                for i in numbers
            ],
            moments,
        )
        attempts = {i: attempt0 + k for k, i in enumerate(numbers)}
        seat0 = _insert(
            Seat,
            Seat(attempt_id=attempt0, position=1, kind="issuer_staff", title="Classkick staff", created_at=now),
            [
                {
                    "attempt_id": attempts[i],
                    "reviewer_id": holders[i],
                    "created_at": when[i],
                    "closed_at": None if i in in_review else when[i] + timedelta(days=3),
                }
                for i in numbers
            ],
            moments,
        )
        _insert(
            Assignment,
            Assignment(
                seat_id=seat0,
                attempt_id=attempt0,
                reviewer_id=reviewer.pk,
                state=AssignmentState.SUBMITTED,
                assigned_at=now,
                due_at=now,
                expires_at=now,
            ),
            [
                {
                    "seat_id": seat0 + k,
                    "attempt_id": attempts[i],
                    "reviewer_id": holders[i],
                    "assigned_at": when[i],
                    "due_at": when[i] + timedelta(days=14),
                    "expires_at": when[i] + timedelta(days=21),
                }
                | ({"state": AssignmentState.OPEN} if i in in_review else {})
                for k, i in enumerate(numbers)
            ],
            moments,
        )
        earned = [i for i in numbers if i not in in_review]
        _insert(
            Badge,
            Badge(
                attempt_id=attempt0,
                earner_id=user0,
                credential=credential,
                version=version,
                issuer=credential.issuer,
                title=version.spec.title,
                issued_at=now,
                status_list=status_list,
                status_index=0,
                signing_key=signing,
                jwt_key=jwt_key,
                jwt="",
                visibility=Visibility.UNLISTED,
            ),
            [
                {
                    "uuid": uuid.uuid4(),
                    "attempt_id": attempts[i],
                    "earner_id": users[i],
                    "issued_at": when[i] + timedelta(days=3),
                    "status_index": next_index + position,
                }
                | ({"visibility": Visibility.PUBLIC} if i % 2 else {})
                for position, i in enumerate(earned)
            ],
            moments,
        )
        StatusList.objects.filter(pk=status_list.pk).update(used=status_list.used + len(earned))
