"""PostgreSQL as production runs it: a query run again on a connection is prepared, not planned again.

This looks at the test database's own connection, which is made from the same settings as every server's."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_query_run_again_on_a_connection_is_prepared_once(db, make_user):
    make_user("petra@example.org")
    for _ in range(6):  # psycopg prepares a query on its fifth run (prepare_threshold)
        assert User.objects.filter(email="petra@example.org").values_list("name", flat=True).get() == "Petra"
    prepared = [statement for statement in _prepared_here() if '"accounts_user"."email" = $1' in statement]
    assert len(prepared) == 1, _prepared_here()
