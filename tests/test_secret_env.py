"""A secret env value reaches the container through a Secret the component owns, never as a plain value;
the render never writes a Secret's values and says how to create the Secret instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, Runner

from kubexpose import ExposedDeployment, ExternalAlias
from kubexpose.engine.run import ProgramRun
from kubexpose.render.build import render
from kubexpose.render.cli import main as cli
from kubexpose.stackfiles import Project

IMAGE = "ghcr.io/acme/orders:1.4.2"
PASSWORD = "hunter2-db-password"


def container(result: ProgramRun, name: str = "orders") -> dict[str, Any]:
    return result.get("Deployment", name).inputs["spec"]["template"]["spec"]["containers"][0]


def orders(env: dict[str, Any], **extra: Any) -> ExposedDeployment:
    return ExposedDeployment("orders", {"image": IMAGE, "port": 8080, "env": env, **extra}, profile=LOCAL)


def test_a_secret_env_value_goes_into_the_components_secret_and_reaches_the_pod_by_reference(run: Runner) -> None:
    result = run(lambda: orders({"MODE": "live", "DB_PASSWORD": pulumi.Output.secret(PASSWORD)}))

    assert container(result)["env"] == [
        {"name": "MODE", "value": "live"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "orders-env", "key": "DB_PASSWORD"}}},
    ]
    assert PASSWORD not in json.dumps(result.get("Deployment", "orders").inputs)
    secret = result.get("Secret", "orders-env")
    assert secret.inputs["stringData"] == {"DB_PASSWORD": PASSWORD}
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"] == {
        "name": "orders-env",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "orders"},
    }
    assert ("stringData",) in secret.secrets  # secret in Pulumi's state too
    assert secret.parent_type == "kubexpose:index:ExposedDeployment"
    assert secret.urn in result.get("Deployment", "orders").dependencies  # created before the Pods need it


def test_a_value_that_becomes_secret_only_when_a_resource_resolves_is_kept_secret(run: Runner) -> None:
    def program() -> None:
        db = k8s.core.v1.ConfigMap("db", metadata={"name": "db"}, data={"password": PASSWORD})
        orders({"DB_PASSWORD": db.data.apply(lambda data: pulumi.Output.secret(data["password"]))})

    result = run(program)
    assert container(result)["env"] == [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "orders-env", "key": "DB_PASSWORD"}}}
    ]
    assert result.get("Secret", "orders-env").inputs["stringData"] == {"DB_PASSWORD": PASSWORD}


def test_outputs_that_are_not_secret_stay_plain_values_and_make_no_secret(run: Runner) -> None:
    def program() -> None:
        db = k8s.core.v1.ConfigMap("db", metadata={"name": "db"}, data={"host": "db.internal"})
        orders({"DB_HOST": db.data.apply(lambda data: data["host"]), "MODE": "live"})

    result = run(program)
    assert container(result)["env"] == [{"name": "DB_HOST", "value": "db.internal"}, {"name": "MODE", "value": "live"}]
    assert result.k8s("Secret") == []
    assert result.get("ConfigMap", "db").urn in result.get("Deployment", "orders").dependencies


def test_env_refs_follow_the_secret_values_and_only_secret_keys_go_into_the_secret(run: Runner) -> None:
    env = {
        "A_SECRET": pulumi.Output.secret("s1"),
        "PLAIN_OUT": pulumi.Output.from_input("p"),
        "B_SECRET": pulumi.Output.secret("s2"),
    }
    refs = {"POD_IP": {"field": "status.podIP"}}
    result = run(lambda: orders(env, env_refs=refs))
    ref = {"secretKeyRef": {"name": "orders-env", "key": "A_SECRET"}}
    assert container(result)["env"] == [
        {"name": "A_SECRET", "valueFrom": ref},
        {"name": "PLAIN_OUT", "value": "p"},
        {"name": "B_SECRET", "valueFrom": {"secretKeyRef": {"name": "orders-env", "key": "B_SECRET"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
    ]
    assert result.get("Secret", "orders-env").inputs["stringData"] == {"A_SECRET": "s1", "B_SECRET": "s2"}


def test_the_secret_follows_a_namespace_given_as_an_output(run: Runner) -> None:
    def program() -> None:
        ns = k8s.core.v1.Namespace("team", metadata={"name": "team-a"})
        orders({"TOKEN": pulumi.Output.secret("t")}, namespace=ns.metadata.apply(lambda m: m["name"]))

    result = run(program)
    assert result.get("Secret", "orders-env").inputs["metadata"]["namespace"] == "team-a"
    assert result.get("Namespace", "team-a").urn in result.get("Secret", "orders-env").dependencies


def test_in_a_preview_an_unknown_secret_value_still_goes_through_the_secret(run: Runner) -> None:
    def program() -> None:
        lb = k8s.core.v1.Service("lb", metadata={"name": "lb"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]})
        orders({"TOKEN": pulumi.Output.secret(lb.status.apply(lambda _: "not known in a preview"))})

    result = run(program, preview=True)
    assert container(result)["env"] == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "orders-env", "key": "TOKEN"}}}
    ]
    assert "not known" not in json.dumps(result.get("Secret", "orders-env").inputs, default=repr)


def test_a_bad_secret_value_is_refused_with_the_field_and_without_the_value() -> None:
    from kubexpose import ValidationError
    from kubexpose.engine.run import run_program

    with pytest.raises(ValidationError, match=r"^ExposedDeployment 'orders': env\['TOKEN'\] .* is not a string"):
        run_program(lambda: orders({"TOKEN": pulumi.Output.secret({"nested": 1})}))


def test_a_secret_image_is_refused_without_showing_it() -> None:
    """The state would hold an image in plain text (tests/test_secret_fields.py has every field)."""
    from kubexpose import ExposedDeployment, ValidationError
    from kubexpose.engine.run import run_program

    secret = pulumi.Output.secret("ghcr.io/Acme/api@sha256:" + "a" * 64)
    with pytest.raises(ValidationError) as caught:
        run_program(lambda: ExposedDeployment("api", {"image": secret, "port": 80}))
    message = str(caught.value)
    assert message.startswith("ExposedDeployment 'api': image [secret] is a secret"), message
    assert message.endswith("registry credentials go in image_pull_secrets")
    assert "Acme" not in message and "a" * 64 not in message


# -- under Pulumi's own mocks, as `pulumi up` runs it --------------------------------------------------
class _ClusterLikeMocks(pulumi.runtime.Mocks):
    """Echo the inputs; a Secret gets the `resourceVersion` a cluster would give it."""

    def __init__(self, version: str | None) -> None:
        self.version = version
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.inputs[args.name] = args.inputs
        state = dict(args.inputs)
        if args.typ == "kubernetes:core/v1:Secret" and self.version is not None:
            state["metadata"] = {**args.inputs["metadata"], "resourceVersion": self.version}
        return f"{args.name}_id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}, None


def _is_secret_wrapped(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig
    )


@pytest.mark.parametrize("version", ["41", "42"])
def test_under_pulumis_own_mocks_the_pods_carry_the_secrets_version_so_a_change_rolls_them(version: str) -> None:
    mocks = _ClusterLikeMocks(version)
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test
    def program():
        app = orders({"DB_PASSWORD": pulumi.Output.secret(PASSWORD)})
        return app.deployment.spec.apply(
            lambda spec: _equal(dict(spec.template.metadata.annotations), {"kubexpose.dev/env-secret-version": version})
        )

    program()
    assert PASSWORD not in json.dumps(mocks.inputs["orders-deployment"])
    assert _is_secret_wrapped(mocks.inputs["orders-env"]["stringData"])


def test_under_pulumis_own_mocks_without_a_resource_version_the_pods_carry_no_annotation() -> None:
    mocks = _ClusterLikeMocks(None)
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test
    def program():
        app = orders({"DB_PASSWORD": pulumi.Output.secret(PASSWORD)})
        return app.deployment.spec.apply(lambda spec: _equal(spec.template.metadata.annotations, None))

    program()
    assert mocks.inputs["orders-deployment"]["spec"]["template"]["metadata"] == {
        "labels": {"app.kubernetes.io/name": "orders"}
    }


def _equal(actual: object, expected: object) -> None:
    assert actual == expected


# -- the render ------------------------------------------------------------------------------------
def _project(tmp_path: Path, program: str) -> Path:
    project_dir = tmp_path / "secretive"
    (project_dir / "stacks").mkdir(parents=True)
    (project_dir / "Pulumi.yaml").write_text("name: secretive\nruntime: python\nstackConfigDir: stacks\n")
    (project_dir / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  kubexpose:namespace: shop\n")
    (project_dir / "__main__.py").write_text(program)
    return project_dir


SECRET_PROGRAM = (
    "import pulumi\n"
    "import pulumi_kubernetes as k8s\n"
    "from kubexpose import ExposedDeployment\n"
    "ExposedDeployment('orders', {'image': 'ghcr.io/acme/orders:1.4.2', 'port': 8080,\n"
    "    'env': {'MODE': 'live', 'DB_URL': pulumi.Output.secret('postgres://u:hunter2@db/orders'),\n"
    "            'API_TOKEN': pulumi.Output.secret('hunter2-token')}})\n"
    "k8s.core.v1.Secret('tls', metadata={'name': 'tls', 'namespace': 'shop'}, type='kubernetes.io/tls',\n"
    "    string_data={'tls.crt': 'hunter2-cert', 'tls.key': 'hunter2-key'})\n"
)


def test_the_render_writes_no_secret_and_says_how_to_create_each(tmp_path: Path) -> None:
    rendered = render(Project.load(_project(tmp_path, SECRET_PROGRAM)), "dev")

    assert all("hunter2" not in text for text in rendered.files.values())
    assert [m["kind"] for m in rendered.manifests] == ["NetworkPolicy", "ServiceAccount", "Service", "Deployment"]
    assert all("kind: Secret" not in text for text in rendered.files.values())
    assert sorted(rendered.files) == [
        "001-networkpolicy-shop-orders.yaml",
        "002-serviceaccount-shop-orders.yaml",
        "003-service-shop-orders.yaml",
        "004-deployment-shop-orders.yaml",
        "Kustomization",
        "pulumi-identity.jsonl",
        "secrets-to-create.txt",  # not .yaml/.yml/.json: `kubectl apply -f DIR` skips it
        "summary.txt",
        "topology.md",
    ]
    assert rendered.files["secrets-to-create.txt"] == (
        "# Secrets this render did not write (their values never leave Pulumi's state).\n"
        "# Create each before `kubectl apply -f` of this folder, with the real values in place of <KEY>.\n"
        "# `pulumi up` creates them itself.\n"
        "\n"
        "kubectl create secret generic orders-env --namespace shop \\\n"
        "    --from-literal=API_TOKEN='<API_TOKEN>' \\\n"
        "    --from-literal=DB_URL='<DB_URL>'\n"
        "\n"
        "kubectl create secret generic tls --namespace shop \\\n"
        "    --type=kubernetes.io/tls \\\n"
        "    --from-literal=tls.crt='<tls.crt>' \\\n"
        "    --from-literal=tls.key='<tls.key>'\n"
    )
    assert rendered.files["summary.txt"].endswith(
        "\nSECRETS NOT WRITTEN: create them before `kubectl apply -f` (commands in secrets-to-create.txt; "
        "pulumi up creates them itself)\n"
        "  shop/orders-env: API_TOKEN, DB_URL\n"
        "  shop/tls: tls.crt, tls.key\n"
    )


def test_the_rendered_deployment_with_secret_references_is_a_valid_manifest(tmp_path: Path) -> None:
    import kubernetes_validate

    rendered = render(Project.load(_project(tmp_path, SECRET_PROGRAM)), "dev")
    for obj in rendered.manifests:
        kubernetes_validate.validate(obj, "1.35", strict=True)


def test_a_stack_without_secrets_writes_no_secrets_file(tmp_path: Path) -> None:
    program = (
        "from kubexpose import ExposedDeployment\n"
        "ExposedDeployment('orders', {'image': 'ghcr.io/acme/orders:1.4.2', 'port': 8080, 'env': {'MODE': 'live'}})\n"
    )
    rendered = render(Project.load(_project(tmp_path, program)), "dev")
    assert "secrets-to-create.txt" not in rendered.files
    assert "SECRETS" not in rendered.files["summary.txt"]


def test_the_render_cli_prints_the_secrets_to_create_without_values(tmp_path: Path, capsys) -> None:
    project_dir = _project(tmp_path, SECRET_PROGRAM)
    out = tmp_path / "out"
    assert cli(["render", "--stack", "dev", "--program", str(project_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  shop/orders-env: API_TOKEN, DB_URL\n" in printed
    assert "hunter2" not in printed
    assert (out / "secrets-to-create.txt").is_file()
    assert not any("hunter2" in path.read_text() for path in out.iterdir() if path.is_file())


# -- env given as one Output (a computed mapping; from another language, a map holding a secret) --------
def test_a_secret_env_mapping_puts_every_variable_into_the_secret(run: Runner) -> None:
    env = pulumi.Output.secret({"DB_PASSWORD": PASSWORD, "MODE": "live"})
    result = run(lambda: orders(env, env_refs={"POD_IP": {"field": "status.podIP"}}))
    ref = {"secretKeyRef": {"name": "orders-env", "key": "DB_PASSWORD"}}
    assert container(result)["env"] == [
        {"name": "DB_PASSWORD", "valueFrom": ref},
        {"name": "MODE", "valueFrom": {"secretKeyRef": {"name": "orders-env", "key": "MODE"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
    ]
    deployment = result.get("Deployment", "orders")
    assert PASSWORD not in json.dumps(deployment.inputs)
    assert not any(path[:1] == ("spec",) for path in deployment.secrets)  # references only: not secret
    assert result.get("Secret", "orders-env").inputs["stringData"] == {"DB_PASSWORD": PASSWORD, "MODE": "live"}


def test_an_env_mapping_that_is_not_secret_stays_plain_values(run: Runner) -> None:
    def program() -> None:
        db = k8s.core.v1.ConfigMap("db", metadata={"name": "db"}, data={"host": "db.internal"})
        orders(db.data.apply(lambda data: {"DB_HOST": data["host"], "WORKERS": 4}))

    result = run(program)
    assert container(result)["env"] == [{"name": "DB_HOST", "value": "db.internal"}, {"name": "WORKERS", "value": "4"}]
    assert result.k8s("Secret") == []


@pytest.mark.parametrize(
    ("env", "refs", "match"),
    [
        ({"1BAD": "x"}, None, r"env key '1BAD' is not a valid environment variable name"),
        (
            {"POD_IP": "x"},
            {"POD_IP": {"field": "status.podIP"}},
            r"env_refs\['POD_IP'\] .* sets a variable `env` sets too",
        ),
    ],
)
def test_an_env_mapping_from_an_output_is_checked_when_known(env: dict, refs: dict | None, match: str) -> None:
    from kubexpose import ValidationError
    from kubexpose.engine.run import run_program

    extra = {} if refs is None else {"env_refs": refs}
    with pytest.raises(ValidationError, match=rf"^ExposedDeployment 'orders': {match}"):
        run_program(lambda: orders(pulumi.Output.from_input(env), **extra))


# -- a secret never reaches an error message (found by a newcomer: a secret alias target was printed) ----
LEAKY = "postgres://admin:S3cretPassw0rd@db.example.com:5432"


@pytest.mark.parametrize(
    ("declare", "field"),
    [
        (lambda v: ExternalAlias("db", {"target": v, "port": 5432}), "target"),
        (lambda v: ExposedDeployment("web", {"image": v.apply(lambda t: f"{t} x"), "port": 8080}), "image"),
        (lambda v: ExposedDeployment("web", {"image": "nginx:1.27", "port": 8080, "labels": {"team": v}}), "labels"),
        (lambda v: ExposedDeployment("web", {"image": "nginx:1.27", "port": 8080, "namespace": v}), "namespace"),
    ],
    ids=["alias target", "image", "label value", "namespace"],
)
def test_a_bad_secret_value_is_named_by_its_field_and_never_shown(declare: Any, field: str) -> None:
    from kubexpose import ValidationError
    from kubexpose.engine.run import run_program

    with pytest.raises(ValidationError) as caught:
        run_program(lambda: declare(pulumi.Output.secret(LEAKY)))
    message = str(caught.value)
    assert field in message and "[secret]" in message
    for piece in ("S3cretPassw0rd", "admin", "postgres", "5432", "db.example.com"):
        assert piece not in message, message
    with pytest.raises(ValidationError) as plain:  # the same value, not secret: shown, so it can be fixed
        run_program(lambda: declare(pulumi.Output.from_input(LEAKY)))
    assert LEAKY in str(plain.value)
