"""Queries whose SQL the ORM builds once per database connection, then only runs with new keys.

Why: on the hottest paths (the session and user read of every signed-in request, an API token's lookup, autosave,
the public pages' versions) building the queryset (filters, joins, select_related, compiling to SQL) costs the
ORM several times what running it costs the database. So `build(*keys)` is called once per connection with a
marker per key (a value no row has, of the key's type), the SQL and its parameters are kept, each marker is found
among the parameters, and from then on the SQL runs with the caller's keys put in the markers' places. Everything
still goes through Django's cursor, so query counting, execute wrappers and the connection's health check see it.

- `CompiledRows(build, *key_types).fetch(*keys)`: rows as the driver returns them, without the fields' converters
  (for comparing and hashing, such as a page's version, not for showing); `.converted(*keys)`: the rows a
  `values_list()` of the queryset gives (each column through its converters), for showing; `.convert(rows)`: rows
  fetched before, so converted (a page's state, read once, then drawn from).
- `CompiledModels(build, *key_types).all(*keys)` / `.one(*keys)`: model instances made as the ORM makes them
  (`Model.from_db` with the selected or deferred fields, each field's converters, select_related's objects by
  Django's own populators, annotations set as attributes); a `select_for_update()` query is still refused outside
  a transaction. `.rows(*keys)`:
  the same query's rows as the driver returns them (a state to compare, as CompiledRows gives).
- `CompiledUpdate(Model, fields).run(obj)`: `UPDATE ... SET <fields> WHERE pk = ...` from an instance. With
  `guards=(column, ...)`, `.run(obj, *expected)` adds `AND column = expected` for each: a write that takes effect
  only if those columns still hold what was read (0 rows changed otherwise).

What a caller must never do: put into the query anything that can change between calls other than through its
declared keys. The SQL and every other parameter are frozen at the first build on each connection, for the life of
the process: no `timezone.now()` or `date.today()`, nothing read from settings, the active language or the request.
Pass such a value as a key, or compare it in Python after the fetch. A date or datetime parameter is refused when
the plan is made (`ValueError`), since it is almost always "now" frozen by mistake.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.subqueries import UpdateQuery
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)
KeyType = type[int] | type[str] | type[UUID]

# Enough for a page of ids passed one key each (a page of 50 and one more, to learn whether there is a next).
_MAX_KEYS = 64
# Keys no real row has, one per key position, of the key's type, found again among the compiled parameters.
_MARKERS: dict[Any, tuple[Any, ...]] = {
    int: tuple(-(2**31) + 7919 * (n + 1) for n in range(_MAX_KEYS)),
    str: tuple(f"\x1fcompiled-key-{n}\x1f" for n in range(_MAX_KEYS)),
    UUID: tuple(UUID(int=n + 1) for n in range(_MAX_KEYS)),
}
# How a date or datetime reaches the driver on SQLite (as text); PostgreSQL gets the object itself.
_MOMENT_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?")


def _markers(key_types: Sequence[KeyType], owner: str) -> tuple[Any, ...]:
    if len(key_types) > _MAX_KEYS:
        raise ValueError(f"{owner} takes at most {_MAX_KEYS} keys")
    try:
        return tuple(_MARKERS[kind][n] for n, kind in enumerate(key_types))
    except KeyError:
        raise ValueError(f"{owner} keys are int, str or UUID") from None


@dataclass(frozen=True)
class _Keys:
    """Where each key goes among the compiled parameters, and whether it goes as a UUID's hex (a backend without a
    native UUID column: SQLite)."""

    params: tuple[Any, ...]
    positions: tuple[int, ...]
    hexes: tuple[bool, ...]

    def values(self, keys: Sequence[Any]) -> list[Any]:
        values = list(self.params)
        for position, hexed, key in zip(self.positions, self.hexes, keys, strict=True):
            if isinstance(self.params[position], UUID) or hexed:
                key = key if isinstance(key, UUID) else UUID(str(key))
            values[position] = key.hex if hexed else key
        return values


def _locate(params: Sequence[Any], markers: tuple[Any, ...], owner: str) -> _Keys:
    """The shared half of every plan: each marker found exactly once, and no frozen moment among the rest."""
    positions: list[int] = []
    hexes: list[bool] = []
    for marker in markers:
        found = [(i, False) for i, value in enumerate(params) if type(value) is type(marker) and value == marker]
        if isinstance(marker, UUID):
            found += [(i, True) for i, value in enumerate(params) if type(value) is str and value == marker.hex]
        if len(found) != 1:
            raise ValueError(f"{owner} needs each key as exactly one parameter of the query")
        positions.append(found[0][0])
        hexes.append(found[0][1])
    for i, value in enumerate(params):
        if i in positions:
            continue
        if isinstance(value, date | time) or (isinstance(value, str) and _MOMENT_TEXT.fullmatch(value)):
            raise ValueError(
                f"{owner}: the parameter {value!r} would be frozen at the first build; pass it as a key, "
                "or compare it in Python after the fetch"
            )
    return _Keys(params=tuple(params), positions=tuple(positions), hexes=tuple(hexes))


@dataclass(frozen=True)
class _RowsPlan:
    sql: str
    keys: _Keys
    # Each selected column's converters (the ORM's, as results_iter applies them), by position.
    converters: list[tuple[int, tuple[list[Callable[..., Any]], Any]]]
    columns: int


class CompiledRows:
    """`build(*keys)` (a queryset in which each key is exactly one parameter) run for new keys without building it
    again; no key types for a query without a key. `fetch` gives rows as the driver returns them; `converted`, as
    a `values_list()` of the same queryset would (each column through its field's converters: datetimes, UUIDs,
    booleans and decimals as Python makes them, on every backend)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *key_types: KeyType) -> None:
        self._build = build
        self._markers = _markers(key_types, "CompiledRows")
        self._plans: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _RowsPlan] = weakref.WeakKeyDictionary()
        self._model: type[Model] | None = None

    def _plan(self, connection: BaseDatabaseWrapper) -> _RowsPlan:
        plan = self._plans.get(connection)
        if plan is None:
            compiler = self._build(*self._markers).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            columns = compiler.col_count
            converters = compiler.get_converters([column[0] for column in compiler.select[:columns]])
            plan = self._plans[connection] = _RowsPlan(
                sql=sql,
                keys=_locate(params, self._markers, "CompiledRows"),
                converters=list(converters.items()),
                columns=columns,
            )
        return plan

    def _run(self, keys: Sequence[Any]) -> tuple[BaseDatabaseWrapper, _RowsPlan, list[Any]]:
        if self._model is None:
            self._model = self._build(*self._markers).model
        connection = connections[router.db_for_read(self._model)]
        plan = self._plan(connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.keys.values(keys))
            return connection, plan, cursor.fetchall()

    def fetch(self, *keys: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(keys)[2]]

    def converted(self, *keys: Any) -> list[tuple[Any, ...]]:
        return self.convert(self._run(keys)[2])

    def convert(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Rows `fetch` gave, as `converted` would have given them: a state read once can be shown without reading
        it again."""
        if self._model is None:
            self._model = self._build(*self._markers).model
        connection = connections[router.db_for_read(self._model)]
        plan = self._plan(connection)
        if not plan.converters:
            return [tuple(row[: plan.columns]) for row in rows]
        found = []
        for fetched in rows:
            row = list(fetched[: plan.columns])
            for position, (convs, expression) in plan.converters:
                value = row[position]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[position] = value
            found.append(tuple(row))
        return found


@dataclass(frozen=True)
class _Plan:
    sql: str
    keys: _Keys
    locks: bool
    converters: list[tuple[int, tuple[list[Callable[..., Any]], Any]]]
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list[Any]
    # Each annotation's attribute and column, set on the instance as the ORM sets it.
    annotations: list[tuple[str, int]]


class CompiledModels(Generic[M]):
    """`build(*keys)` (a queryset of `M` in which each key is exactly one parameter) run for new keys without
    building it again. Keys are ints and strings as the database takes them (ids, hashes), or UUIDs."""

    def __init__(self, build: Callable[..., QuerySet[M]], *key_types: KeyType) -> None:
        if not key_types:
            raise ValueError(f"CompiledModels takes one to {_MAX_KEYS} keys")
        self._build = build
        self._markers = _markers(key_types, "CompiledModels")
        self._plans: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Plan] = weakref.WeakKeyDictionary()
        self._model: type[M] | None = None
        self._for_write = False

    def _plan(self, connection: BaseDatabaseWrapper) -> _Plan:
        plan = self._plans.get(connection)
        if plan is not None:
            return plan
        queryset = self._build(*self._markers)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        keys = _locate(params, self._markers, "CompiledModels")
        klass_info = compiler.klass_info
        if klass_info is None:
            raise ValueError("CompiledModels needs a query of model instances")
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        plan = self._plans[connection] = _Plan(
            sql=sql,
            keys=keys,
            locks=bool(queryset.query.select_for_update),
            converters=list(converters.items()),
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column[0].target.attname for column in select[start:end]],
            # Django 5.2's signature (its stubs already show a later one).
            populators=get_related_populators(klass_info, select, connection.alias),  # type: ignore[call-arg]
            annotations=list(compiler.annotation_col_map.items()),
        )
        return plan

    def _run(self, keys: Sequence[Any]) -> tuple[BaseDatabaseWrapper, _Plan, list[Any]]:
        if self._model is None:
            queryset = self._build(*self._markers)
            self._model, self._for_write = queryset.model, bool(getattr(queryset, "_for_write", False))
        # As QuerySet.db chooses: a locking read goes where writes go.
        alias = (router.db_for_write if self._for_write else router.db_for_read)(self._model)
        connection = connections[alias]
        plan = self._plan(connection)
        if plan.locks and connection.get_autocommit():
            # What the ORM says when it compiles such a query (as_sql), which this no longer calls.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.keys.values(keys))
            return connection, plan, cursor.fetchall()

    def all(self, *keys: Any) -> list[M]:
        connection, plan, rows = self._run(keys)
        found: list[M] = []
        for fetched in rows:
            row = list(fetched)
            for position, (convs, expression) in plan.converters:
                value = row[position]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[position] = value
            obj = plan.model.from_db(connection.alias, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            found.append(obj)  # type: ignore[arg-type]
        return found

    def rows(self, *keys: Any) -> list[tuple[Any, ...]]:
        """The same query's rows as the driver returns them, no model made: what the instances would be made from,
        for comparing and hashing (a page's state) at a fraction of the cost."""
        return [tuple(row) for row in self._run(keys)[2]]

    def one(self, *keys: Any) -> M | None:
        """The first row the query finds (the one a query by a unique key finds), or None."""
        found = self.all(*keys)
        return found[0] if found else None


@dataclass(frozen=True)
class _UpdatePlan:
    sql: str
    fields: tuple[Field[Any, Any], ...]


class CompiledUpdate(Generic[M]):
    """`Model.objects.filter(pk=obj.pk).update(<fields>=<obj's values>)` with the SQL built once per connection:
    each value still goes through its field's get_db_prep_save, as the ORM's UPDATE does, so nothing is frozen.
    Like QuerySet.update, it sends no save signals; answers how many rows it changed (0 or 1)."""

    def __init__(self, model: type[M], fields: tuple[str, ...], guards: tuple[str, ...] = ()) -> None:
        self._model = model
        found = [model._meta.get_field(name) for name in fields]
        self._fields: tuple[Field[Any, Any], ...] = tuple(f for f in found if isinstance(f, Field))
        for field in found:
            if not isinstance(field, Field) or field.primary_key or hasattr(field, "get_placeholder"):
                raise ValueError(f"CompiledUpdate writes plain columns, not {field.name}")
        checked = [model._meta.get_field(name) for name in guards]
        self._guards: tuple[Field[Any, Any], ...] = tuple(f for f in checked if isinstance(f, Field))
        for field in checked:
            # A JSON column's equality differs by engine (text on SQLite, jsonb on PostgreSQL): never a guard.
            if not isinstance(field, Field) or field.primary_key or field.get_internal_type() == "JSONField":
                raise ValueError(f"CompiledUpdate guards on plain columns, not {field.name}")
        self._plans: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _UpdatePlan] = weakref.WeakKeyDictionary()

    def _plan(self, connection: BaseDatabaseWrapper, obj: M) -> _UpdatePlan:
        plan = self._plans.get(connection)
        if plan is not None:
            return plan
        query = UpdateQuery(self._model)
        query.add_update_values({field.name: getattr(obj, field.attname) for field in self._fields})
        query.add_q(Q(pk=obj.pk))
        for guard in self._guards:
            # One condition at a time, so that the parameters follow the guards' order (Q sorts its keywords).
            query.add_q(Q(**{guard.attname: getattr(obj, guard.attname)}))
        sql, params = query.get_compiler(connection=connection).as_sql()
        if len(params) != len(self._fields) + 1 + len(self._guards):
            raise ValueError("CompiledUpdate needs one parameter per field, one for the key and one per guard")
        plan = self._plans[connection] = _UpdatePlan(sql=sql, fields=self._fields)
        return plan

    def run(self, obj: M, *expected: Any) -> int:
        """Writes `obj`'s fields; with guards, only where each guarded column holds its value in `expected`."""
        if len(expected) != len(self._guards):
            raise TypeError(f"CompiledUpdate.run takes one expected value per guard ({len(self._guards)})")
        connection = connections[router.db_for_write(self._model)]
        plan = self._plan(connection, obj)
        values = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in plan.fields]
        key = self._model._meta.pk
        assert key is not None
        values.append(key.get_db_prep_value(obj.pk, connection))
        values.extend(
            guard.get_db_prep_value(value, connection) for guard, value in zip(self._guards, expected, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, values)
            return int(cursor.rowcount)
