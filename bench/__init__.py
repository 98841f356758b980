"""Benchmarks: each bench_*.py runs on its own (bench/run.py runs them all)."""
