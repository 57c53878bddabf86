"""What `kubexpose render` and `kubexpose diff` tell a team that moved raw pulumi_kubernetes resources onto
ExposedDeployment with `adopt`, then renames the app: from real renders of the programs, before and after."""

from pathlib import Path

import pytest
from conftest import make_project

from kubexpose.render.cli import main as cli
from kubexpose.render.diff import diff, load

RAW = """
import pulumi_kubernetes as k8s

labels = {"app": "cache"}
k8s.apps.v1.Deployment(
    "cache",
    metadata={"name": "cache", "namespace": "shop", "labels": labels},
    spec={
        "replicas": 2,
        "selector": {"match_labels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "redis", "image": "redis:7.2", "ports": [{"container_port": 6379}]}]},
        },
    },
)
k8s.core.v1.Service(
    "cache", metadata={"name": "cache", "namespace": "shop", "labels": labels}, spec={"selector": labels, "ports": [{"port": 6379}]}
)
"""

ADOPTED = """
from kubexpose import ExposedDeployment

ExposedDeployment(
    {name!r},
    {{
        "image": "redis:7.2",
        "ports": [{{"port": 6379}}],
        "replicas": 2,
        "writable_paths": ["/data"],
        "adopt": {adopt},
    }},
)
"""
KEEPING = '{"deployment": "cache", "service": "cache", "selector": {"app": "cache"}}'
NO_SELECTOR = '{"deployment": "cache", "service": "cache"}'


def render(tmp_path: Path, label: str, program: str) -> Path:
    project = make_project(tmp_path / label, program, "config:\n  kubexpose:namespace: shop\n")
    out = tmp_path / label / "render"
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 0
    return out


def test_renaming_an_adopted_app_lists_the_labels_that_change_and_warns_of_the_kept_selector(tmp_path: Path) -> None:
    before = render(tmp_path, "old", ADOPTED.format(name="cache", adopt=KEEPING))
    after = render(tmp_path, "new", ADOPTED.format(name="cache-redis", adopt=KEEPING))
    report = diff(load(before), load(after))
    deployment = next(c for c in report.changes if c.ref == "Deployment shop/cache-redis")
    fields = {path: (old, new) for path, old, new in deployment.fields}
    assert fields["metadata.labels.app.kubernetes.io/name"] == ("cache", "cache-redis")
    assert fields["spec.template.metadata.labels.app.kubernetes.io/name"] == ("cache", "cache-redis")
    assert not [path for path in fields if path.endswith(".app")], fields  # `app: cache` is kept on both sides
    assert not [f for f in report.findings if "spec.selector changed" in f.reason], report.findings
    kept = [f for f in report.findings if f.obj == "Deployment shop/cache-redis"]
    assert len(kept) == 1 and kept[0].raised and kept[0].cls == "replacement"
    assert "keeps the selector {app: cache} of Deployment 'cache'" in kept[0].reason
    assert "the new Deployment, Service and PodDisruptionBudget select the old Pods too" in kept[0].reason
    assert "drop `adopt.selector` from 'cache-redis'" in kept[0].check


def test_adopting_without_the_live_selector_names_the_adopt_entry_that_keeps_the_deployment(tmp_path: Path) -> None:
    raw = render(tmp_path, "raw", RAW)
    adopted = render(tmp_path, "adopted", ADOPTED.format(name="cache", adopt=NO_SELECTOR))
    found = [f for f in diff(load(raw), load(adopted)).findings if f.obj == "Deployment shop/cache"]
    selector = [f for f in found if "spec.selector changed" in f.reason]
    assert len(selector) == 1, found
    assert (
        'give ExposedDeployment \'cache\' the live selector: "adopt": {"selector": {"app": "cache"}}'
        in selector[0].check
    )
    keeping = render(tmp_path, "keeping", ADOPTED.format(name="cache", adopt=KEEPING))
    assert not [f for f in diff(load(raw), load(keeping)).findings if "spec.selector" in f.reason]


def test_an_adopted_selector_keeps_the_disruption_budget_in_the_summary_and_topology(tmp_path: Path) -> None:
    out = render(tmp_path, "adopted", ADOPTED.format(name="cache", adopt=KEEPING))
    assert "app: cache" in (out / "002-poddisruptionbudget-shop-cache.yaml").read_text()
    rows = [line.split() for line in (out / "summary.txt").read_text().splitlines()]
    assert ["cache", "2", "maxUnavailable", "1", "hostname", "cache"] in rows
    assert 'Deployment cache<br/>2 replica(s)<br/>PDB maxUnavailable 1"]' in (out / "topology.md").read_text()


@pytest.mark.parametrize("adopt", [KEEPING, NO_SELECTOR])
def test_the_rename_finding_names_a_rename_without_an_outage_that_kubexpose_accepts(tmp_path: Path, adopt: str) -> None:
    before = render(tmp_path, "old", ADOPTED.format(name="cache", adopt=adopt))
    after = render(tmp_path, "new", ADOPTED.format(name="cache-redis", adopt=adopt))
    (renamed,) = [f for f in diff(load(before), load(after)).findings if f.obj == "app shop/cache"]
    assert "pulumi creates new ones, then deletes the old" in renamed.reason
    assert (
        "first declare 'cache-redis' beside 'cache' (a second component with the same arguments, no `adopt`) and "
        "move every caller to 'cache-redis'; then remove 'cache'" in renamed.check
    )
    # The first step is a program kubexpose accepts: both apps side by side, the new one without `adopt`.
    both = ADOPTED.format(name="cache", adopt=adopt) + ADOPTED.format(name="cache-redis", adopt="{}")
    side_by_side = load(render(tmp_path, "both", both))
    assert ("Service", "shop", "cache") in side_by_side and ("Service", "shop", "cache-redis") in side_by_side
    new_selector = side_by_side[("Deployment", "shop", "cache-redis")]["spec"]["selector"]["matchLabels"]
    assert new_selector == {"app.kubernetes.io/name": "cache-redis"}
