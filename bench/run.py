"""Side-by-side benchmark: N apps (one Deployment + one NodePort Service each) declared four ways.

    make bench                       # all four ways, N = 10, 100, 1000 (about 5 minutes)
    .venv-bench/bin/python bench/run.py --sizes 10 100 --runs 3

Ways: `kubexpose` (ExposedDeployment, Exposure.PUBLIC under the dev profile, rendered to YAML as
`kubexpose render` does), `raw` (the same objects as plain pulumi_kubernetes resources
under the same mocks, rendered the same way), `cdk8s` (cdk8s-plus-33 from Python, `synth_yaml`) and
`pyyaml` (dumping prebuilt dicts: the floor). Each measurement runs in a fresh process; the ways
take turns within each run so that ratios are paired run by run. Reports median wall time, peak
memory (max RSS of the process), median ratios against cdk8s, and the growth T(1000)/T(100).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("kubexpose", "raw", "cdk8s", "pyyaml")
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def app_manifests(i: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The Deployment, Service and ServiceAccount ExposedDeployment emits for app i (network policy off), built by
    the library's own builders and defaults (kubexpose.k8s), so the other ways declare the same objects."""
    sys.path.insert(0, str(ROOT / "components"))
    from pulumi_kubernetes.core.v1 import ServiceSpecType

    from kubexpose.k8s.metadata import NAME_LABEL, object_metadata
    from kubexpose.k8s.pod import (
        ContainerPort,
        PodModel,
        default_liveness_probe,
        default_readiness_probe,
        default_resources,
        deployment_spec,
        secure_container_context,
        secure_pod_context,
    )
    from kubexpose.k8s.ports import Port
    from kubexpose.k8s.service import ServiceModel, service_spec

    name = f"app-{i}"
    labels = {NAME_LABEL: name}
    meta = dict(object_metadata(name, "apps", labels))
    pod = PodModel(
        container_name=name,
        image=IMAGE,
        image_pull_policy="Always",
        ports=(ContainerPort(8080, "TCP", "http"),),
        resources=default_resources(),
        security_context=secure_container_context(),
        pod_security_context=secure_pod_context(),
        automount_service_account_token=False,
        readiness_probe=default_readiness_probe(8080),
        liveness_probe=default_liveness_probe(8080),
        service_account=name,
    )
    port = Port(80, 8080, "http", "TCP", None)
    service = ServiceModel(type=ServiceSpecType.NODE_PORT, ports=(port,), selector=labels)
    return (
        {"metadata": meta, "spec": dict(deployment_spec(labels, labels, 1, pod))},
        {"metadata": meta, "spec": dict(service_spec(service))},
        {"metadata": meta, "automount_service_account_token": False},
    )


def kubexpose_program(n: int) -> Callable[[], None]:
    """The program declaring n ExposedDeployments (public, NodePort under a dev-like profile)."""
    sys.path.insert(0, str(ROOT / "components"))
    from pulumi_kubernetes.core.v1 import ServiceSpecType

    from kubexpose import ExposedDeployment, Exposure, StackProfile

    profile = StackProfile(public_service_type=ServiceSpecType.NODE_PORT, namespace="apps")
    args = {
        "image": IMAGE,
        "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
        "exposure": Exposure.PUBLIC,
        "network_policy": False,
    }

    def program() -> None:
        for i in range(n):
            ExposedDeployment(f"app-{i}", args, profile=profile)

    return program


def raw_program(n: int) -> Callable[[], None]:
    """The program declaring the same n Deployments and Services as plain pulumi_kubernetes resources."""
    sys.path.insert(0, str(ROOT / "components"))
    import pulumi_kubernetes as k8s

    def program() -> None:
        for i in range(n):
            deployment, service, account = app_manifests(i)
            k8s.core.v1.ServiceAccount(f"app-{i}-service-account", **account)
            k8s.apps.v1.Deployment(f"app-{i}-deployment", **deployment)
            k8s.core.v1.Service(f"app-{i}-service", **service)

    return program


def run_under_mocks(program: Callable[[], None]) -> int:
    """Run `program` under kubexpose's mock engine and render it as `kubexpose render` does."""
    from kubexpose.render.build import render_run
    from kubexpose.testing.engine import run_program

    return len(render_run(run_program(program, reclaim=False), "dev").manifests)  # as `kubexpose render` runs it


def run_cdk8s(n: int) -> int:
    import cdk8s
    import cdk8s_plus_33 as kplus

    app = cdk8s.App()
    chart = cdk8s.Chart(app, "apps", namespace="apps", disable_resource_name_hashes=True)
    for i in range(n):
        deployment = kplus.Deployment(
            chart,
            f"app-{i}",
            metadata=cdk8s.ApiObjectMetadata(name=f"app-{i}"),
            replicas=1,
            containers=[kplus.ContainerProps(image=IMAGE, port_number=8080, name=f"app-{i}")],
        )
        deployment.expose_via_service(
            name=f"app-{i}",
            service_type=kplus.ServiceType.NODE_PORT,
            ports=[kplus.ServicePort(port=80, target_port=8080, name="http")],
        )
    text = app.synth_yaml()
    return text.count("\nkind: ") + text.startswith("kind: ")


def run_pyyaml(docs: list[dict[str, Any]]) -> int:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    yaml.dump_all(docs, Dumper=dumper, sort_keys=False)
    return len(docs)


def one(way: str, n: int) -> dict[str, Any]:
    # The floor dumps prebuilt dicts: building them (and importing the builders) stays outside the timer.
    docs = [doc for i in range(n) for doc in app_manifests(i)] if way == "pyyaml" else []
    start = time.perf_counter()
    if way == "pyyaml":
        objects = run_pyyaml(docs)
    else:
        programs = {"kubexpose": kubexpose_program, "raw": raw_program}
        objects = run_under_mocks(programs[way](n)) if way in programs else run_cdk8s(n)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"way": way, "n": n, "seconds": seconds, "peak_mb": peak_mb, "objects": objects}


def measure(way: str, n: int) -> dict[str, Any]:
    env = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--one", way, str(n)], capture_output=True, text=True, check=True, env=env
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=5, help="runs per size (N=1000 uses min(runs, 3))")
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    parser.add_argument("--one", nargs=2, metavar=("WAY", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))))
        return

    results: list[dict[str, Any]] = []
    for n in args.sizes:
        runs = args.runs if n < 1000 else min(args.runs, 3)
        for r in range(runs):
            for way in args.ways:
                m = measure(way, n)
                m["run"] = r
                results.append(m)
                print(f"  n={n:<5} run={r} {way:<10} {m['seconds']:8.3f} s  {m['peak_mb']:7.1f} MB", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(report(results, args.sizes, args.ways))


def report(results: list[dict[str, Any]], sizes: list[int], ways: list[str]) -> str:
    def pick(way: str, n: int) -> list[dict[str, Any]]:
        return [m for m in results if m["way"] == way and m["n"] == n]

    lines = [
        "| N | way | objects | median time (s) | peak memory (MB) | time / cdk8s (paired median) | time / raw |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in sizes:
        for way in ways:
            ms = pick(way, n)
            if not ms:
                continue
            median = statistics.median(m["seconds"] for m in ms)
            peak = statistics.median(m["peak_mb"] for m in ms)
            ratios = []
            for base in ("cdk8s", "raw"):
                by_run = {m["run"]: m["seconds"] for m in pick(base, n)}
                paired = [m["seconds"] / by_run[m["run"]] for m in ms if m["run"] in by_run]
                ratios.append(f"{statistics.median(paired):.2f}x" if paired else "-")
            lines.append(
                f"| {n} | {way} | {ms[0]['objects']} | {median:.3f} | {peak:.0f} | {ratios[0]} | {ratios[1]} |"
            )
    if 100 in sizes and 1000 in sizes:
        lines.append("")
        for way in ways:
            t100, t1000 = pick(way, 100), pick(way, 1000)
            if t100 and t1000:
                growth = statistics.median(m["seconds"] for m in t1000) / statistics.median(m["seconds"] for m in t100)
                lines.append(f"- growth T(1000)/T(100) for {way}: {growth:.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
