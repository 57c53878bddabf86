"""Side-by-side benchmark: N apps (one Deployment + one NodePort Service each) declared five ways.

    make bench                       # every way, N = 10, 100, 1000, 5000, 3 runs each (about 15 minutes)
    .venv-bench/bin/python bench/run.py --sizes 10 100 --runs 3 --ways kubexpose cdk8s

Ways: `kubexpose` (ExposedDeployment, Exposure.PUBLIC under a dev profile, rendered to YAML exactly
as `kubexpose render` does, with its fast path), `kubexpose-sdk` (the same with every resource
registered through the Pulumi SDK: `kubexpose render --sdk-path`), `raw` (the same objects as plain
pulumi_kubernetes resources under the same mocks, rendered the same way), `cdk8s` (cdk8s-plus-33
from Python, `synth_yaml`) and `pyyaml` (dumping prebuilt dicts: the floor). Each measurement is a
fresh process, imports included; the ways take turns within each run so that ratios are paired run by
run. Reports median wall time, peak memory (max RSS of the process plus that of its largest child:
cdk8s-plus runs in a Node.js child), median paired ratios against cdk8s, growth T(5000)/T(1000),
and with `--plot FILE` a PNG of both against N.
"""

from __future__ import annotations

import argparse
import compileall
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
WAYS = ("kubexpose", "kubexpose-sdk", "raw", "cdk8s", "pyyaml")
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def app_manifests(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Deployment and Service ExposedDeployment emits for app i (network policy off, the namespace's
    `default` ServiceAccount), built by the library's own builders and defaults (kubexpose.k8s), so the
    other ways declare the same objects."""
    sys.path.insert(0, str(ROOT / "components"))
    from pulumi_kubernetes.core.v1 import ServiceSpecType

    from kubexpose.k8s.metadata import NAME_LABEL, object_metadata
    from kubexpose.k8s.pod import (
        DEFAULT_DRAIN_SECONDS,
        ContainerPort,
        PodModel,
        default_liveness_probe,
        default_readiness_probe,
        default_resources,
        default_rollout,
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
        service_account="default",
        drain_seconds=DEFAULT_DRAIN_SECONDS,
    )
    port = Port(80, 8080, "http", "TCP", None)
    service = ServiceModel(type=ServiceSpecType.NODE_PORT, ports=(port,), selector=labels)
    return (
        {"metadata": meta, "spec": dict(deployment_spec(labels, labels, 1, pod, strategy=default_rollout()))},
        {"metadata": meta, "spec": dict(service_spec(service))},
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
        "service_account": "default",
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
            deployment, service = app_manifests(i)
            k8s.apps.v1.Deployment(f"app-{i}-deployment", **deployment)
            k8s.core.v1.Service(f"app-{i}-service", **service)

    return program


def run_under_mocks(program: Callable[[], None], fast: bool) -> int:
    """Run `program` under kubexpose's mock engine and render it as `kubexpose render` does (one render per
    process: no collection at the end), with or without the fast path."""
    from kubexpose.engine.run import ClusterMocks, run_program
    from kubexpose.render.build import render_run

    # 5000 NodePort Services do not fit the default node-port range (2768 ports): the mocked cluster's range
    # is widened as an API server's --service-node-port-range would be.
    mocks = ClusterMocks(node_port_range=(30000, 39999))
    run = run_program(program, reclaim=False, fast=fast, mocks=mocks)
    if fast:
        assert run.path[0].startswith("fast path: "), run.path
    return len(render_run(run, "dev").manifests)


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
    elif way == "cdk8s":
        objects = run_cdk8s(n)
    else:
        program = raw_program(n) if way == "raw" else kubexpose_program(n)
        objects = run_under_mocks(program, fast=way == "kubexpose")
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"way": way, "n": n, "seconds": seconds, "peak_mb": own + _children_peak_mb(), "objects": objects}


def _children_peak_mb() -> float:
    """Peak RSS (VmHWM) of this process's live children, summed: cdk8s-plus runs in a Node.js child that jsii
    keeps until exit, which `getrusage(RUSAGE_CHILDREN)` does not count until it has been waited for."""
    total = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and "VmHWM" in fields:
            total += int(fields["VmHWM"].split()[0]) / 1024
    return total


def measure(way: str, n: int) -> dict[str, Any]:
    env = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--one", way, str(n)], capture_output=True, text=True, check=True, env=env
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (paired: every way once per run)")
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    parser.add_argument("--one", nargs=2, metavar=("WAY", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--plot", type=Path, help="also draw wall time and peak memory against N into this PNG")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))))
        return

    # Compile kubexpose's modules once, as `pip install` does for an installed package: a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile them again in every measured process.
    compileall.compile_dir(ROOT / "components" / "kubexpose", quiet=1)
    results: list[dict[str, Any]] = []
    for n in args.sizes:
        for r in range(args.runs):
            for way in args.ways:
                m = measure(way, n)
                m["run"] = r
                results.append(m)
                print(f"  n={n:<5} run={r} {way:<10} {m['seconds']:8.3f} s  {m['peak_mb']:7.1f} MB", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.ways, args.plot)
    print(report(results, args.sizes, args.ways))


def plot(results: list[dict[str, Any]], ways: list[str], path: Path) -> None:
    """Median wall time and peak memory of each way against N (log-log), side by side, into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for way in ways:
        sizes = sorted({m["n"] for m in results if m["way"] == way})
        picked = [[m for m in results if m["way"] == way and m["n"] == n] for n in sizes]
        times.plot(sizes, [statistics.median(m["seconds"] for m in ms) for ms in picked], marker="o", label=way)
        memory.plot(sizes, [statistics.median(m["peak_mb"] for m in ms) for ms in picked], marker="o", label=way)
    for axes, label in ((times, "wall time (s), imports included"), (memory, "peak memory (MB)")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("apps (N)")
        axes.set_ylabel(label)
        axes.grid(True, which="both", alpha=0.3)
    times.legend()
    figure.suptitle("N apps (Deployment + NodePort Service each), median of the runs")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


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
    for low, high in ((100, 1000), (1000, 5000)):
        if low in sizes and high in sizes:
            lines.append("")
            for way in ways:
                small, large = pick(way, low), pick(way, high)
                if small and large:
                    growth = statistics.median(m["seconds"] for m in large) / statistics.median(
                        m["seconds"] for m in small
                    )
                    lines.append(f"- growth T({high})/T({low}) for {way}: {growth:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
