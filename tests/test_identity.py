"""Day two: kubexpose's own stability contract (the committed identity snapshot), identity in `kubexpose diff`,
and `adopt` for moving raw pulumi_kubernetes resources onto kubexpose without a delete.

The snapshot in `tests/identity/` holds every resource's URN and the fields whose change replaces its object, for
every stack of the example project and of the consumer example. A kubexpose change that moves a resource to a new
URN fails here unless the resource carries the alias that keeps the old one (the engine then plans no create and
no delete; the e2e suite's upgrade scenario checks that against the real engine). Adding resources needs
`pytest --update-identity` and a line in CHANGELOG.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import ROOT

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError
from kubexpose.engine import ClusterMocks, run_program
from kubexpose.render import identity
from kubexpose.render.build import render, run_stack
from kubexpose.render.cli import main as cli
from kubexpose.render.identity import Identity, compare, identities, keeping_alias
from kubexpose.stackfiles import Project

SNAPSHOTS = ROOT / "tests" / "identity"
PROJECTS = {"example": ROOT, "consumer": ROOT / "examples" / "consumer-stack"}
CASES = [(label, stack) for label, folder in PROJECTS.items() for stack in Project.load(folder).stacks()]


def current(label: str, stack: str) -> list[Identity]:
    run, _ = run_stack(Project.load(PROJECTS[label]), stack)
    return identities(run)


@pytest.fixture
def update_identity(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-identity"))


@pytest.mark.parametrize(("label", "stack"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_every_stack_keeps_the_identity_of_every_resource_of_the_last_snapshot(
    label: str, stack: str, update_identity: bool
) -> None:
    path = SNAPSHOTS / f"{label}-{stack}.jsonl"
    found = current(label, stack)
    if update_identity:
        path.parent.mkdir(exist_ok=True)
        path.write_text(identity.to_text(found, found[0].urn.split("::")[1], stack))
    snapshot = identity.parse(path.read_text(), str(path))
    problems = [
        f"{c.what}: {(c.old or c.new).urn}"
        + (f" ({c.detail})" if c.detail else "")  # type: ignore[union-attr]
        + (f"; {keeping_alias(c, found)}" if c.what == "moved" else "")
        for c in compare(snapshot.resources, found)
        if c.what not in ("kept", "aliased")
    ]
    assert not problems, (
        "a live object of a user's stack would be deleted, replaced or created by this upgrade:\n"
        + "\n".join(problems)
        + "\nship the alias that keeps each moved resource, or (only for resources added on purpose) run "
        "`pytest --update-identity` and say it in CHANGELOG.md"
    )


def test_the_snapshot_covers_every_example_stack() -> None:
    assert sorted(p.name for p in SNAPSHOTS.glob("*.jsonl")) == sorted(f"{a}-{b}.jsonl" for a, b in CASES)
    dev = identity.parse((SNAPSHOTS / "example-dev.jsonl").read_text(), "example-dev")
    objects = {i.object for i in dev.resources if i.object}
    assert ("Service", "shop", "frontend") in objects and ("Deployment", "shop", "backend") in objects
    deployment = next(i for i in dev.resources if i.object == ("Deployment", "shop", "backend"))
    assert deployment.replace_on == {"spec.selector": {"matchLabels": {"app.kubernetes.io/name": "backend"}}}
    assert deployment.urn.endswith(
        "::kubexpose:index:ExposedDeployment$kubernetes:apps/v1:Deployment::backend-deployment"
    )


def test_the_render_writes_the_identity_file_and_lists_it_in_the_marker(tmp_path: Path) -> None:
    assert cli(["render", "--stack", "dev", "--program", str(ROOT), "--out", str(tmp_path / "r")]) == 0
    assert identity.FILE in (tmp_path / "r" / ".kubexpose-render").read_text().splitlines()
    loaded = identity.load(tmp_path / "r")
    assert loaded is not None and (loaded.project, loaded.stack) == ("kubexpose", "dev")
    assert loaded.resources == current("example", "dev")


class _Shop(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("acme:index:Shop", name)
        ExposedDeployment(f"{name}-api", {"image": "nginx:1.27", "port": 80}, pulumi.ResourceOptions(parent=self))


def test_urns_are_qualified_by_the_whole_parent_chain_as_the_engine_forms_them() -> None:
    found = identities(run_program(lambda: _Shop("shop")))
    service = [(i.urn, i.parent) for i in found if i.object == ("Service", "default", "shop-api")]
    assert service == [
        (
            "urn:pulumi:dev::project::acme:index:Shop$kubexpose:index:ExposedDeployment"
            "$kubernetes:core/v1:Service::shop-api-service",
            "urn:pulumi:dev::project::acme:index:Shop$kubexpose:index:ExposedDeployment::shop-api",
        )
    ]
    assert [i.parent for i in found if i.type == "acme:index:Shop"] == [""]


# -- planted changes: what the comparison says ------------------------------------------------------------
def _app(name: str = "web", opts: pulumi.ResourceOptions | None = None, **extra: Any) -> None:
    ExposedDeployment(name, {"image": "nginx:1.27", "port": 80, **extra}, opts)


def ids(program: Any) -> list[Identity]:
    return identities(run_program(program))


def _by_what(changes: list[identity.Change]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in changes:
        out.setdefault(c.what, []).append((c.old or c.new).ref)  # type: ignore[union-attr]
    return {what: sorted(refs) for what, refs in out.items()}


class _Retyped(ExposedDeployment):
    type_token = "kubexpose:index:App"


def test_a_changed_type_token_moves_every_child_and_an_alias_on_the_component_keeps_them() -> None:
    before = ids(lambda: _app())
    retyped = ids(lambda: _Retyped("web", {"image": "nginx:1.27", "port": 80}))
    changes = compare(before, retyped)
    moved = [c for c in changes if c.what == "moved"]
    assert {c.new.ref for c in moved if c.new} == {
        "Deployment default/web",
        "Service default/web",
        "ServiceAccount default/web",
        "NetworkPolicy default/web",
    }
    fix = keeping_alias(moved[0], retyped)
    old_component = "urn:pulumi:dev::project::kubexpose:index:ExposedDeployment::web"
    assert (
        fix
        == f"give App 'web' `opts=pulumi.ResourceOptions(aliases=[\"{old_component}\"])` (its children inherit the alias)"
    )
    kept = ids(
        lambda: _Retyped("web", {"image": "nginx:1.27", "port": 80}, pulumi.ResourceOptions(aliases=[old_component]))
    )
    assert set(_by_what(compare(before, kept))) == {"aliased"}


def test_a_child_renamed_inside_kubexpose_is_moved_and_names_the_resource_alias(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = ids(lambda: _app())
    real = ExposedDeployment.child

    def renamed(self: Any, cls: Any, name: str, opts: Any, **props: Any) -> Any:
        return real(self, cls, name.replace("-service", "-svc") if name.endswith("-service") else name, opts, **props)

    monkeypatch.setattr(ExposedDeployment, "child", renamed)
    after = ids(lambda: _app())
    moved = [c for c in compare(before, after) if c.what == "moved"]
    assert [c.new.ref for c in moved if c.new] == ["Service default/web"]
    assert keeping_alias(moved[0], after) == (
        "give the resource `urn:pulumi:dev::project::kubexpose:index:ExposedDeployment$kubernetes:core/v1:Service::web-svc` "
        '`opts=pulumi.ResourceOptions(aliases=["urn:pulumi:dev::project::kubexpose:index:ExposedDeployment'
        '$kubernetes:core/v1:Service::web-service"])`'
    )


def _raw() -> None:
    labels = {"app": "myapp"}
    k8s.apps.v1.Deployment(
        "myapp",
        metadata={"name": "myapp", "namespace": "default"},
        spec={
            "selector": {"match_labels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "myapp", "image": "nginx:1.27"}]},
            },
        },
    )
    k8s.core.v1.Service(
        "myapp",
        metadata={"name": "myapp", "namespace": "default"},
        spec={"type": "NodePort", "selector": labels, "ports": [{"port": 80, "target_port": 8080, "node_port": 30001}]},
    )


def _moved_onto_kubexpose(adopt: dict[str, Any] | None) -> None:
    args: dict[str, Any] = {"image": "nginx:1.27", "ports": [{"port": 80, "target_port": 8080, "node_port": 30001}]}
    args["service_type"] = "NodePort"
    if adopt is not None:
        args["adopt"] = adopt
    ExposedDeployment("myapp", args)  # type: ignore[arg-type]


def test_moving_raw_resources_onto_kubexpose_without_adopt_deletes_the_live_objects() -> None:
    raw = ids(_raw)
    changes = compare(raw, ids(lambda: _moved_onto_kubexpose(None)))
    moved = [c for c in changes if c.what == "moved"]
    assert sorted(c.new.ref for c in moved if c.new) == ["Deployment default/myapp", "Service default/myapp"]
    fixes = sorted(keeping_alias(c, ids(lambda: _moved_onto_kubexpose(None))) for c in moved)
    assert fixes == [
        'give ExposedDeployment \'myapp\' the argument `"adopt": {"deployment": "myapp"}` (the child alias kubexpose offers)',
        'give ExposedDeployment \'myapp\' the argument `"adopt": {"service": "myapp"}` (the child alias kubexpose offers)',
    ]


def test_adopt_keeps_the_raw_resources_and_their_selector() -> None:
    adopt = {"deployment": "myapp", "service": "myapp", "selector": {"app": "myapp"}}
    run = run_program(lambda: _moved_onto_kubexpose(adopt))
    changes = compare(ids(_raw), identities(run))
    assert _by_what(changes) == {
        "aliased": ["Deployment default/myapp", "Service default/myapp"],
        "created": ["ExposedDeployment 'myapp'", "NetworkPolicy default/myapp", "ServiceAccount default/myapp"],
    }
    deployment = run.get("Deployment", "myapp").inputs
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "myapp"}}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app.kubernetes.io/name": "myapp", "app": "myapp"}
    assert run.get("Service", "myapp").inputs["spec"]["selector"] == {"app": "myapp"}
    assert run.get("NetworkPolicy", "myapp").inputs["spec"]["podSelector"] == {"matchLabels": {"app": "myapp"}}


def test_adopt_without_the_selector_replaces_the_deployment() -> None:
    changes = compare(ids(_raw), ids(lambda: _moved_onto_kubexpose({"deployment": "myapp", "service": "myapp"})))
    replaced = [c for c in changes if c.what == "replaced"]
    assert [c.new.ref for c in replaced if c.new] == ["Deployment default/myapp"]
    assert "spec.selector" in replaced[0].detail


def test_adopt_takes_a_urn_and_works_for_an_alias() -> None:
    urn = "urn:pulumi:dev::project::kubernetes:core/v1:Service::payments"
    run = run_program(lambda: ExternalAlias("payments", {"target": "api.example.com", "adopt": {"service": urn}}))
    service = next(i for i in identities(run) if i.object and i.object[0] == "Service")
    assert service.aliases == (urn,)


@pytest.mark.parametrize(
    ("adopt", "message"),
    [
        ("myapp", r"ExposedDeployment 'myapp': adopt 'myapp' is not a mapping; pass e\.g\."),
        ({"deploy": "myapp"}, r"adopt\.deploy 'myapp' is not a child kubexpose can adopt; did you mean deployment\?"),
        ({"service": ""}, r"adopt\.service '' is not a resource name or URN; give the earlier resource's Pulumi name"),
        ({"selector": {}}, r"adopt\.selector \{\} is not a non-empty map of plain label values"),
        ({"selector": {"app": "my app"}}, r"adopt\.selector\['app'\] 'my app' is not a valid label value"),
    ],
)
def test_a_bad_adopt_is_refused_before_anything_is_registered(adopt: Any, message: str) -> None:
    mocks = ClusterMocks()
    with pytest.raises(ValidationError, match=message):
        run_program(lambda: _moved_onto_kubexpose(adopt), mocks=mocks)
    assert mocks.registrations == []


def test_labels_that_contradict_the_adopted_selector_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"labels\['app'\] 'other' differs from adopt\.selector's 'myapp'"):
        run_program(lambda: _app("myapp", labels={"app": "other"}, adopt={"selector": {"app": "myapp"}}))


def test_a_render_holds_the_same_identity_on_the_fast_and_the_sdk_path() -> None:
    project = Project.load(ROOT)
    fast, slow = render(project, "prod"), render(project, "prod", fast=False)
    assert fast.files[identity.FILE] == slow.files[identity.FILE]


def test_a_child_alias_reaches_the_identity_file_on_the_renders_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from kubexpose.components._parts.base import KubexposeComponent

    real = KubexposeComponent.child

    def aliased(self: Any, cls: Any, name: str, opts: pulumi.ResourceOptions, **props: Any) -> Any:
        if name.endswith("-service"):
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(name=f"{name}-old")])
            )
        return real(self, cls, name, opts, **props)

    monkeypatch.setattr(KubexposeComponent, "child", aliased)
    rendered = render(Project.load(ROOT), "dev")
    assert rendered.path[0].startswith("fast path: 3 of 5 components"), rendered.path  # backend took it
    found = identity.parse(rendered.files[identity.FILE], "render").resources
    service = next(i for i in found if i.object == ("Service", "shop", "backend"))
    assert service.aliases == (
        "urn:pulumi:dev::kubexpose::kubexpose:index:ExposedDeployment$kubernetes:core/v1:Service::backend-service-old",
    )


def test_a_child_adopt_does_not_take_gets_a_resource_alias_not_an_adopt_entry() -> None:
    """`kubexpose diff` suggests `adopt` only for the children the component's `adopt` accepts (its Args fields)."""
    component = Identity(
        "urn:pulumi:dev::p::kubexpose:index:ExposedDeployment::web",
        "kubexpose:index:ExposedDeployment",
        "web",
        "",
        False,
    )
    secret_type = "kubernetes:core/v1:Secret"
    child = Identity(
        f"urn:pulumi:dev::p::kubexpose:index:ExposedDeployment${secret_type}::web-env",
        secret_type,
        "web-env",
        component.urn,
        True,
        object=("Secret", "default", "web-env"),
    )
    raw = Identity(f"urn:pulumi:dev::p::{secret_type}::web-env", secret_type, "web-env", "", True, object=child.object)
    (moved,) = [c for c in compare([raw], [component, child]) if c.what == "moved"]
    assert keeping_alias(moved, [component, child]) == (
        f'give the resource `{child.urn}` `opts=pulumi.ResourceOptions(aliases=["{raw.urn}"])`'
    )
