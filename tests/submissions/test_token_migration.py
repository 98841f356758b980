"""api.0002: tokens made before scopes and lifetimes keep writing, and stop living forever."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from api.models import PersonalAccessToken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_migrations")]


def migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_tokens_keep_their_write_scope_and_get_an_expiry_within_a_year(educator, latest) -> None:
    old = migrate([("api", "0001_initial")])
    token = old.get_model("api", "PersonalAccessToken")
    soon = timezone.now() + timedelta(days=10)
    for name, expires_at in [("forever", None), ("far", timezone.now() + timedelta(days=3000)), ("soon", soon)]:
        token.objects.create(user_id=educator.pk, name=name, prefix=name, token_hash=name * 8, expires_at=expires_at)

    migrate([("api", "0002_token_scope_and_lifetime")])

    rows = {row.name: row for row in PersonalAccessToken.objects.all()}
    assert {row.scope for row in rows.values()} == {"write"}
    a_year = timezone.now() + timedelta(days=365)
    for name in ("forever", "far"):
        expires_at = rows[name].expires_at
        assert expires_at is not None
        assert a_year - timedelta(minutes=5) < expires_at <= a_year
    assert rows["soon"].expires_at == soon
