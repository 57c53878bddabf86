"""Repeated runs in one process keep their memory flat: each run's objects are reclaimed at its end,
whether the program succeeded or failed (the test suite, the fuzzing and a user's test kit runs
depend on it). Objects are counted without collecting, so garbage a run left behind shows."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest
from conftest import PROJECT

from kubexpose import ExposedDeployment, ValidationError
from kubexpose.engine.run import run_program
from kubexpose.render.build import render
from kubexpose.testing.kit import KubexposeTester

RUNS = 20


def tracked_objects_after(runs: int, once: Callable[[], None]) -> int:
    """How many more objects the collector tracks after `runs` more runs (frozen ones count; only the young
    generations are collected, so garbage a run left in the old generation shows)."""
    for _ in range(3):
        once()
    gc.collect(1)  # the young generations only: what lingers between runs; a run's leftovers sit older
    before = len(gc.get_objects()) + gc.get_freeze_count()
    for _ in range(runs):
        once()
    gc.collect(1)
    return len(gc.get_objects()) + gc.get_freeze_count() - before


def test_repeated_renders_leave_no_objects_behind() -> None:
    growth = tracked_objects_after(RUNS, lambda: render(PROJECT, "dev"))
    assert growth < 3000, f"{growth} more objects after {RUNS} renders"


def test_repeated_test_kit_runs_leave_no_objects_behind() -> None:
    import app

    tester = KubexposeTester()
    growth = tracked_objects_after(RUNS, lambda: tester.run(app.main, stack="dev", stack_dir=PROJECT.directory))
    assert growth < 3000, f"{growth} more objects after {RUNS} test-kit runs"


def test_failing_runs_leave_no_objects_behind() -> None:
    def failing() -> None:
        with pytest.raises(ValidationError):
            run_program(lambda: ExposedDeployment("web", {"image": "nginx:1", "port": 99999}))

    growth = tracked_objects_after(RUNS, failing)
    assert growth < 3000, f"{growth} more objects after {RUNS} failing runs"
