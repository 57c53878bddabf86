"""`patches` (issue 36, point 5): JSON Patch operations on the objects a component writes, applied the same way on
every path, checked against the Kubernetes types, refused where they would break a guarantee (before anything is
registered), judged by `kubexpose diff`'s risk classes and marked on the object and in the identity file."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import Runner
from test_exposed_deployment import app, deployment_manifest, pod_spec
from test_fast_path import both_ways, fast_count

from kubexpose import ValidationError
from kubexpose.engine.run import ProgramRun

HOST_ALIASES = [{"ip": "10.0.0.1", "hostnames": ["db.internal"]}]
ADD_ALIASES = {"op": "add", "path": "/spec/template/spec/hostAliases", "value": HOST_ALIASES}


def test_a_patch_reaches_the_object_and_marks_it(run: Runner) -> None:
    result = run(app({"patches": {"Deployment": [ADD_ALIASES]}}))
    assert pod_spec(result)["hostAliases"] == HOST_ALIASES
    deployment = result.get("Deployment", "web").inputs
    assert deployment["metadata"]["annotations"] == {"kubexpose.dev/patched": "add /spec/template/spec/hostAliases"}
    assert "annotations" not in result.get("Service", "web").inputs["metadata"]  # only the patched kind


def test_operations_apply_in_order_with_kubernetes_names(run: Runner) -> None:
    ops = [
        {"op": "replace", "path": "/spec/template/spec/containers/0/imagePullPolicy", "value": "IfNotPresent"},
        {"op": "add", "path": "/spec/template/spec/dnsConfig", "value": {"options": [{"name": "ndots", "value": "2"}]}},
        {
            "op": "copy",
            "from_path": "/spec/template/spec/containers/0/name",
            "path": "/spec/template/metadata/labels/x",
        },
        {"op": "move", "from_path": "/spec/template/metadata/labels/x", "path": "/spec/template/metadata/labels/y"},
        {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "web"},
    ]
    result = run(app({"patches": {"Deployment": ops}}))
    pod = pod_spec(result)
    assert pod["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert pod["dnsConfig"] == {"options": [{"name": "ndots", "value": "2"}]}
    assert result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["labels"]["y"] == "web"
    marked = result.get("Deployment", "web").inputs["metadata"]["annotations"]["kubexpose.dev/patched"]
    assert marked.split("; ") == [f"{op['op']} {op['path']}" for op in ops]


def test_the_render_s_fast_path_writes_the_same_patched_objects() -> None:
    patches = {
        "Deployment": [ADD_ALIASES],
        "Service": [{"op": "add", "path": "/spec/publishNotReadyAddresses", "value": True}],
    }
    fast = both_ways(app({"patches": patches, "replicas": 2}))
    assert isinstance(fast, ProgramRun) and fast_count(fast) == 1  # the fast path was taken, and agreed
    assert fast.get("Service", "web").inputs["spec"]["publishNotReadyAddresses"] is True


def test_a_patch_on_a_field_given_as_an_output_applies_around_it(run: Runner) -> None:
    def program() -> None:
        from kubexpose import ExposedDeployment

        image = pulumi.Output.from_input("ghcr.io/acme/web:1.0.0")
        ExposedDeployment("web", {"image": image, "port": 80, "patches": {"Deployment": [ADD_ALIASES]}})

    result = run(program)
    assert pod_spec(result)["hostAliases"] == HOST_ALIASES
    assert pod_spec(result)["containers"][0]["image"] == "ghcr.io/acme/web:1.0.0"


GUARDED = [
    ({"Deployment": [{"op": "replace", "path": "/metadata/name", "value": "x"}]}, r"changes metadata.name, which names"),
    ({"Service": [{"op": "add", "path": "/metadata/namespace", "value": "x"}]}, r"changes metadata.namespace"),
    ({"Deployment": [{"op": "add", "path": "/spec/selector/matchLabels/tier", "value": "x"}]},
     r"changes spec.selector, which is immutable"),
    ({"Deployment": [{"op": "remove", "path": "/spec/template/metadata/labels/app.kubernetes.io~1name"}]},
     r"changes the Pods' selector labels"),
    ({"Service": [{"op": "replace", "path": "/spec/selector", "value": {"app": "other"}}]}, r"changes spec.selector"),
    ({"NetworkPolicy": [{"op": "replace", "path": "/spec/podSelector", "value": {}}]}, r"changes spec.podSelector"),
    ({"Deployment": [{"op": "add", "path": "/spec/template/spec/containers/0/env/-",
                      "value": {"name": "X", "value": "1"}}]}, r"changes a container's env, which routes secret"),
    ({"Deployment": [{"op": "remove", "path": "/spec/template/spec/containers/0"}]}, r"changes a container's env"),
    ({"Deployment": [{"op": "add", "path": "/spec/template/metadata/annotations",
                      "value": {"kubexpose.dev/files-sha256": "x"}}]}, r"changes kubexpose's Pod template annotations"),
]  # fmt: skip


@pytest.mark.parametrize(("patches", "message"), GUARDED)
def test_a_patch_that_breaks_a_guarantee_is_refused_before_anything_is_registered(
    patches: dict[str, Any], message: str
) -> None:
    from kubexpose.engine.mocks import ClusterMocks
    from kubexpose.engine.run import run_program

    mocks = ClusterMocks()
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': patches\['\w+'\] .*" + message):
        run_program(app({"env": {"A": "1"}, "patches": patches}), mocks=mocks)
    assert [r for r in mocks.registrations if r.kind is not None] == []  # nothing half-created


BAD = [
    ({"Deploymnet": [ADD_ALIASES]}, r"patches key 'Deploymnet' is not a kind of object this component writes; did you "
     r"mean Deployment\?"),
    ({"Ingress": [ADD_ALIASES]}, r"patches key 'Ingress' names no object of this app \(it writes Deployment, "
     r"NetworkPolicy, Service, ServiceAccount\)"),
    ({"Deployment": []}, r"patches\['Deployment'\] \[\] is not a non-empty list"),
    ({"Deployment": [{"op": "merge", "path": "/spec"}]}, r"patches\['Deployment'\]\[0\].op 'merge' is not a JSON Patch"),
    ({"Deployment": [{"op": "add", "path": "spec/x", "value": 1}]}, r"\[0\].path 'spec/x' is not a JSON Pointer"),
    ({"Deployment": [{"op": "add", "path": "/spec/x"}]}, r"\[0\].value is required"),
    ({"Deployment": [{"op": "copy", "path": "/spec/x"}]}, r"\[0\].from_path None is not a JSON Pointer"),
    ({"Deployment": [{"op": "copy", "path": "/spec/x", "from": "/a"}]}, r"\[0\].from '/a' .*did you mean from_path\?"),
    ({"Deployment": [{"op": "remove", "path": "/spec/template/spec/hostAliases"}]},
     r"\['Deployment'\]\[0\] 'remove /spec/template/spec/hostAliases' does not apply to the Deployment"),
    ({"Deployment": [{"op": "test", "path": "/spec/replicas", "value": 3}]}, r"does not apply.*tested value"),
    ({"Deployment": [{"op": "add", "path": "/spec/template/spec/hostAliasses", "value": HOST_ALIASES}]},
     r"patches\['Deployment'\] '/spec/template/spec/hostAliasses' is not a field of the Kubernetes type; did you "
     r"mean hostAliases\?"),
    ({"Deployment": [{"op": "add", "path": "/spec/template/spec/hostname", "value": 7}]},
     r"'/spec/template/spec/hostname' is 7, not text"),
    ({"Deployment": [{"op": "add", "path": "/spec/minReadySeconds", "value": "5"}]},
     r"'/spec/minReadySeconds' is \"5\", not a whole number"),
    ({"Deployment": [{"op": "add", "path": "/spec/x", "value": object()}]}, r"\[0\].value .* is not plain data"),
]  # fmt: skip


@pytest.mark.parametrize(("patches", "message"), BAD)
def test_a_patch_that_does_not_apply_or_names_no_field_is_refused_with_the_fix(
    run: Runner, patches: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': .*" + message):
        run(app({"patches": patches}))


def test_a_secret_patch_value_is_refused() -> None:
    from kubexpose.engine.run import run_program

    def program() -> None:
        from kubexpose import ExposedDeployment

        value = {"op": "add", "path": "/spec/template/spec/hostname", "value": pulumi.Output.secret("h")}
        ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0.0", "port": 80, "patches": {"Deployment": [value]}})

    with pytest.raises(ValidationError, match=r"patches\['Deployment'\]\[0\].value '<Output>' is known only later"):
        run_program(program)


def test_kubexpose_diff_judges_the_patched_object() -> None:
    from kubexpose.render.risk import security

    relax = [
        {"op": "replace", "path": f"/spec/template/spec/{at}securityContext/runAsNonRoot", "value": False}
        for at in ("", "containers/0/")
    ]
    secure = deployment_manifest({})
    relaxed = deployment_manifest({"patches": {"Deployment": relax}})
    assert [f.reason for f in security(secure, relaxed)] == ["runAsNonRoot turned off (container web)"]


def test_the_identity_file_marks_a_patched_object(tmp_path: Any) -> None:
    from conftest import make_project

    from kubexpose.render.cli import main as cli
    from kubexpose.render.identity import FILE, parse

    program = (
        "from kubexpose import ExposedDeployment\n"
        "ExposedDeployment('web', {'image': 'ghcr.io/acme/web:1.0.0', 'port': 80, 'patches': {'Deployment': "
        "[{'op': 'add', 'path': '/spec/template/spec/hostname', 'value': 'web'}]}})\n"
    )
    out = tmp_path / "render"
    assert cli(["render", "--program", str(make_project(tmp_path, program)), "--stack", "test", "--out", str(out)]) == 0
    found = {i.ref: i.patched for i in parse((out / FILE).read_text(), FILE).resources if i.object}
    assert found.pop("Deployment default/web") == ("add /spec/template/spec/hostname",)
    assert set(found.values()) == {()}  # only the patched object is marked


def test_a_patch_beside_a_secret_env_value_applies_and_keeps_its_routing(run: Runner) -> None:
    """With a secret env value the Pod template's metadata and the container's env are known only once the Secret
    is declared: a patch elsewhere applies, one into them is refused (a TypeScript program's env found it)."""

    def program(ops: list[dict[str, Any]]) -> Any:
        def declare() -> None:
            from kubexpose import ExposedDeployment

            env = {"TOKEN": pulumi.Output.secret("t0ken"), "MODE": "live"}
            ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0.0", "port": 80, "env": env,
                                      "patches": {"Deployment": ops}})  # fmt: skip

        return declare

    result = run(program([{"op": "add", "path": "/spec/minReadySeconds", "value": 5}]))
    assert result.get("Deployment", "web").inputs["spec"]["minReadySeconds"] == 5
    assert pod_spec(result)["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["name"] == "web-env"
    with pytest.raises(ValidationError, match=r"patches\['Deployment'\]\[0\] 'add /spec/template/metadata/labels/x' goes "
                       r"into a value known only later"):  # fmt: skip
        run(program([{"op": "add", "path": "/spec/template/metadata/labels/x", "value": "y"}]))
