"""kubexpose through the real engine, and fleets: `pulumi preview` with the real Pulumi CLI and kubernetes provider.

    .venv/bin/python bench/engine.py --apps 200 --runs 6                  # kubexpose against raw pulumi_kubernetes
    .venv/bin/python bench/engine.py --fleet 1 2 3 --apps 200 --runs 3    # one fleet program, 1 to 3 clusters

Needs the CLI and the provider `make e2e-tools` builds (or a `pulumi` on PATH); no cluster: the kubernetes provider
runs in render-to-directory mode (`renderYamlToDirectory`), so a preview goes through the whole engine (program,
language runtime, step generation, the provider's Check and Diff) and contacts no API server.

Ways, each the same N apps of `bench/run.py` (a Deployment and a NodePort Service each):
- `raw`: the objects as plain pulumi_kubernetes resources (2·N resources);
- `components`: the same, each pair under a plain `pulumi.ComponentResource` that registers no outputs (3·N
  resources): what any component library costs the engine, kubexpose's floor;
- `kubexpose`: `ExposedDeployment` (3·N resources);
- `kubexpose-unregistered`: the same with `register_outputs` made a no-op (a diagnostic, not a way to use
  kubexpose: what registering each component's outputs costs).
Each measurement is a fresh process running the program inline (Automation API) against its own new stack; the ways
take turns within each run, so ratios are paired run by run. Reported: the preview's wall time (the CLI's start, the
program, the engine), the program process's peak RSS and the CLI's (the largest child).

`--fleet C...`: one program serving the N apps in each of C clusters (a provider each, in render-to-directory mode
into its own folder), measured offline (`render`: the program under kubexpose's mocks and the fleet render, as
`kubexpose render` does) and through the engine (`preview`), for each C: how time and memory grow with the clusters.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "components"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
WAYS = ("raw", "components", "kubexpose", "kubexpose-unregistered")


def components_program(n: int) -> Callable[[], None]:
    """`raw`'s objects, each app's pair under a plain component (the engine's cost of a component, nothing more)."""
    import pulumi
    import pulumi_kubernetes as k8s
    from run import app_manifests

    def program() -> None:
        for i in range(n):
            deployment, service = app_manifests(i)
            app = pulumi.ComponentResource("bench:index:App", f"app-{i}")
            opts = pulumi.ResourceOptions(parent=app)
            k8s.apps.v1.Deployment(f"app-{i}-deployment", **deployment, opts=opts)
            k8s.core.v1.Service(f"app-{i}-service", **service, opts=opts)

    return program


def fleet_program(n: int, clusters: int, out: Path | None) -> Callable[[], None]:
    """The N apps in each of `clusters` clusters: a provider each (rendering into `out/c<k>` under the engine), a
    component per app and cluster, the same app names in each."""
    import pulumi
    import pulumi_kubernetes as k8s
    from pulumi_kubernetes.core.v1 import ServiceSpecType

    from kubexpose import ExposedDeployment, Exposure, StackProfile

    profile = StackProfile(public_service_type=ServiceSpecType.NODE_PORT, namespace="apps")

    def program() -> None:
        for k in range(clusters):
            where = {"render_yaml_to_directory": str(out / f"c{k}")} if out else {"kubeconfig": f"/clusters/c{k}"}
            opts = pulumi.ResourceOptions(provider=k8s.Provider(f"c{k}", **where))
            for i in range(n):
                args = {
                    "name": f"app-{i}",
                    "image": "nginxinc/nginx-unprivileged:1.27-alpine",
                    "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
                    "exposure": Exposure.PUBLIC,
                    "network_policy": False,
                    "service_account": "default",
                }
                ExposedDeployment(f"app-{i}-c{k}", args, opts, profile=profile)

    return program


def _peaks() -> dict[str, float]:
    return {
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cli_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def preview(way: str, n: int, clusters: int, home: Path) -> dict[str, Any]:
    """One `pulumi preview` of a new stack in render-to-directory mode; the stack is removed afterwards."""
    from pulumi import automation as auto
    from run import kubexpose_program, raw_program

    from kubexpose.live.toolchain import find

    work = Path(tempfile.mkdtemp(prefix="kubexpose-bench-"))
    (work / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    if way == "fleet":
        program = fleet_program(n, clusters, work / "out")
    else:
        programs = {"raw": raw_program, "components": components_program, "kubexpose": kubexpose_program}
        program = programs[way.removesuffix("-unregistered")](n)
    if way == "kubexpose-unregistered":
        import pulumi as sdk

        sdk.ComponentResource.register_outputs = lambda self, outputs: None  # type: ignore[method-assign]
    pulumi = find("pulumi")
    env = {
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{home / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "bench",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
    }
    name = f"b{os.getpid()}"
    stack = auto.create_or_select_stack(
        stack_name=name,
        project_name="bench",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(work),
            pulumi_home=str(home),
            env_vars=env,
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(root=str(pulumi.parent.parent), skip_version_check=True),
        ),
    )
    try:
        if way != "fleet":
            stack.set_config("kubernetes:renderYamlToDirectory", auto.ConfigValue(str(work / "out")))
        start, cpu, engine_cpu = time.perf_counter(), time.process_time(), _children_cpu()
        result = stack.preview()
        seconds = time.perf_counter() - start
        cpu, engine_cpu = time.process_time() - cpu, _children_cpu() - engine_cpu
        resources = sum(result.change_summary.values())
    finally:
        stack.workspace.remove_stack(name)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "way": way,
        "n": n,
        "clusters": clusters,
        "seconds": seconds,
        "program_cpu": cpu,
        "engine_cpu": engine_cpu,
        "resources": resources,
        **_peaks(),
    }


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the CLI, and the provider plugin the CLI waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(n: int, clusters: int) -> dict[str, Any]:
    """The fleet program under kubexpose's mocks and its fleet render, as `kubexpose render` runs them."""
    from kubexpose.engine.run import run_program
    from kubexpose.render.build import render_run

    start = time.perf_counter()
    run = run_program(fleet_program(n, clusters, None), reclaim=False, fast=True)
    rendered = render_run(run, "bench")
    seconds = time.perf_counter() - start
    assert len(rendered.clusters) == (clusters if clusters > 1 else 0), rendered.clusters
    return {
        "way": "render",
        "n": n,
        "clusters": clusters,
        "seconds": seconds,
        "objects": len(rendered.manifests),
        **_peaks(),
    }


def measure(way: str, n: int, clusters: int, home: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", way, str(n), str(clusters), str(home)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{way} n={n} clusters={clusters} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def prepare(home: Path) -> None:
    """A Pulumi home with the kubernetes plugin installed from the binary the toolchain found (no download)."""
    from kubexpose.live.engine import find_provider, provider_version
    from kubexpose.live.toolchain import find

    (home / "state").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PULUMI_HOME": str(home), "PULUMI_SKIP_UPDATE_CHECK": "true"}
    subprocess.run(
        [
            str(find("pulumi")),
            "plugin",
            "install",
            "resource",
            "kubernetes",
            provider_version(),
            "--file",
            str(find_provider()),
        ],
        check=True,
        env=env,
        capture_output=True,
    )


def paired(results: list[dict[str, Any]], way: str, base: str) -> list[float]:
    by_run = {m["run"]: m["seconds"] for m in results if m["way"] == base}
    return [m["seconds"] / by_run[m["run"]] for m in results if m["way"] == way and m["run"] in by_run]


def report(results: list[dict[str, Any]]) -> str:
    lines = []
    ways = [w for w in WAYS if any(m["way"] == w for m in results)]
    if ways:
        lines += [
            "| way | resources | median preview (s) | program CPU (s) | engine CPU (s) | program peak (MB) | CLI peak (MB) "
            "| / raw (paired runs) | / components |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for way in ways:
            ms = [m for m in results if m["way"] == way]
            ratios = []
            for base in ("raw", "components"):
                found = paired(results, way, base)
                ratios.append(
                    f"{statistics.median(found):.2f}x ({', '.join(f'{r:.2f}' for r in found)})" if found else "-"
                )
            lines.append(
                f"| {way} | {ms[0]['resources']} | {statistics.median(m['seconds'] for m in ms):.2f} "
                f"| {statistics.median(m['program_cpu'] for m in ms):.2f} | {statistics.median(m['engine_cpu'] for m in ms):.2f} "
                f"| {statistics.median(m['peak_mb'] for m in ms):.0f} | {statistics.median(m['cli_peak_mb'] for m in ms):.0f} "
                f"| {ratios[0]} | {ratios[1]} |"
            )
    fleet = [m for m in results if m["way"] in ("render", "fleet")]
    if fleet:
        lines += [
            "",
            "| clusters | apps | way | median time (s) | program peak (MB) | CLI peak (MB) |",
            "|---|---|---|---|---|---|",
        ]
        for clusters in sorted({m["clusters"] for m in fleet}):
            for way in ("render", "fleet"):
                ms = [m for m in fleet if m["way"] == way and m["clusters"] == clusters]
                if ms:
                    cli = f"{statistics.median(m['cli_peak_mb'] for m in ms):.0f}" if way == "fleet" else "-"
                    lines.append(
                        f"| {clusters} | {clusters * ms[0]['n']} | {'preview' if way == 'fleet' else 'render'} "
                        f"| {statistics.median(m['seconds'] for m in ms):.2f} | {statistics.median(m['peak_mb'] for m in ms):.0f} | {cli} |"
                    )
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Time and peak memory of the fleet program against the number of clusters, offline and through the engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for way, label in (("render", "kubexpose render (offline)"), ("fleet", "pulumi preview (engine)")):
        ms = [m for m in results if m["way"] == way]
        counts = sorted({m["clusters"] for m in ms})
        if not counts:
            continue
        picked = [[m for m in ms if m["clusters"] == c] for c in counts]
        times.plot(counts, [statistics.median(m["seconds"] for m in p) for p in picked], marker="o", label=label)
        key = "cli_peak_mb" if way == "fleet" else "peak_mb"
        memory.plot(
            counts,
            [statistics.median(m[key] for m in p) for p in picked],
            marker="o",
            label=label + (" (CLI)" if way == "fleet" else ""),
        )
    for axes, label in ((times, "wall time (s)"), (memory, "peak memory (MB)")):
        axes.set_xlabel("clusters")
        axes.set_ylabel(label)
        axes.set_xticks([1, 2, 3])
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
    times.legend()
    figure.suptitle("one fleet program: the same apps in each cluster (median of the runs)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--ways", nargs="*", default=list(WAYS[:3]), choices=WAYS)
    parser.add_argument("--fleet", type=int, nargs="*", default=[], metavar="CLUSTERS")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--plot", type=Path, help="also draw the fleet's time and memory against the clusters")
    args = parser.parse_args()
    if args.one:
        way, n, clusters, home = args.one
        found = render(int(n), int(clusters)) if way == "render" else preview(way, int(n), int(clusters), Path(home))
        print(json.dumps(found))
        return
    home = Path(tempfile.mkdtemp(prefix="kubexpose-bench-home-"))
    prepare(home)
    results: list[dict[str, Any]] = []
    try:
        for r in range(args.runs):
            for way in args.ways:
                results.append({**measure(way, args.apps, 0, home), "run": r})
                print(f"  run={r} {way:<10} {results[-1]['seconds']:8.2f} s", file=sys.stderr)
            for clusters in args.fleet:
                for way in ("render", "fleet"):
                    results.append({**measure(way, args.apps, clusters, home), "run": r})
                    print(f"  run={r} {way:<10} clusters={clusters} {results[-1]['seconds']:8.2f} s", file=sys.stderr)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.plot)
    print(report(results))


if __name__ == "__main__":
    main()
