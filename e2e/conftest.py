"""Shared helpers of the end-to-end suite: the real Pulumi CLI and provider against a loopback control plane.

The fixtures ``kubexpose_cluster`` and ``kubexpose_live`` come from kubexpose's pytest plugin
(:mod:`kubexpose.testing.plugin`); this file adds what only this repository's scenarios need.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from kubexpose.live.cluster import ControlPlane
from kubexpose.render.build import Rendered, render
from kubexpose.stackfiles import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the e2e suite reuses the unit suite's strategies and doc parsing
STACKS = ("dev", "staging", "prod")
HTTP_ROUTE_CRD = ("sigs.k8s.io/gateway-api", "v1.6.3", "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml")


def rendered(stack: str, project_dir: Path = ROOT) -> Rendered:
    """The offline render of ``stack`` (what `kubexpose render` writes)."""
    return render(Project.load(project_dir), stack)


@pytest.fixture(scope="session")
def cluster(kubexpose_cluster: ControlPlane) -> ControlPlane:
    """The session's control plane, with the Gateway API HTTPRoute CRD installed (staging routes through it)."""
    import yaml

    from tests.upstream import go_module_file

    crd = yaml.safe_load(
        go_module_file(*HTTP_ROUTE_CRD, "a89d17ff5ed060fa0eac015524f9252bb291f616412c13ac8cb952ed9c25c5ad")
    )
    kubexpose_cluster.apply_objects([crd])
    kubexpose_cluster.kubectl("wait", "--for=condition=Established", "crd/httproutes.gateway.networking.k8s.io")
    return kubexpose_cluster


def live_objects(cluster: ControlPlane, manifests: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live object for each manifest, in order (``kubectl get -f``)."""
    body = "\n".join(json.dumps(m) for m in manifests)
    out = json.loads(cluster.kubectl("get", "-f", "-", "-o", "json", input=body).stdout)
    return out["items"] if out.get("kind") == "List" else [out]


def differences(expected: Any, live: Any, path: str = "") -> list[str]:
    """Every field ``expected`` sets whose live value differs (extra live fields are defaults: ignored)."""
    if isinstance(expected, dict):
        if not isinstance(live, dict):
            return [f"{path}: {expected!r} -> {live!r}"]
        out = []
        for key, value in expected.items():
            if key not in live:
                out.append(f"{path}.{key}: {value!r} -> (absent)")
            else:
                out += differences(value, live[key], f"{path}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(live, list) or len(live) != len(expected):
            return [f"{path}: {expected!r} -> {live!r}"]
        return [
            d for i, (e, v) in enumerate(zip(expected, live, strict=True)) for d in differences(e, v, f"{path}[{i}]")
        ]
    return [] if expected == live else [f"{path}: {expected!r} -> {live!r}"]


def drift(cluster: ControlPlane, manifests: list[dict[str, Any]]) -> dict[str, list[str]]:
    """`{Kind/name: differences}` for every object of ``manifests`` whose live object differs in a field it sets."""
    live = live_objects(cluster, manifests)
    return {
        f"{m['kind']}/{m['metadata']['name']}": found
        for m, obj in zip(manifests, live, strict=True)
        if (found := differences(m, obj))
    }


def eventually(check: Callable[[], Any], timeout: float = 90, every: float = 1.0) -> Any:
    """``check()``'s first truthy result within ``timeout`` seconds; the last failure otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
            last: Exception | None = None
        except AssertionError as err:
            last = err
        if time.monotonic() > deadline:
            if last is not None:
                raise last
            raise AssertionError(f"{getattr(check, '__name__', 'check')} still false after {timeout:.0f} s")
        time.sleep(every)


def ours(cluster: ControlPlane, names: Iterable[str]) -> list[str]:
    """Every namespaced object in the cluster labelled as one of kubexpose's apps ``names``, as kind/ns/name; not the
    claims of a stateful app's Pods, which outlive it by design (retention `Retain`)."""
    kinds = cluster.kubectl("api-resources", "--verbs=list,delete", "--namespaced", "-o", "name").stdout.split()
    kinds = [k for k in kinds if k not in ("events", "events.events.k8s.io", "persistentvolumeclaims")]
    selector = f"app.kubernetes.io/name in ({','.join(sorted(names))})"
    items = cluster.get_json(",".join(kinds), "-A", "-l", selector)["items"]
    return sorted(f"{i['kind']}/{i['metadata'].get('namespace')}/{i['metadata']['name']}" for i in items)


def namespaced_stack(live: Any, cluster: ControlPlane, folder: Path, program: Any, name: str, namespace: str) -> Any:
    """Stack `test` of a project `e2e-<name>` in `folder` running the inline `program`, whose stack puts every object
    in `namespace` (made in the cluster when it is not there)."""
    cluster.kubectl("create", "namespace", namespace, check=False)
    project = make_project(folder / name, f"e2e-{name}", {"test": f"config:\n  kubexpose:namespace: {namespace}\n"})
    return live.stack("test", program, project, copy_name=name)


def make_project(folder: Path, name: str, stacks: dict[str, str]) -> Path:
    """A Pulumi project folder (``Pulumi.yaml`` + one stack file per entry of ``stacks``) for an inline program."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    for stack, text in stacks.items():
        (folder / f"Pulumi.{stack}.yaml").write_text(text)
    return folder


def replica_sets(cluster: ControlPlane, namespace: str, app: str) -> dict[str, dict[str, Any]]:
    """The app's ReplicaSets by name."""
    items = cluster.get_json("replicasets", "-n", namespace, "-l", f"app.kubernetes.io/name={app}")["items"]
    return {rs["metadata"]["name"]: rs for rs in items}


def rolled_out(cluster: ControlPlane, namespace: str, name: str) -> bool:
    """The Deployment's newest generation is observed and every replica is updated and ready."""
    d = cluster.get_json("deployment", name, "-n", namespace)
    s, want = d["status"], d["spec"].get("replicas", 1)
    return (
        s.get("observedGeneration") == d["metadata"]["generation"]
        and s.get("updatedReplicas") == want
        and s.get("readyReplicas") == want
        and s.get("replicas") == want
    )


def fuzzed(max_examples: int, args: Any, fresh: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis for a test of generated programs (`name`, `args` drawn from the strategy `args`, `profile`): the same
    `max_examples` programs each run (CI must not land or fail by luck), or `fresh` new ones when it is not 0 (a
    longer hunt, from an environment variable)."""
    from hypothesis import HealthCheck, given, settings
    from test_fuzz import any_name, profiles

    def wrap(test: Callable[..., None]) -> Callable[..., None]:
        settled = settings(
            max_examples=fresh or max_examples,
            deadline=None,
            derandomize=not fresh,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        return settled(given(name=any_name, args=args, profile=profiles)(test))

    return wrap
