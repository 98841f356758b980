"""The suite's order under xdist: each worker's block of the collection starts with its share of the long tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import long_first


class _Item:
    def __init__(self, name: str, long: bool) -> None:
        self.name, self.long = name, long

    def get_closest_marker(self, name: str) -> Any:
        return object() if name == "long" and self.long else None

    def __repr__(self) -> str:
        return self.name


def _blocks(ordered: list[Any], workers: int) -> list[list[Any]]:
    """The blocks xdist's worksteal hands out at the start, computed as it does."""
    blocks, pending = [], list(ordered)
    for worker in range(workers):
        size = len(pending) // (workers - worker)
        blocks.append(pending[:size])
        del pending[:size]
    return blocks


def test_each_block_starts_with_its_long_tests_and_nothing_is_lost() -> None:
    items = [_Item(f"t{n}", long=n in (3, 40, 41, 77, 98)) for n in range(101)]
    for workers in (2, 3):
        ordered = long_first(items, workers)
        assert sorted(map(repr, ordered)) == sorted(map(repr, items))
        heads = [[item for item in block if item.long] for block in _blocks(ordered, workers)]
        for block, longs in zip(_blocks(ordered, workers), heads, strict=True):
            assert block[: len(longs)] == longs  # the long ones first
        assert sorted(len(longs) for longs in heads)[-1] - sorted(len(longs) for longs in heads)[0] <= 1


def test_one_worker_keeps_the_collection_order() -> None:
    items = [_Item(f"t{n}", long=n == 5) for n in range(10)]
    assert long_first(items, 1) == items
