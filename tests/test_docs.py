"""Every code block and command of the docs (README.md, docs/, CONTRIBUTING.md, bench/README.md) runs, or is checked against what it names.

Each fenced block is handled by exactly one check below, found by the block's first line; a new block
without a check fails `test_every_block_has_a_check`, so the docs cannot drift from the code unseen.
Blocks that need the Pulumi CLI or a cluster are checked by the e2e suite (`e2e/test_docs_commands.py`,
`e2e/test_consumer_stack.py`); here they are only matched to that check.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from kubexpose import ExposedDeployment, StackProfile, ValidationError
from kubexpose.engine.run import run_program

DOCS = (
    "README.md",
    "docs/_index.md",
    "docs/installation-configuration.md",
    "docs/testing.md",
    "CONTRIBUTING.md",
    "bench/README.md",
)
"""Every document whose blocks and commands are checked: the front door, the package docs the Pulumi Registry reads,
the testing and contributing guides and the benchmark."""


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    body: str

    @property
    def first(self) -> str:
        return self.body.strip().splitlines()[0] if self.body.strip() else ""

    def __str__(self) -> str:
        return f"{self.doc}:{self.line} ({self.first[:50]})"


def blocks() -> list[Block]:
    out = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
            out.append(Block(doc, text[: m.start()].count("\n") + 1, m.group(1), m.group(2)))
    return out


def commands(block: Block) -> list[list[str]]:
    """The shell commands of a block, comments and blank lines dropped."""
    lines = [line.split("  #", 1)[0].strip() for line in block.body.splitlines()]
    return [shlex.split(line) for line in lines if line and not line.startswith("#")]


# -- checks ------------------------------------------------------------------------------------------------
def make_targets(block: Block, tmp_path: Path) -> None:
    """Every `make X` is a target of the Makefile (a dry run resolves it)."""
    for words in commands(block):
        assert words[0] == "make", f"{block}: {words}"
        done = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{block}: `{' '.join(words)}`: {done.stderr}"


def kubexpose_commands(block: Block, tmp_path: Path) -> None:
    """`kubexpose ...` lines run for real (into a temporary folder); `pulumi ...` lines are e2e's."""
    for words in commands(block):
        if words[0] == "kubexpose":
            args = [w.replace("policy/", str(tmp_path / "policy")) for w in words[1:]]
            done = subprocess.run(
                [sys.executable, "-m", "kubexpose", *args, "--no-venv"], cwd=ROOT, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{block}: {done.stderr}"
            assert (tmp_path / "policy" / "PulumiPolicy.yaml").is_file()
        else:
            assert words[0] == "pulumi", f"{block}: {words}"


def pulumi_commands(block: Block, tmp_path: Path) -> None:
    """`pulumi ...` and `kubectl ...` lines need the CLI: e2e/test_docs_commands.py checks each flag."""
    for words in commands(block):
        assert words[0] in ("pulumi", "kubectl"), f"{block}: {words}"
    assert (ROOT / "e2e" / "test_docs_commands.py").is_file()


def package_add(block: Block, tmp_path: Path) -> None:
    """`pulumi package add <repo>/provider`: the folder is a Python component provider."""
    assert "provider" in block.first
    assert (ROOT / "provider" / "PulumiPlugin.yaml").is_file()
    pulumi_commands(block, tmp_path)


def plugin_install(block: Block, tmp_path: Path) -> None:
    """The executable plugin: the version is the provider's, the launcher a console script of the wheel, and the
    e2e suite installs it this very way (e2e/test_component_provider.py)."""
    import tomllib

    from kubexpose.provider import VERSION

    assert f"resource kubexpose {VERSION} --file" in block.first
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["pulumi-resource-kubexpose"] == "kubexpose.provider:serve"
    e2e = (ROOT / "e2e" / "test_component_provider.py").read_text()
    assert '"plugin", "install", "resource", "kubexpose", VERSION, "--file", launcher' in e2e
    pulumi_commands(block, tmp_path)


def local_cluster_commands(block: Block, tmp_path: Path) -> None:
    """`kubexpose cluster ...` lines parse as the command's own; the rest are the export line it prints and `pulumi`
    lines; e2e/test_local_cluster.py runs the cluster's up, a `pulumi up` through that export line, and down."""
    from kubexpose.render import cli

    parser = _parser(cli)
    for words in commands(block):
        if words[0] == "kubexpose":
            parser.parse_args(words[1:])
        elif words[0] != "export":
            assert words[0] == "pulumi", f"{block}: {words}"
    assert 'kubexpose("cluster", "up"' in (ROOT / "e2e" / "test_local_cluster.py").read_text()


def typescript_walkthrough(block: Block, tmp_path: Path) -> None:
    """From an empty folder to `up` with a normal Pulumi installation: the versions are the provider's and its
    schema's, the plugin comes from the wheel's console script; the rest are `pulumi`, `mkdir` and `cd` lines (the
    steps without a language host are the next block, which e2e/test_languages.py runs)."""
    from pip._vendor.packaging.requirements import Requirement

    from kubexpose.provider import KUBERNETES_SCHEMA, VERSION

    lines = commands(block)
    assert lines[0][:2] == ["pip", "install"] and Requirement(lines[0][2]).name == "kubexpose"
    assert f"v{VERSION}" in lines[0][2]
    assert lines[1][:7] == ["pulumi", "plugin", "install", "resource", "kubexpose", VERSION, "--file"]
    assert lines[2] == ["pulumi", "plugin", "install", "resource", "kubernetes", KUBERNETES_SCHEMA]
    assert ["pulumi", "package", "add", f"kubexpose@{VERSION}"] in lines
    assert {words[0] for words in lines[3:]} <= {"pulumi", "mkdir", "cd", "&&"}
    plugin_install(Block(block.doc, block.line, block.lang, " ".join(lines[1])), tmp_path)


def without_language_host(block: Block, tmp_path: Path) -> None:
    """`kubexpose sdk` and `kubexpose node` lines parse as the command's own; e2e/test_languages.py runs them."""
    from kubexpose.render import cli

    parser = _parser(cli)
    for words in commands(block):
        if words[0] == "kubexpose":
            parser.parse_args(words[1:])
        else:
            assert words[0] == "npm", f"{block}: {words}"
    e2e = (ROOT / "e2e" / "test_languages.py").read_text()
    assert '"kubexpose", "sdk", language' in e2e and '"kubexpose", "node"' in e2e


def requirement_line(block: Block, tmp_path: Path) -> None:
    """The line another project adds names this distribution."""
    name = re.search(r'^name = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert name and block.first.startswith(f"{name.group(1)} @ git+")


def summary_excerpt(block: Block, tmp_path: Path) -> None:
    """The summary printed by `make render` is the golden file's (tests/test_readme.py keeps it current)."""
    assert block.body.strip() == (ROOT / "tests" / "golden" / "dev" / "summary.txt").read_text().strip()


def topology_excerpt(block: Block, tmp_path: Path) -> None:
    assert block.body.strip() in (ROOT / "tests" / "golden" / "dev" / "topology.md").read_text()


def consumer_program(block: Block, tmp_path: Path) -> None:
    """The consumer example runs (tests/test_readme.py checks what it makes) and is mypy-clean."""
    path = tmp_path / "consumer_program.py"
    path.write_text(block.body)
    mypy(path)


def mypy(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-error-summary", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def routed_app(block: Block, tmp_path: Path) -> None:
    """The HTTP-route example declares a valid app in an Ingress stack (its caller declared beside it)."""
    from kubexpose.profile import IngressSettings

    profile = StackProfile(namespace="shop", ingress=IngressSettings("nginx", namespace="ingress-nginx"))

    def program() -> None:
        ExposedDeployment("frontend", {"image": "ghcr.io/acme/frontend:1.0.0", "port": 8080}, profile=profile)
        exec(compile(block.body, str(block), "exec"), {"ExposedDeployment": _with_profile(profile)})

    result = run_program(program)
    assert result.get("Ingress", "api").inputs["spec"]["rules"][0]["host"] == "api.shop.example.com"


def files_snippet(block: Block, tmp_path: Path) -> None:
    """The config-files example puts the plain file into the ConfigMap and the secret one into the Secret."""
    import pulumi

    class Config:
        def require_secret(self, key: str) -> Any:
            return pulumi.Output.secret(f"{key}: s3cret")

    names = {"ExposedDeployment": ExposedDeployment, "config": Config()}
    result = run_program(lambda: exec(compile(block.body, str(block), "exec"), names))
    assert list(result.get("ConfigMap", "api-files").inputs["data"]) == ["etc-api-config.yaml"]
    assert list(result.get("Secret", "api-files").inputs["stringData"]) == ["etc-api-db.ini"]


def patches_snippet(block: Block, tmp_path: Path) -> None:
    """The patches example patches both objects, each marked with its operations."""
    result = run_program(
        lambda: exec(compile(block.body, str(block), "exec"), {"ExposedDeployment": ExposedDeployment})
    )
    deployment = result.get("Deployment", "web").inputs
    assert deployment["spec"]["minReadySeconds"] == 10
    assert deployment["spec"]["template"]["spec"]["hostAliases"][0]["hostnames"] == ["db.internal"]
    assert result.get("Service", "web").inputs["spec"]["publishNotReadyAddresses"] is True
    marked = deployment["metadata"]["annotations"]["kubexpose.dev/patched"]
    assert marked == "add /spec/template/spec/hostAliases; add /spec/minReadySeconds"


def egress_snippet(block: Block, tmp_path: Path) -> None:
    """The egress example allows DNS, the catalog app, the payments alias (its label) and the network."""
    result = run_program(
        lambda: exec(compile(block.body, str(block), "exec"), {"ExposedDeployment": ExposedDeployment})
    )
    rules = result.get("NetworkPolicy", "web").inputs["spec"]["egress"]
    assert [rule["to"][0] for rule in rules[1:]] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "payments"}}},
        {"ipBlock": {"cidr": "203.0.113.0/24"}},
    ]
    assert rules[1]["to"][1] == {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "productcatalog"}}}
    labels = result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["labels"]
    assert labels["calls.kubexpose.dev/payments"] == "true"


def with_secret_config(block: Block) -> Any:
    """The run of a block that declares ExposedDeployments and reads a secret from `config`."""
    import pulumi

    class Config:
        def require_secret(self, key: str) -> Any:
            return pulumi.Output.secret(f"postgres://{key}")

    names = {"ExposedDeployment": ExposedDeployment, "config": Config()}
    return run_program(lambda: exec(compile(block.body, str(block), "exec"), names))


def fleet_snippet(block: Block, tmp_path: Path) -> None:
    """The fleet example: the app `api` in two clusters, the same objects and node port in each, Pulumi names apart."""
    import pulumi
    import pulumi_kubernetes as k8s

    class Config:
        def require(self, key: str) -> str:
            return f"/clusters/{key}.yaml"

    names = {"ExposedDeployment": ExposedDeployment, "k8s": k8s, "pulumi": pulumi, "config": Config()}
    result = run_program(lambda: exec(compile(block.body, str(block), "exec"), names))
    deployments = result.k8s("Deployment")
    assert sorted(d.name for d in deployments) == ["api-east-deployment", "api-west-deployment"]
    assert {str(d.object_name) for d in deployments} == {"api"}
    if "node_port" in block.body:  # the reference's example fixes one node port, in each cluster
        ports = [s.inputs["spec"]["ports"][0]["nodePort"] for s in result.k8s("Service")]
        assert ports == [30080, 30080]


def versions_snippet(block: Block, tmp_path: Path) -> None:
    """The versions example declares a Deployment per version and one Service over both."""
    result = run_program(
        lambda: exec(compile(block.body, str(block), "exec"), {"ExposedDeployment": ExposedDeployment})
    )
    replicas = {str(d.object_name): d.inputs["spec"]["replicas"] for d in result.k8s("Deployment")}
    assert replicas == {"reviews-v1": 3, "reviews-v2": 1}
    assert result.get("Service", "reviews").inputs["spec"]["selector"] == {"app.kubernetes.io/name": "reviews"}


def jobs_snippet(block: Block, tmp_path: Path) -> None:
    """The jobs example declares the CronJob `orders-report` and the run-once Job, both in the app's Pod."""
    result = with_secret_config(block)
    (cron,) = result.k8s("CronJob")
    (job,) = result.k8s("Job")
    assert cron.object_name == "orders-report" and str(job.object_name).startswith("orders-seed-")
    spec = cron.inputs["spec"]
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == ("0 3 * * *", "Europe/Berlin", "Forbid")
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "orders-env", "key": "DB_URL"}
    assert job.urn not in result.get("Deployment", "orders").dependencies


def migration_snippet(block: Block, tmp_path: Path) -> None:
    """The migration example declares the Job the Deployment waits for, the secret through the app's Secret."""
    result = with_secret_config(block)
    (job,) = result.k8s("Job")
    assert str(job.object_name).startswith("orders-migrate-")
    container = job.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["./orders", "migrate", "up"]
    assert container["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "orders-env", "key": "DB_URL"}
    assert job.urn in result.get("Deployment", "orders").dependencies


def stateful_snippet(block: Block, tmp_path: Path) -> None:
    """The stateful example writes a StatefulSet with its claim template, the headless Service and the client one."""
    from kubexpose import ExposedStatefulSet

    def program() -> None:
        ExposedDeployment("api", {"image": "ghcr.io/acme/api:1.0.0", "port": 80})
        exec(compile(block.body, str(block), "exec"), {"ExposedStatefulSet": ExposedStatefulSet})

    result = run_program(program)
    spec = result.get("StatefulSet", "cache").inputs["spec"]
    assert spec["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast-ssd"
    assert result.get("Service", "cache-pods").inputs["spec"]["clusterIP"] == "None"
    assert result.get("Service", "cache").inputs["spec"]["type"] == "ClusterIP"


def worker_snippet(block: Block, tmp_path: Path) -> None:
    """The worker example writes a Deployment and a NetworkPolicy admitting no one, and no Service."""
    from kubexpose import Worker

    result = run_program(lambda: exec(compile(block.body, str(block), "exec"), {"Worker": Worker}))
    assert result.k8s("Service") == []
    assert "ingress" not in result.get("NetworkPolicy", "loadgenerator").inputs["spec"]
    env = result.get("Deployment", "loadgenerator").inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "USERS", "value": "10"} in env


def transform_snippet(block: Block, tmp_path: Path) -> None:
    """The transform gives the Deployment, and no other child, its own `ignore_changes`."""
    import pulumi

    result = run_program(
        lambda: exec(
            compile(block.body, str(block), "exec"), {"ExposedDeployment": ExposedDeployment, "pulumi": pulumi}
        )
    )
    options = {r.type: dict(r.options) for r in result.registrations if r.custom}
    assert options.pop("kubernetes:apps/v1:Deployment") == {"ignoreChanges": ["spec.replicas"]}
    assert options and all(o == {} for o in options.values()), options


def adopt_snippet(block: Block, tmp_path: Path) -> None:
    """The move onto kubexpose keeps both raw resources (aliased: no delete) and the Deployment's selector."""
    import pulumi_kubernetes as k8s

    from kubexpose.render.identity import compare, identities

    labels = {"app": "myapp"}

    def raw() -> None:
        template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "myapp", "image": "nginx:1.27"}]}}
        k8s.apps.v1.Deployment(
            "myapp", metadata={"name": "myapp"}, spec={"selector": {"match_labels": labels}, "template": template}
        )
        k8s.core.v1.Service("myapp", metadata={"name": "myapp"}, spec={"selector": labels, "ports": [{"port": 80}]})

    moved = run_program(lambda: exec(compile(block.body, str(block), "exec"), {"ExposedDeployment": ExposedDeployment}))
    changes = {(c.what, (c.old or c.new).ref) for c in compare(identities(run_program(raw)), identities(moved))}  # type: ignore[union-attr]
    assert {("aliased", "Deployment default/myapp"), ("aliased", "Service default/myapp")} <= changes
    assert not [c for c in changes if c[0] in ("moved", "deleted", "replaced")], changes


def _with_profile(profile: StackProfile) -> Callable[..., Any]:
    return lambda name, args, opts=None: ExposedDeployment(name, args, opts, profile=profile)


def stack_file_fragment(block: Block, tmp_path: Path) -> None:
    """A stack-file fragment reads into a profile (the keys and values are ones kubexpose takes)."""
    config = yaml.safe_load(block.body)["config"]
    profile = StackProfile.from_mapping({k.split(":", 1)[1]: v for k, v in config.items()}, stack="docs")
    assert profile != StackProfile(), "the fragment sets nothing kubexpose reads"


def error_example(block: Block, tmp_path: Path) -> None:
    """The example message is the one the library gives for that mistake, word for word."""
    args = {
        "image": "nginxinc/nginx-unprivileged:1.27-alpine",
        "ports": [{"port": 80, "target_port": 8080, "node_port": 40000}],
        "exposure": "public",
    }
    profile = StackProfile(public_service_type=StackProfile().public_service_type.NODE_PORT)
    with pytest.raises(ValidationError) as caught:
        run_program(lambda: ExposedDeployment("frontend", args, profile=profile))
    assert str(caught.value) == block.body.strip()


def kit_snippet(block: Block, tmp_path: Path) -> None:
    """The test-kit tests run with a bare `pytest` in a copy of the consumer example."""
    project = tmp_path / "storefront"
    shutil.copytree(
        ROOT / "examples" / "consumer-stack", project, ignore=shutil.ignore_patterns(".venv", "__pycache__", "render")
    )
    for test in (project / "tests").glob("test_*.py"):
        test.unlink()
    (project / "tests" / "test_readme_snippet.py").write_text(block.body)
    pytest_bin = Path(sys.executable).with_name("pytest")
    done = subprocess.run([str(pytest_bin), "-p", "no:cacheprovider"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def check_manifests_snippet(block: Block, tmp_path: Path) -> None:
    """The policy check over a render runs and passes on the example's prod render."""
    from kubexpose.render.cli import main as cli

    assert cli(["render", "--stack", "prod", "--program", str(ROOT), "--out", str(tmp_path / "render" / "prod")]) == 0
    done = subprocess.run([sys.executable, "-c", block.body], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def live_snippet(block: Block, tmp_path: Path) -> None:
    """The live-cluster test needs the binaries: e2e/test_consumer_stack.py runs this very block."""
    compile(block.body, str(block), "exec")
    assert "docs/testing.md" in (ROOT / "e2e" / "test_consumer_stack.py").read_text()


def layout_tree(block: Block, tmp_path: Path) -> None:
    """Every module the layout names exists."""
    base = ROOT / "components" / "kubexpose"
    for line in block.body.splitlines()[1:]:
        for name in re.findall(r"[\w/]+\.py|\b[a-z0-9_]+/(?=\s)", line.split("  ", 1)[0] + " "):
            for part in name.split(","):
                assert (base / part.strip()).exists(), f"{block}: {part}"


EXAMPLE_OF = {
    "typescript": "examples/ts-consumer/index.ts",
    "go": "examples/go-consumer/program.go",
    "yaml": "examples/yaml-consumer/Pulumi.yaml",
}


def language_excerpt(block: Block, tmp_path: Path) -> None:
    """Every line of the excerpt is a line of the consumer example of its language (which `make e2e` compiles and
    brings up), in the same order: the docs show what runs."""
    example = [line.strip() for line in (ROOT / EXAMPLE_OF[block.lang]).read_text().splitlines()]
    at = 0
    for line in (line.strip() for line in block.body.splitlines() if line.strip()):
        assert line in example[at:], f"{block}: {line!r} is not in {EXAMPLE_OF[block.lang]} (after line {at})"
        at = example.index(line, at) + 1


def contract_snippet(block: Block, tmp_path: Path) -> None:
    """The component contract's four lines are Python, in the order the contract gives."""
    compile(block.body, str(block), "exec")
    order = ["self.checker(", "_parse(", "self.declare(", "self.finish("]
    positions = [block.body.index(step) for step in order]
    assert positions == sorted(positions)


CHECKS: list[tuple[str, str, Callable[[Block, Path], None]]] = [
    ("README.md", "make render", make_targets),
    ("README.md", "SERVICE  ", summary_excerpt),
    ("README.md", "flowchart LR", topology_excerpt),
    ("README.md", "kubexpose @ git+", requirement_line),
    ("README.md", "import pulumi", consumer_program),
    ("README.md", "ExposedDeployment(", routed_app),
    ("README.md", "# A stack that declared", adopt_snippet),
    ("README.md", "config:", stack_file_fragment),
    ("README.md", "ExposedDeployment 'frontend': ports[0].node_port 40000", error_example),
    ("README.md", "pulumi package add", package_add),
    ("README.md", "pulumi plugin install resource kubexpose", plugin_install),
    ("README.md", "from components import storefront", kit_snippet),
    ("README.md", "kubexpose policy-pack", kubexpose_commands),
    ("README.md", "import yaml", check_manifests_snippet),
    ("README.md", "pulumi login --local", pulumi_commands),
    ("README.md", "kubexpose cluster up", local_cluster_commands),
    ("README.md", 'pip install "kubexpose @ git+', typescript_walkthrough),
    ("README.md", "kubexpose sdk nodejs", without_language_host),
    ("README.md", "from pathlib import Path", live_snippet),
    ("docs/_index.md", "api = ExposedDeployment(", files_snippet),
    ("docs/_index.md", "web = ExposedDeployment(", patches_snippet),
    ("docs/_index.md", "caller = ExposedDeployment(", egress_snippet),
    ("docs/_index.md", "orders = ExposedDeployment(", migration_snippet),
    ("docs/_index.md", "reports = ExposedDeployment(", jobs_snippet),
    ("docs/_index.md", "reviews = ExposedDeployment(", versions_snippet),
    ("docs/_index.md", 'for region in ("east", "west"):', fleet_snippet),
    ("docs/_index.md", "const clusters = config.getObject", language_excerpt),
    ("docs/_index.md", "cache = ExposedStatefulSet(", stateful_snippet),
    ("docs/_index.md", "loadgen = Worker(", worker_snippet),
    ("docs/_index.md", "def keep_replicas(args: pulumi.ResourceTransformArgs)", transform_snippet),
    ("docs/_index.md", "const healthz: kubexpose.types.input.ProbeArgs", language_excerpt),
    ("docs/_index.md", "public := kubexpose.ExposurePUBLIC", language_excerpt),
    ("docs/_index.md", "resources:", language_excerpt),
    ("CONTRIBUTING.md", "make test", make_targets),
    ("bench/README.md", "make bench", make_targets),
    ("CONTRIBUTING.md", "components/kubexpose/", layout_tree),
    ("CONTRIBUTING.md", "check = self.checker(name)", contract_snippet),
]


def check_for(block: Block) -> Callable[[Block, Path], None] | None:
    """The check of a block, by its first line, in whichever document it stands (a block moved between documents
    keeps its check; the document in CHECKS is where it was written first)."""
    found = [check for _doc, start, check in CHECKS if block.first.startswith(start.strip())]
    return found[0] if found else None


def test_every_block_has_a_check() -> None:
    unchecked = [str(b) for b in blocks() if check_for(b) is None]
    assert unchecked == [], "add a check to CHECKS for each new block"


@pytest.mark.parametrize("block", blocks(), ids=str)
def test_each_block_runs_or_matches_what_it_names(block: Block, tmp_path: Path) -> None:
    check = check_for(block)
    assert check is not None
    check(block, tmp_path)


# -- commands named in the prose --------------------------------------------------------------------------
INLINE = re.compile(r"`((?:make|kubexpose) [^`]+)`")


def test_every_inline_make_and_kubexpose_command_is_valid() -> None:
    from kubexpose.render import cli

    seen = set()
    for doc in DOCS:
        for command in INLINE.findall((ROOT / doc).read_text()):
            words = shlex.split(command)
            if words[0] == "make":
                targets = [w for w in words[1:] if "=" not in w]
                done = subprocess.run(["make", "-n", *targets], cwd=ROOT, capture_output=True, text=True, check=False)
                assert done.returncode == 0, f"{doc}: `{command}`: {done.stderr}"
            else:
                parser = _parser(cli)
                filled = [
                    w.replace("OLD", "a").replace("NEW", "b").replace("REV", "main").replace("DIR", "d")
                    for w in words[1:]
                ]
                if filled[-1:] == ["--fail-on"]:
                    filled.append("exposure")
                if filled == ["diff"]:
                    filled += ["a", "b"]
                if filled[:1] == ["render"] and "--stack" not in filled:
                    filled += ["--stack", "dev"]  # prose names one flag of the command
                if filled == ["sdk"]:
                    filled += ["nodejs"]  # prose names the command
                if filled == ["node"]:
                    filled += ["up", "--stack", "dev", "bin/index.js"]
                try:
                    parser.parse_args(filled)  # exits on an unknown subcommand or flag
                except SystemExit as done:  # --version prints and exits 0
                    assert done.code == 0 and filled == ["--version"], f"{doc}: `{command}`"
            seen.add(words[0])
    assert seen == {"make", "kubexpose"}


def _parser(cli: Any) -> argparse.ArgumentParser:
    """The command's parser, caught before it runs anything."""
    captured: list[argparse.ArgumentParser] = []
    original = argparse.ArgumentParser.parse_args

    def grab(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        captured.append(self)
        raise _StopError

    argparse.ArgumentParser.parse_args = grab  # type: ignore[method-assign,assignment]
    try:
        cli.main(["render", "--stack", "x"])
    except _StopError:
        pass
    finally:
        argparse.ArgumentParser.parse_args = original  # type: ignore[method-assign]
    return captured[0]


class _StopError(Exception):
    pass


def test_every_documented_pulumi_or_kubectl_command_stands_on_a_line_of_its_own() -> None:
    """e2e/test_docs_commands.py checks each such line's flags against the command's --help: two commands joined
    with `&&` would be read as one (found when the local cluster's block joined `pulumi login` and `pulumi up`)."""
    joined = [
        f"{block}: {' '.join(words)}"
        for block in blocks()
        if block.lang in ("sh", "bash")
        for words in commands(block)
        if words[0] in ("pulumi", "kubectl") and "&&" in words
    ]
    assert joined == []


def test_the_argument_table_lists_every_argument_of_exposed_deployment() -> None:
    """docs/_index.md's table under `ExposedDeployment(...)`: each argument in a row's first column (with its default
    in the second); docs/reference.md is generated from the same fields."""
    from kubexpose.inputs import ExposedDeploymentArgs

    text = (ROOT / "docs" / "_index.md").read_text()
    section = text[text.index("### `ExposedDeployment(name") : text.index("### HTTP routes")]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`(\w+)`", row[1]) if row[2].strip()}
    assert sorted(set(ExposedDeploymentArgs.__annotations__) - named) == []
