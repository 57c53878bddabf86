"""Upgrading kubexpose through the real engine: the example stacks brought up with the last release (the commit
`RELEASES` names, taken from this clone's own history with `git archive`), then previewed and updated with the
working tree. The preview plans no replacement, no delete and no create of an object that exists; the update keeps
every ReplicaSet (no Pod restarts) unless CHANGELOG.md's upgrade note for this version says the Pods roll, and
every Service keeps its clusterIP and node ports. Pulumi's own providers guard their upgrades the same way
(`providertest.PreviewProviderUpgrade` + `assertpreview.HasNoReplacements`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, STACKS, eventually, ours, replica_sets

from kubexpose.live.engine import script_program

APPS = ("backend", "database", "external-service", "frontend", "myapp")
FORBIDDEN = {"delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced"}
ANNOUNCED = {"delete kubernetes:apps/v1:Deployment::database-deployment"}
"""Deletions CHANGELOG.md's upgrade note announces (0.3.0: the example's database moves onto a StatefulSet; its
Service, ServiceAccount and NetworkPolicy stay, kept by the component's alias)."""

# Runs a project's __main__.py with the kubexpose of that project's tree (a release's), as an inline program
# against a stack the test process made: a process of its own, so two versions of kubexpose never share one.
BASELINE_UP = """
import json, runpy, sys
settings = json.loads(sys.argv[1])
sys.path.insert(0, settings["components"])
import kubexpose
assert kubexpose.__file__.startswith(settings["components"]), kubexpose.__file__
from pulumi import automation as auto

def program():
    sys.path.insert(0, settings["project"])
    runpy.run_path(settings["project"] + "/__main__.py", run_name="__main__")

stack = auto.select_stack(
    stack_name=settings["stack"],
    project_name=settings["project_name"],
    program=program,
    opts=auto.LocalWorkspaceOptions(
        work_dir=settings["work_dir"],
        pulumi_home=settings["pulumi_home"],
        env_vars=settings["env"],
        secrets_provider="passphrase",
        pulumi_command=auto.PulumiCommand(root=settings["pulumi_root"], skip_version_check=True),
    ),
)
result = stack.up(on_output=print)
assert result.summary.result == "succeeded", result.summary
"""


def baseline() -> tuple[str, str]:
    """`(version, commit)` of the last release, as `RELEASES` names it."""
    lines = [line for line in (ROOT / "RELEASES").read_text().splitlines() if line and not line.startswith("#")]
    version, commit = lines[0].split()
    return version, commit


def upgrade_note() -> str:
    """The **Upgrade** paragraph of CHANGELOG.md's newest version."""
    newest = re.split(r"^## \[", (ROOT / "CHANGELOG.md").read_text(), flags=re.M)[1]
    found = re.search(r"\*\*Upgrade from [^*]+\*\*:(.*?)(?:\n\n|\Z)", newest, re.S)
    assert found, "CHANGELOG.md's newest version has no **Upgrade from ...** paragraph"
    return " ".join(found.group(1).split())


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release's tree, from this clone's history."""
    version, commit = baseline()
    known = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True)
    if known.returncode != 0:
        pytest.fail(
            f"the baseline {version} ({commit}) named in RELEASES is not in this clone's history: the upgrade "
            "scenario needs it (clone with full history, or fetch that commit)"
        )
    target = tmp_path_factory.mktemp(f"kubexpose-{version}")
    archive = target / "release.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target / "tree", filter="data")
    return target / "tree"


def _baseline_up(engine: Any, tree: Path, stack: str, work_dir: Path) -> None:
    import yaml

    settings = {
        "components": str(tree / "components"),
        "project": str(tree),
        "stack": stack,
        "project_name": yaml.safe_load((tree / "Pulumi.yaml").read_text())["name"],
        "work_dir": str(work_dir),
        "pulumi_home": str(engine.home),
        "env": engine.env,
        "pulumi_root": str(engine.pulumi.parent.parent),
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", BASELINE_UP, json.dumps(settings)], env=env, capture_output=True, text=True, timeout=900
    )
    print(done.stdout[-4000:])
    assert done.returncode == 0, f"`up` with kubexpose {baseline()[0]} failed:\n{done.stderr[-4000:]}"


def _services(cluster: Any) -> dict[str, Any]:
    return {
        s["metadata"]["name"]: (s["spec"].get("clusterIP"), [p.get("nodePort") for p in s["spec"].get("ports") or []])
        for s in cluster.get_json("services", "-n", "shop")["items"]
    }


def _replica_sets(cluster: Any) -> dict[str, set[str]]:
    return {app: set(replica_sets(cluster, "shop", app)) for app in ("backend", "frontend", "myapp")}


def _short(step: str) -> str:
    """`<type>::<name>` of a step's URN (the last type of its parent chain)."""
    urn = step.split()[-1]
    return f"{urn.split('::')[2].split('$')[-1]}::{urn.rsplit('::', 1)[-1]}"


def _exists(cluster: Any, inputs: dict[str, Any]) -> bool:
    meta = inputs.get("metadata") or {}
    kind, name = inputs.get("kind"), meta.get("name")
    if not kind or not name:
        return False
    args = ["get", kind, name] + (["-n", meta["namespace"]] if meta.get("namespace") else [])
    return cluster.kubectl(*args, check=False).returncode == 0


@pytest.mark.parametrize("name", STACKS)
def test_upgrading_from_the_last_release_keeps_every_live_object(
    name: str, release: Path, kubexpose_live: Any, cluster: Any
) -> None:
    stack = kubexpose_live.stack(name, script_program(ROOT / "__main__.py"), ROOT, copy_name=f"upgrade-{name}")
    try:
        _baseline_up(kubexpose_live, release, name, Path(stack.workspace.work_dir))
        services, sets = _services(cluster), _replica_sets(cluster)
        assert len(services) == 5 and all(sets.values()), (services, sets)  # the baseline (0.2.0) has 5

        events: list[Any] = []
        preview = stack.preview(on_output=print, on_event=events.append)
        steps = [e.resource_pre_event.metadata for e in events if e.resource_pre_event is not None]
        forbidden = [f"{s.op} {s.urn}" for s in steps if str(getattr(s.op, "value", s.op)) in FORBIDDEN]
        unannounced = [f for f in forbidden if f"{f.split()[0].split('.')[-1].lower()} {_short(f)}" not in ANNOUNCED]
        assert unannounced == [], f"upgrading from {baseline()[0]} would delete or replace: {unannounced}"
        if forbidden:
            assert "`database` Deployment" in upgrade_note(), "CHANGELOG.md's upgrade note must announce the deletion"
        created = [
            s.urn
            for s in steps
            if str(getattr(s.op, "value", s.op)) == "create" and s.new is not None and _exists(cluster, s.new.inputs)
        ]
        assert created == [], f"upgrading from {baseline()[0]} would create objects that exist live: {created}"
        print("preview after the upgrade:", preview.change_summary)

        result = stack.up(on_output=print)
        assert result.summary.result == "succeeded"
        after = _services(cluster)
        assert {k: v for k, v in after.items() if k in services} == services, (
            "a Service lost its clusterIP or node ports"
        )
        rolls = "no Pod restart" not in upgrade_note()
        if not rolls:
            assert _replica_sets(cluster) == sets, (
                "the upgrade rolled Pods (a new ReplicaSet) although CHANGELOG.md's upgrade note says no Pod restarts: "
                "a change to the pod template needs a changelog line saying why the Pods roll"
            )
        elif "every app's Pods roll once" in upgrade_note():
            after = _replica_sets(cluster)
            unrolled = sorted(app for app in sets if not after[app] - sets[app])
            assert unrolled == [], (
                f"CHANGELOG.md's upgrade note says every app's Pods roll once; these did not: {unrolled}"
            )
        stack.preview(expect_no_changes=True, on_output=print)
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack(name)
        eventually(lambda: ours(cluster, APPS) == [], timeout=120)


def test_reviewing_the_upgrade_with_kubexpose_diff_finds_nothing_replaced(tmp_path: Path) -> None:
    """README "Upgrading kubexpose": `kubexpose diff --stack S --kubexpose-before SPEC` with the last release installed
    from a git tag, as a consumer project reviews an upgrade before its `pulumi up`."""
    version, commit = baseline()
    clone = tmp_path / "kubexpose"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "tag", f"v{version}", commit], cwd=clone, check=True)
    spec = f"kubexpose @ git+file://localhost{clone}@v{version}"
    for stack in ("dev", "prod"):  # the consumer example's stacks
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kubexpose",
                "diff",
                "--stack",
                stack,
                "--program",
                str(ROOT / "examples" / "consumer-stack"),
                "--kubexpose-before",
                spec,
                "--fail-on",
                "replacement,exposure,availability,security",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"# kubexpose diff: `{stack} with {spec}` → `{stack} with kubexpose ")
        assert "No risk found." in done.stdout
