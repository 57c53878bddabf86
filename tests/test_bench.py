"""The benchmark compares like with like: its raw pulumi_kubernetes program declares the very objects kubexpose emits."""

from __future__ import annotations

import importlib.util

from conftest import ROOT

from kubexpose.engine.run import run_program
from kubexpose.render.manifests import manifests

_spec = importlib.util.spec_from_file_location("kubexpose_bench", ROOT / "bench" / "run.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_raw_way_of_the_benchmark_renders_exactly_what_kubexpose_renders() -> None:
    ours = manifests(run_program(bench.kubexpose_program(3)))
    raw = manifests(run_program(bench.raw_program(3)))
    assert [(m["kind"], m["metadata"]["name"]) for m in ours] == [
        ("Service", "app-0"),
        ("Service", "app-1"),
        ("Service", "app-2"),
        ("Deployment", "app-0"),
        ("Deployment", "app-1"),
        ("Deployment", "app-2"),
    ]
    assert raw == ours


def test_the_benchmarks_kubexpose_way_takes_the_fast_path_and_renders_what_the_sdk_path_renders() -> None:
    fast = run_program(bench.kubexpose_program(3), fast=True)
    assert fast.path == ["fast path: 3 of 3 components built without SDK registration"]
    assert manifests(fast) == manifests(run_program(bench.kubexpose_program(3)))
