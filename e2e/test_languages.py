"""Every language the README names that this machine can run goes through the real engine: the TypeScript and Go
consumers of the component package (and YAML, see below), with SDKs generated from the schema the provider serves.

For each language: the kubexpose provider runs as the executable plugin (`pulumi plugin install resource kubexpose
<version> --file ...`); the CLI reads its schema (`pulumi package get-schema`, which binds the kubernetes types it
refers to against the kubernetes plugin of that version); the SDK is generated with the Pulumi CLI module's own code
generator for that language (`pulumi-gen-sdk`, built by the toolchain: `pulumi package gen-sdk` hands generation to
the language host, `pulumi-language-nodejs`/`-go`, which no registry here serves); the language's compiler checks
the example against it; the program runs as an Automation API inline program of its language (the language hosts
are not needed for inline programs), comes up, previews with no changes, and is destroyed. Its objects equal the
Python component's for the same inputs, field for field (env variables by name: the README's language
difference); a secret input stays encrypted in the state, never appears in the engine's output, and reaches the Pod
through the Secret; a bad input reaches the user as kubexpose's one-line message.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import ROOT, drift, eventually

from kubexpose import ExposedDeployment, ExternalAlias, Worker
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import run_program
from kubexpose.live import toolchain
from kubexpose.provider import KUBERNETES_SCHEMA, VERSION
from kubexpose.testing.plugin import _missing_tools_outcome as missing_tools_outcome

NS = "shop"
SECRET = "s3cret-db-pw-7d41"
"""The `dbPassword` the examples read as a secret: it must reach the Pod through the Secret `orders-env`, and never
appear in the state or the engine's output."""
CONSUMERS = ROOT / "e2e" / "consumers"
EXAMPLE_CONFIG = {
    "kubexpose:publicServiceType": "NodePort",
    "kubexpose:namespace": NS,
    "kubexpose:nodeAddress": "localhost",
}
"""`examples/*-consumer/Pulumi.dev.yaml`, which every consumer example shares (a test checks it)."""


def python_consumer() -> None:
    """What every consumer example declares and exports, written in Python."""
    orders = ExposedDeployment(
        "orders",
        {
            "image": "ghcr.io/acme/orders:1.4.2",
            "namespace": NS,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "exposure": "public",  # type: ignore[typeddict-item]
            "replicas": 2,
            "env": {"DB_PASSWORD": pulumi.Output.secret(SECRET), "MODE": "live"},  # by name: the language difference
            "env_refs": {"POD_IP": {"field": "status.podIP"}},
            "writable_paths": ["/tmp"],
            "readiness_probe": {"http_get": {"path": "/healthz", "port": 8080}},
            "drain_seconds": 10,
            "termination_grace_period_seconds": 40,
            "rollout": {"max_surge": 1},
            "node_selector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"key": "pool", "operator": "Exists", "effect": "NoSchedule"}],
            "pod_anti_affinity": [{"apps": ["orders"], "weight": 50}],
            "sidecars": [{"name": "log-shipper", "image": "fluent/fluent-bit:3.1", "writable_paths": ["/tmp"]}],
            "files": {"/etc/orders/config.yaml": "level: info\n"},
            "patches": {"Deployment": [{"op": "add", "path": "/spec/minReadySeconds", "value": 5}]},
            "migration": {"command": ["./orders", "migrate", "up"]},
        },
    )
    payments = ExternalAlias("payments", {"target": "api.payments.example.com", "port": 443})
    orders_db = ExternalAlias("orders-db", {"addresses": ["10.20.0.5"], "port": 5432, "namespace": NS})
    pulumi.export("ordersUrl", orders.url)
    pulumi.export("ordersInCluster", orders.endpoint)
    pulumi.export("ordersPortForward", orders.port_forward)
    pulumi.export("ordersLogs", orders.logs)
    pulumi.export("paymentsDns", payments.cluster_dns)
    pulumi.export("ordersDbEndpoint", orders_db.endpoint)
    worker = Worker(
        "orders-worker",
        {
            "image": "ghcr.io/acme/orders-worker:1.4.2",
            "namespace": NS,
            "env": {"ORDERS": "http://orders"},
            "jobs": {
                "requeue": {
                    "command": ["./worker", "requeue-dead-letters"],
                    "schedule": "*/30 * * * *",
                    "time_zone": "Etc/UTC",
                }
            },
        },
    )
    pulumi.export("workerLogs", worker.logs)
    reviews = ExposedDeployment(
        "reviews",
        {
            "image": "ghcr.io/acme/reviews:1.0.0",
            "namespace": NS,
            "port": 9080,
            "replicas": 2,
            "env": {"STAR_COLOR": "black"},
            "versions": {"v1": {}, "v2": {"replicas": 1, "env": {"STAR_COLOR": "red"}}},
        },
    )
    pulumi.export("reviewsDns", reviews.cluster_dns)


def python_run() -> Any:
    """The Python components' run for the examples' inputs and stack config."""
    return run_program(python_consumer, stack="dev", project="consumer", config=EXAMPLE_CONFIG)


def test_every_consumer_example_has_the_stack_config_the_comparison_uses() -> None:
    import yaml

    for folder in ("ts-consumer", "go-consumer", "yaml-consumer"):
        stack_file = yaml.safe_load((ROOT / "examples" / folder / "Pulumi.dev.yaml").read_text())
        assert stack_file["config"] == EXAMPLE_CONFIG, folder


@dataclass
class Sdk:
    """What SDK generation needs: the CLI-read schemas of kubexpose and of the kubernetes package it refers to."""

    live: Any
    kubexpose_schema: Path
    kubernetes_schema: Path

    def generate_as_the_readme_does(self, language: str, project: Path) -> str:
        """`kubexpose sdk <language>` in the project folder (the README's path without a language host): the same
        generator, on the schemas the command reads through the CLI from the installed plugins."""
        return run([sys.executable, "-m", "kubexpose", "sdk", language], cwd=project, env=self.live.env)

    def install_kubernetes_plugin(self, version: str) -> None:
        """The kubernetes plugin a language's own kubernetes SDK asks the engine for (its package's version)."""
        self.live.cli(
            "plugin",
            "install",
            "resource",
            "kubernetes",
            version,
            "--file",
            str(toolchain.find("pulumi-resource-kubernetes")),
        )


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run a build or runner command; its output on failure."""
    proc = subprocess.run(
        args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args[:3])} failed ({proc.returncode}) in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@pytest.fixture(scope="module")
def sdk(kubexpose_live: Any, tmp_path_factory: pytest.TempPathFactory) -> Sdk:
    if toolchain.missing(["pulumi-gen-sdk"]):
        missing_tools_outcome(f"pulumi-gen-sdk is not built: {toolchain.BUILD_COMMAND} --only gen-sdk")
    folder = tmp_path_factory.mktemp("schemas")
    launcher = plugin_from_git_tag(folder)
    kubexpose_live.cli("plugin", "install", "resource", "kubexpose", VERSION, "--file", str(launcher))
    kubexpose_live.cli(
        "plugin",
        "install",
        "resource",
        "kubernetes",
        KUBERNETES_SCHEMA,
        "--file",
        str(toolchain.find("pulumi-resource-kubernetes")),
    )
    schemas = Sdk(kubexpose_live, folder / "kubexpose.json", folder / "kubernetes.json")
    # The CLI reads both schemas from the plugins, binding kubexpose's references to the kubernetes types.
    schemas.kubernetes_schema.write_text(
        kubexpose_live.cli("package", "get-schema", f"kubernetes@{KUBERNETES_SCHEMA}").stdout
    )
    schemas.kubexpose_schema.write_text(kubexpose_live.cli("package", "get-schema", f"kubexpose@{VERSION}").stdout)
    # The plugin serves the committed schema, as the CLI reads both (it drops what its schema types do not hold).
    committed = kubexpose_live.cli("package", "get-schema", str(ROOT / "provider" / "schema.json")).stdout
    assert json.loads(schemas.kubexpose_schema.read_text()) == json.loads(committed)
    return schemas


def plugin_from_git_tag(folder: Path) -> Path:
    """`pulumi-resource-kubexpose` as the README installs it from a git URL with a tag: this repository's HEAD,
    cloned and tagged `v<version>`, installed with `pip install git+file://<clone>@v<version>` into a virtualenv of
    its own (the working tree's uncommitted changes are not in it)."""
    clone = folder / "kubexpose"
    run(["git", "clone", "--quiet", str(ROOT), str(clone)], cwd=folder)
    run(["git", "tag", f"v{VERSION}"], cwd=clone)
    venv = folder / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=folder)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"git+file://{clone}@v{VERSION}"], cwd=folder)
    return venv / "bin" / "pulumi-resource-kubexpose"


def check_consumer(cluster: Any, outputs: dict[str, Any], engine_output: str, state_text: str) -> None:
    """What every language's consumer must show once it is up: the Python components' objects and outputs (the
    node port is the cluster's pick), the secret input only in the Secret."""
    python = python_run()
    node_port = cluster.get_json("service", "orders", "-n", NS)["spec"]["ports"][0]["nodePort"]
    assert outputs == python.exports | {"ordersUrl": f"http://localhost:{node_port}"}
    expected = manifests(python)
    state = json.loads(state_text)["deployment"]["resources"]
    made = {
        (r["type"].rsplit(":", 1)[-1], r["outputs"]["metadata"]["name"])
        for r in state
        if r["type"].startswith("kubernetes:")
        and r["type"] != "kubernetes:core/v1:Namespace"
        and not r["type"].startswith("pulumi:providers:")
    }
    assert made == {(m["kind"], m["metadata"]["name"]) for m in expected}  # the same objects, no more, no fewer
    assert drift(cluster, [m for m in expected if m["kind"] != "Secret"]) == {}  # field for field
    secret = cluster.get_json("secret", "orders-env", "-n", NS)
    assert sorted(secret["data"]) == ["DB_PASSWORD"]  # the plain MODE stays a plain env value
    assert base64.b64decode(secret["data"]["DB_PASSWORD"]).decode() == SECRET
    assert SECRET not in state_text, "the secret input is in the state in plain text"
    assert SECRET not in engine_output, "the secret input is in the engine's output"


@dataclass
class Consumer:
    """A working copy of a consumer example, built, and the command that runs its program inline."""

    language: str
    work: Path
    command: list[str]
    """The runner, before `<up|preview|destroy> <stack>`; none: the Pulumi CLI runs the program (YAML)."""
    after: tuple[str, ...] = ()
    """What the runner takes after the stack (Node.js: the compiled program)."""
    stack_flag: bool = False
    """The runner takes the stack as `--stack dev` (`kubexpose node`), not as a word."""

    def run(self, live: Any, op: str, after: tuple[str, ...] | None = None) -> tuple[dict[str, Any], str]:
        """``op`` on the stack ``dev``: the runner's result line and everything it printed."""
        if not self.command:
            return self.run_with_cli(live, op)
        env = {**os.environ, **live.env, "KUBEXPOSE_PULUMI_ROOT": str(live.pulumi.parent.parent)}
        stack = ["--stack", "dev"] if self.stack_flag else ["dev"]
        args = [*self.command, op, *stack, *(self.after if after is None else after)]
        proc = subprocess.run(args, cwd=self.work, env=env, capture_output=True, text=True, timeout=900)
        text = proc.stdout + proc.stderr
        found = re.search(r"^KUBEXPOSE-RESULT (.*)$", proc.stdout, re.M)
        if proc.returncode != 0 or not found:
            raise RunFailedError(f"{self.language} {op} failed:\n{text}")
        return json.loads(found.group(1)), text

    def run_with_cli(self, live: Any, op: str) -> tuple[dict[str, Any], str]:
        """``op`` as `pulumi up`/`preview`/`destroy` run it: through the program's language host (YAML)."""
        flags = {"up": ["--yes"], "preview": ["--expect-no-changes"], "destroy": ["--yes"]}[op]
        proc = live.cli(op, "--stack", "dev", "--json", *flags, cwd=self.work, check=False)
        text = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise RunFailedError(f"{self.language} {op} failed:\n{text}")
        summary, _ = json.JSONDecoder().raw_decode(proc.stdout)  # the CLI's warnings may follow the JSON
        changes = summary.get("changeSummary") or summary.get("summary", {}).get("resourceChanges") or {}
        shown = live.cli("stack", "output", "--json", "--stack", "dev", cwd=self.work).stdout
        outputs, _ = json.JSONDecoder().raw_decode(shown)
        return {"result": "succeeded", "changes": changes, "outputs": outputs}, text


class RunFailedError(AssertionError):
    """A consumer's runner failed; the message is everything it printed."""


def needs(*tools: str) -> list[str]:
    """The paths of ``tools``; a skip (a failure under KUBEXPOSE_E2E_REQUIRE=1) when one is missing."""
    found = [shutil.which(tool) for tool in tools]
    if not all(found):
        missing_tools_outcome(f"{', '.join(t for t, f in zip(tools, found, strict=True) if not f)} not found on PATH")
    return [str(f) for f in found]


def copy_example(folder: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp(folder) / folder
    ignore = shutil.ignore_patterns("node_modules", "sdks", "bin")
    shutil.copytree(ROOT / "examples" / folder, work, ignore=ignore)
    (work / "sdks").mkdir()
    return work


# -- TypeScript ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def typescript(sdk: Sdk, tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    """examples/ts-consumer as `pulumi package add` leaves it (the SDK in sdks/kubexpose), installed, type-checked
    against the generated SDK and compiled by `tsc`."""
    node, npm = needs("node", "npm")
    work = copy_example("ts-consumer", tmp_path_factory)
    said = sdk.generate_as_the_readme_does("nodejs", work)
    assert f"kubexpose {VERSION} SDK for nodejs in {work / 'sdks' / 'kubexpose'}" in said
    assert '"@pulumi/kubexpose": "file:sdks/kubexpose"' in said  # as package.json links it
    assert_input_types_read_plainly(work / "sdks" / "kubexpose", "ProbeArgs")
    run([npm, "install", "--no-package-lock", "--no-audit", "--no-fund"], cwd=work)
    if not (work / "sdks" / "kubexpose" / "bin" / "index.js").is_file():
        # The SDK's postinstall (its own tsc build), where npm is configured to run no install scripts.
        run([node, "scripts/postinstall.js"], cwd=work / "sdks" / "kubexpose")
    run([npm, "exec", "--", "tsc", "-p", "."], cwd=work)
    kubernetes = json.loads((work / "node_modules" / "@pulumi" / "kubernetes" / "package.json").read_text())
    sdk.install_kubernetes_plugin(kubernetes["version"])
    # `kubexpose node` runs the compiled program with the runner the package ships (the README's path).
    return Consumer("typescript", work, [sys.executable, "-m", "kubexpose", "node"], ("bin/index.js",), stack_flag=True)


def assert_input_types_read_plainly(generated: Path, example: str) -> None:
    """The schema's tokens are plain nouns (`kubexpose:index:Port`), so the generator's `Args` suffix is the only
    one: no `PortArgsArgs` anywhere in the generated code, and `example` is declared."""
    files = [f for f in generated.rglob("*") if f.is_file() and f.suffix in (".ts", ".go")]
    assert files, f"no generated code under {generated}"
    doubled = sorted({m for f in files for m in re.findall(r"\w+ArgsArgs\w*", f.read_text())})
    assert doubled == [], f"generated SDK names {doubled}"
    assert any(re.search(rf"\b(interface|type) {example}\b", f.read_text()) for f in files), example


# -- Go ------------------------------------------------------------------------------------------------------------


def go_build(work: Path) -> None:
    """`go vet` and `go build` with inline.go in place of main.go (same `program`)."""
    (work / "main.go").unlink()
    shutil.copy2(CONSUMERS / "inline.go", work / "inline.go")
    env = {"GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local"}
    run(["go", "mod", "tidy"], cwd=work, env=env)  # the Automation API's own requirements
    run(["go", "vet", "."], cwd=work, env=env)
    run(["go", "build", "-o", "consumer", "."], cwd=work, env=env)


@pytest.fixture(scope="module")
def go(sdk: Sdk, tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    """examples/go-consumer with the generated SDK in sdks/kubexpose: `go vet` on the example as it is, then built
    with the Automation API runner."""
    (go_bin,) = needs("go")
    work = copy_example("go-consumer", tmp_path_factory)
    said = sdk.generate_as_the_readme_does("go", work)
    assert "replace example.com/pulumi-kubexpose/sdk/go/kubexpose =>" in said  # the line go.mod carries
    assert_input_types_read_plainly(work / "sdks" / "kubexpose", "PortArgs")
    run([go_bin, "vet", "."], cwd=work, env={"GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local"})
    go_build(work)
    sdk.install_kubernetes_plugin(go_module_version(work, "github.com/pulumi/pulumi-kubernetes/sdk/v4"))
    return Consumer("go", work, [str(work / "consumer")])


def go_module_version(work: Path, module: str) -> str:
    found = re.search(rf"^\s*{re.escape(module)} v(\S+)", (work / "go.mod").read_text(), re.M)
    assert found, f"go.mod requires no {module}"
    return found.group(1)


# -- YAML ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yaml(sdk: Sdk, kubexpose_live: Any, tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    """examples/yaml-consumer, run by the Pulumi CLI through `pulumi-language-yaml` (built by the toolchain): YAML
    needs no SDK; the YAML host reads kubexpose's schema from the plugin and type-checks the program against it."""
    if toolchain.missing(["pulumi-language-yaml"]):
        missing_tools_outcome(f"pulumi-language-yaml is not built: {toolchain.BUILD_COMMAND} --only yaml")
    host = toolchain.find("pulumi-language-yaml")
    kubexpose_live.env["PATH"] = f"{host.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return Consumer("yaml", copy_example("yaml-consumer", tmp_path_factory), [])


# -- every language ------------------------------------------------------------------------------------------------


@pytest.fixture(params=["typescript", "go", "yaml"])
def consumer(request: pytest.FixtureRequest, kubexpose_live: Any, cluster: Any) -> Iterator[Consumer]:
    """A consumer with the stack `dev` (the example's stack file, and `dbPassword` set as a secret); destroyed after."""
    built: Consumer = request.getfixturevalue(request.param)
    kubexpose_live.cli("stack", "init", "dev", "--secrets-provider", "passphrase", cwd=built.work)
    kubexpose_live.cli("config", "set", "--secret", "dbPassword", SECRET, "--stack", "dev", cwd=built.work)
    try:
        yield built
    finally:
        try:
            built.run(kubexpose_live, "destroy")
        finally:
            kubexpose_live.cli("stack", "rm", "dev", "--yes", "--force", cwd=built.work, check=False)
            eventually(lambda: cluster.kubectl("get", "namespace", NS, check=False).returncode != 0, timeout=120)


def test_a_consumer_comes_up_with_the_objects_the_python_components_make(
    kubexpose_live: Any, cluster: Any, consumer: Consumer
) -> None:
    result, output = consumer.run(kubexpose_live, "up")
    assert result["result"] == "succeeded", output
    state = kubexpose_live.cli("stack", "export", "--stack", "dev", cwd=consumer.work).stdout
    check_consumer(cluster, result["outputs"], output, state)
    again, output = consumer.run(kubexpose_live, "preview")  # expects no changes: fails on any
    assert set(again["changes"]) == {"same"}, again


BAD_PORT = "ExposedDeployment '{name}': ports[0].port 70000 is outside 1-65535; give a port number from 1 to 65535"


def test_a_bad_input_reaches_the_user_as_the_components_one_line_message(
    kubexpose_live: Any, consumer: Consumer, tmp_path: Path
) -> None:
    if consumer.language == "typescript":
        (consumer.work / "bad.js").write_text(
            'const kubexpose = require("@pulumi/kubexpose");\n'
            'new kubexpose.ExposedDeployment("broken", { image: "nginx:1.27", ports: [{ port: 70000 }] });\n'
        )
        bad, after = consumer, ("bad.js",)
    elif consumer.language == "yaml":
        work = tmp_path / "yaml-consumer"
        shutil.copytree(consumer.work, work)
        program = (work / "Pulumi.yaml").read_text()
        (work / "Pulumi.yaml").write_text(program.replace("        - port: 80\n", "        - port: 70000\n", 1))
        bad, after = Consumer("yaml", work, []), ()
    else:
        work = tmp_path / "go-consumer"
        shutil.copytree(consumer.work, work, symlinks=True, ignore=shutil.ignore_patterns("consumer", "inline.go"))
        (work / "main.go").write_text("package main\n")  # go_build swaps it for the runner
        (work / "program.go").write_text(BAD_GO_PROGRAM)
        go_build(work)
        bad, after = Consumer("go", work, [str(work / "consumer")]), ()
    with pytest.raises(RunFailedError) as failed:
        bad.run(kubexpose_live, "preview", after)
    name = "orders" if consumer.language == "yaml" else "broken"
    assert BAD_PORT.format(name=name) in str(failed.value)
    # Then the property's reason alone, as the engine prints it (not the whole message a second time).
    assert "ports[0].port with value 70000 has a problem: 70000 is outside 1-65535" in str(failed.value)
    assert "has a problem: 70000 is outside 1-65535;" not in str(failed.value)
    assert "Traceback" not in str(failed.value)


BAD_GO_PROGRAM = """package main

import (
	"example.com/pulumi-kubexpose/sdk/go/kubexpose"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func program(ctx *pulumi.Context) error {
	_, err := kubexpose.NewExposedDeployment(ctx, "broken", &kubexpose.ExposedDeploymentArgs{
		Image: pulumi.String("nginx:1.27"),
		Ports: []kubexpose.PortArgs{{Port: 70000}},
	})
	return err
}
"""
