"""Shared fixtures: every test runs its program under fresh recording mocks (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import settings
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import LoadBalancerSettings, StackProfile
from kubexpose.engine.run import ClusterMocks, LoadBalancerMode, ProgramRun, run_program
from kubexpose.render.build import Rendered, render
from kubexpose.stackfiles import Project

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("long", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
PROJECT = Project.load(ROOT)
STACKS = PROJECT.stacks()

LOCAL = StackProfile(public_service_type=ServiceSpecType.NODE_PORT, namespace="shop")
"""A dev-like profile: public apps on NodePort."""
CLOUD = StackProfile(
    public_service_type=ServiceSpecType.LOAD_BALANCER,
    namespace="shop",
    load_balancer=LoadBalancerSettings(
        annotations={"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
        source_ranges=("203.0.113.0/24",),
        external_traffic_policy="Local",
    ),
)
"""A prod-like profile: public apps on LoadBalancer with source ranges."""

Runner = Callable[..., ProgramRun]
if not any(e.value == "kubexpose.testing.plugin" for e in entry_points(group="pytest11")):
    pytest_plugins = ["kubexpose.testing.plugin"]  # the package is not installed here: load the plugin from source


@pytest.fixture
def run() -> Runner:
    """Run a program function under fresh mocks: `run(fn, stack=..., config=..., load_balancer=...)`."""

    def runner(
        program: Callable[[], Any],
        *,
        stack: str = "test",
        config: dict[str, str] | None = None,
        load_balancer: LoadBalancerMode = "ip",
        preview: bool = False,
    ) -> ProgramRun:
        return run_program(
            program,
            stack=stack,
            config=config,
            preview=preview,
            mocks=ClusterMocks(load_balancer=load_balancer),
        )

    return runner


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/<stack>/ from the current render instead of comparing (review the diff!)",
    )
    parser.addoption(
        "--update-identity",
        action="store_true",
        help="rewrite tests/identity/ (kubexpose's stability contract: only for resources added on purpose)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite the golden files."""
    return bool(request.config.getoption("--update-golden"))


@cache
def rendered(stack: str) -> Rendered:
    """The offline render of one of this project's stacks (computed once per test session)."""
    return render(PROJECT, stack)


def make_project(tmp_path: Path, program: str, stack_config: str = "config: {}\n") -> Path:
    """A Pulumi project `other` in `tmp_path/other` with one stack, `test`, and `program` as its `__main__.py`."""
    project = tmp_path / "other"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: other\nruntime: python\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.test.yaml").write_text(stack_config)
    (project / "__main__.py").write_text(program)
    return project


class EchoMocks(pulumi.runtime.Mocks):
    """Pulumi's own mocks as a `pulumi up` test would set them: every resource's outputs are its inputs."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return f"{args.name}_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}, None


@pytest.fixture
def pulumi_mocks() -> Iterator[None]:
    """Pulumi's own mocks, as a user's test module sets them up (config reset afterwards)."""
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)
    pulumi.runtime.set_all_config({})
    yield
    pulumi.runtime.set_all_config({})
