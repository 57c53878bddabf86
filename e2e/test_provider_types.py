"""The render writes each field as pulumi-kubernetes applies it (issue 35, point 3): the provider's typed round trip
(k8s.io/api's structs, at the version of the provider this suite runs) leaves out a non-pointer string, integer or
boolean, a slice or a map tagged `omitempty` when it is empty, and the server then writes its default. A render that
wrote such a value (`periodSeconds: 0`, `value: ""`, `args: []`) would differ from what `pulumi up` applies. The
paths come from the provider's own types (`e2e/omitempty/main.go`, built here with Go), not from a list kept by hand;
every object of the three stack renders and of a sample of generated programs is checked against them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import STACKS, fuzzed, rendered
from test_fuzz import deployment_args, stateful_args, worker_args  # tests/ is on the path (e2e/conftest.py)

from kubexpose import ExposedDeployment, ExposedStatefulSet, ValidationError, Worker
from kubexpose.engine.run import run_program
from kubexpose.live import toolchain
from kubexpose.render.manifests import manifests

SOURCE = Path(__file__).parent / "omitempty" / "main.go"
FUZZ = int(os.environ.get("KUBEXPOSE_FUZZ_EXAMPLES", "0"))


@pytest.fixture(scope="module")
def omitted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Kind -> the JSON paths the provider leaves out when empty (`[]` a list item, `{}` a map value)."""
    if shutil.which("go") is None:
        pytest.fail("Go is needed to read the provider's types (see docs/testing.md)")
    requires = toolchain._requires(
        toolchain._module_file("github.com/pulumi/pulumi-kubernetes/provider/v4", toolchain.PROVIDER_MODULE_VERSION)
    )
    work = tmp_path_factory.mktemp("omitempty")
    shutil.copy(SOURCE, work / "main.go")
    (work / "go.mod").write_text(
        "module kubexpose.dev/omitempty\n\ngo 1.24\n\nrequire (\n"
        f"\tk8s.io/api {requires['k8s.io/api']}\n\tk8s.io/apimachinery {requires['k8s.io/apimachinery']}\n)\n"
    )
    toolchain._go(["mod", "tidy"], work, {"GOFLAGS": "-mod=mod"})
    found = json.loads(toolchain._go(["run", "."], work))
    assert ".spec.template.spec.containers[].livenessProbe.periodSeconds" in found["Deployment"]  # the walk works
    return {kind: set(paths) for kind, paths in found.items()}


def empties(value: Any, paths: set[str], path: str = "") -> list[str]:
    """Every field of `value` at one of `paths` whose value is empty (what the provider would leave out)."""
    out: list[str] = []
    if path in paths and value in ("", 0, [], {}) and value is not None:
        out.append(f"{path}: {value!r}")
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}{{}}" if path and f"{path}{{}}" in _prefixes(paths) else f"{path}.{key}"
            out += empties(item, paths, inner)
    elif isinstance(value, list):
        for item in value:
            out += empties(item, paths, f"{path}[]")
    return out


def _prefixes(paths: set[str]) -> set[str]:
    return {p[: i + 2] for p in paths for i in range(len(p) - 1) if p[i : i + 2] == "{}"}


def check(objects: list[dict[str, Any]], omitted: dict[str, set[str]]) -> dict[str, list[str]]:
    return {
        f"{o['kind']}/{o['metadata']['name']}": found
        for o in objects
        if o["kind"] in omitted and (found := empties(o, omitted[o["kind"]]))
    }


def test_the_walk_finds_what_the_provider_drops(omitted: dict[str, set[str]]) -> None:
    """A planted empty value is found: the check can fail."""
    planted = {"kind": "Deployment", "metadata": {"name": "x"}, "spec": {"template": {"spec": {"containers": [
        {"name": "x", "args": [], "livenessProbe": {"periodSeconds": 0}}]}}}}  # fmt: skip
    assert check([planted], omitted) == {
        "Deployment/x": [
            ".spec.template.spec.containers[].args: []",
            ".spec.template.spec.containers[].livenessProbe.periodSeconds: 0",
        ]
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_field_of_each_stack_render_is_written_as_the_provider_applies_it(
    stack: str, omitted: dict[str, set[str]]
) -> None:
    assert check(rendered(stack).manifests, omitted) == {}


def written_as_applied(omitted: dict[str, set[str]], declare: Any, name: str, args: dict[str, Any]) -> None:
    try:
        result = run_program(declare, fast=True)
    except ValidationError:
        return
    found = check(manifests(result), omitted)
    assert found == {}, f"the render of {name!r} {args!r} writes empty values the provider leaves out"


@fuzzed(150, deployment_args(), FUZZ)
def test_every_generated_program_is_written_as_the_provider_applies_it(
    omitted: dict[str, set[str]], name: str, args: dict[str, Any], profile: Any
) -> None:
    written_as_applied(omitted, lambda: ExposedDeployment(name, args, profile=profile), name, args)


@fuzzed(50, stateful_args(), FUZZ)
def test_every_generated_stateful_app_is_written_as_the_provider_applies_it(
    omitted: dict[str, set[str]], name: str, args: dict[str, Any], profile: Any
) -> None:
    written_as_applied(omitted, lambda: ExposedStatefulSet(name, args, profile=profile), name, args)


@fuzzed(50, worker_args(), FUZZ)
def test_every_generated_worker_is_written_as_the_provider_applies_it(
    omitted: dict[str, set[str]], name: str, args: dict[str, Any], profile: Any
) -> None:
    written_as_applied(omitted, lambda: Worker(name, args, profile=profile), name, args)


ZEROS = {
    "readiness_probe": {"tcp_socket": {"port": 80}, "period_seconds": 0, "timeout_seconds": 0, "failure_threshold": 0},
    "liveness_probe": {
        "http_get": {"port": 80, "path": "/healthz", "http_headers": []},
        "initial_delay_seconds": 0,
        "success_threshold": 0,
    },
    "startup_probe": {"tcp_socket": {"port": 80}, "success_threshold": 0, "period_seconds": 0},
    "tolerations": [{"key": "pool", "value": "", "effect": "NoSchedule"}],
    "command": [],
    "args": [],
    "env": {},
    "env_refs": {},
    "labels": {},
    "pod_annotations": {},
    "service_annotations": {},
    "node_selector": {},
    "image_pull_secrets": [],
    "writable_paths": [],
    "mounts": [],
    "sidecars": [{"name": "shipper", "image": "fluent/fluent-bit:3.1", "args": [], "env": {}, "container_ports": []}],
    "init_containers": [],
    "pod_affinity": [],
    "pod_security_context": {"supplemental_groups": []},
    "security_context": {"capabilities": {"drop": [], "add": []}},
}
"""Every empty or zero value a user may give kubexpose (each means Kubernetes' default or nothing)."""


def test_the_empty_values_a_user_may_give_are_written_as_the_provider_applies_them(
    omitted: dict[str, set[str]],
) -> None:
    result = run_program(lambda: ExposedDeployment("web", {"image": "nginxinc/nginx-unprivileged:1.27-alpine",
                                                            "port": 80, "replicas": 2, **ZEROS}))  # fmt: skip
    assert check(manifests(result), omitted) == {}
