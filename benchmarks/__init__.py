"""Benchmarks: run with ``nox -s bench``; they print figures, they never assert on time."""
