"""Offline render: golden files per stack, schema and security checks, atomic output, CLI errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from conftest import ROOT, STACKS, make_project, rendered
from upstream import validate_http_route

from kubexpose.render.build import write_atomically
from kubexpose.render.cli import main as cli
from kubexpose.render.writer import MARKER, write_render

GOLDEN = ROOT / "tests" / "golden"
# Oldest and newest Kubernetes minor bundled by kubernetes-validate that upstream still supports.
KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")


def test_every_stack_renders() -> None:
    assert STACKS == ["dev", "fleet", "prod", "staging"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_render_matches_the_golden_files(stack: str, update_golden: bool) -> None:
    files = rendered(stack).files
    golden = GOLDEN / stack
    if update_golden:
        write_atomically(rendered(stack), golden)
    on_disk = (
        {
            str(p.relative_to(golden)): p.read_text()
            for p in sorted(golden.rglob("*"))
            if p.is_file() and p.name != MARKER
        }
        if golden.is_dir()
        else {}
    )
    assert sorted(on_disk) == sorted(files), "files differ; run `pytest --update-golden` and review the diff"
    for name, text in files.items():
        assert on_disk[name] == text, f"{stack}/{name} differs; run `pytest --update-golden` and review the diff"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("stack", STACKS)
def test_every_manifest_passes_the_kubernetes_schema_in_strict_mode(stack: str, version: str) -> None:
    for obj in rendered(stack).manifests:
        if obj["kind"] == "HTTPRoute":  # a Gateway API CRD: kubernetes-validate knows built-in kinds only
            validate_http_route(obj)
        else:
            kubernetes_validate.validate(obj, version, strict=True)


def test_a_stack_routes_through_a_gateway_and_another_through_an_ingress() -> None:
    kinds = {stack: {m["kind"] for m in rendered(stack).manifests} for stack in STACKS}
    assert "HTTPRoute" in kinds["staging"] and "Ingress" in kinds["prod"]


def test_the_http_route_check_can_fail() -> None:
    import jsonschema

    (route,) = [m for m in rendered("staging").manifests if m["kind"] == "HTTPRoute"]
    broken = json.loads(json.dumps(route))
    broken["spec"]["rules"][0]["backendRefs"][0]["port"] = "http"  # a name: HTTPRoute takes numbers only
    with pytest.raises(jsonschema.ValidationError):
        validate_http_route(broken)
    broken = json.loads(json.dumps(route))
    broken["spec"]["hostnames"] = ["API.shop.example.com"]
    with pytest.raises(jsonschema.ValidationError):
        validate_http_route(broken)


def test_the_schema_check_can_fail() -> None:
    bad = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"ports": [{"port": "80"}], "typo": 1},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[0], strict=True)


def checkov(directory: Path) -> dict:
    result = subprocess.run(
        [str(ROOT / "security" / "run-checkov.sh"), "-d", str(directory), "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov did not report: {result.stderr[-2000:]}")
    return report if isinstance(report, dict) else {"summary": {"failed": sum(r["summary"]["failed"] for r in report)}}


def test_checkov_finds_no_failed_check_in_any_stack() -> None:
    report = checkov(GOLDEN)
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for c in report.get("results", {}).get("failed_checks", [])
    ]
    assert report["summary"]["failed"] == 0, "\n".join(failed)
    assert report["summary"]["passed"] > 0


def test_every_skipped_checkov_check_has_a_reason() -> None:
    lines = [
        line
        for line in (ROOT / "security" / "checkov-skips.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    for line in lines:
        check_id, _, reason = line.partition(" ")
        assert check_id.startswith("CKV_"), line
        assert len(reason.strip()) > 20, f"{check_id} needs a one-line reason"


def test_checkov_fails_a_naive_deployment(tmp_path: Path) -> None:
    naive = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "naive", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "naive"}},
            "template": {
                "metadata": {"labels": {"app": "naive"}},
                "spec": {"containers": [{"name": "n", "image": "nginx"}]},
            },
        },
    }
    (tmp_path / "naive.yaml").write_text(yaml.safe_dump(naive))
    assert checkov(tmp_path)["summary"]["failed"] > 0


def test_namespaces_come_first_and_files_are_numbered_in_apply_order() -> None:
    names = sorted(n for n in rendered("dev").files if n[0].isdigit())
    kinds = [yaml.safe_load(rendered("dev").files[n])["kind"] for n in names]
    assert kinds[0] == "Namespace"
    assert kinds.index("Service") < kinds.index("Deployment")
    assert names[0] == "001-namespace-shop.yaml"


def test_manifests_have_integers_camel_case_and_no_pulumi_internals() -> None:
    files = rendered("dev").files
    text = "---\n".join(files[n] for n in sorted(files) if n.endswith(".yaml"))
    assert "targetPort: 8080" in text and "8080.0" not in text
    assert "target_port" not in text
    assert "4dabf18193072939515e22adb298388d" not in text and "__" not in text
    docs = list(yaml.safe_load_all(text))
    assert len(docs) == len(rendered("dev").manifests)
    assert all(list(d)[:3] == ["apiVersion", "kind", "metadata"] for d in docs)


def test_the_summary_names_every_service_and_how_it_is_reached() -> None:
    summary = rendered("dev").files["summary.txt"]
    assert "myapp             NodePort              80/TCP->8080 (node 30001)" in summary
    assert "every node at localhost:30001" in summary
    assert "alias of api.acmecorp.com" in summary
    prod = rendered("prod").files["summary.txt"]
    assert "cloud load balancer from 203.0.113.0/24, 198.51.100.0/24" in prod


def test_the_topology_links_callers_services_deployments_and_external_hosts() -> None:
    topo = rendered("dev").files["topology.md"]
    assert topo.count("```mermaid") == 1
    assert "callers -->|NodePort| s_shop_frontend" in topo
    assert "s_shop_frontend --> d_shop_frontend" in topo
    assert "d_shop_frontend -.->|calls| s_shop_backend" in topo
    assert "s_shop_external_service -->|alias| ext_api_acmecorp_com" in topo
    assert "callers -->|NodePort| s_shop_backend" not in topo


OTHER_PROGRAM = """
import pulumi
from kubexpose import ExposedDeployment, Exposure
web = ExposedDeployment("shop-web", {"image": "ghcr.io/example/web:2.1", "port": 8080, "exposure": Exposure.PUBLIC,
                                     "env": {"TOKEN": pulumi.Config().require_secret("token")}})
"""


def test_another_projects_program_renders_with_its_own_config(tmp_path: Path, capsys) -> None:
    project = make_project(
        tmp_path,
        OTHER_PROGRAM,
        "config:\n  kubexpose:publicServiceType: NodePort\n  other:token:\n    secure: v1:abc:def\n",
    )
    out = tmp_path / "out"
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 0
    service = yaml.safe_load((out / "003-service-default-shop-web.yaml").read_text())
    assert service["spec"]["type"] == "NodePort"
    deployment = yaml.safe_load((out / "004-deployment-default-shop-web.yaml").read_text())
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "shop-web-env", "key": "TOKEN"}}}
    ]
    assert "--from-literal=TOKEN='<TOKEN>'" in (out / "secrets-to-create.txt").read_text()
    everything = "".join(p.read_text() for p in out.iterdir())
    assert "v1:abc:def" not in everything
    captured = capsys.readouterr()
    assert "secure config values cannot be decrypted offline" in captured.err
    assert "other:token" in captured.err


SECURE_CHECKED = """
import pulumi
from kubexpose import ExposedDeployment, ExternalAlias
config = pulumi.Config()
ExternalAlias("db", {"target": config.require_secret("dbHost"), "port": 5432})
ExternalAlias("cache", {"target": config.require("cacheHost"), "port": 6379})
ExposedDeployment("shop-web", {"image": config.require_secret("image"), "port": 8080,
                               "labels": {"team": config.require_secret("team")}})
"""


def test_a_secure_value_in_a_checked_field_renders_and_is_listed_as_not_checked(tmp_path: Path, capsys) -> None:
    secure = "    secure: v1:abc:def\n"
    stack = "config:\n" + "".join(f"  other:{key}:\n{secure}" for key in ("dbHost", "cacheHost", "image", "team"))
    project = make_project(tmp_path, SECURE_CHECKED, stack)
    out = tmp_path / "out"
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "contains a port" not in captured.err and "not decryptable" not in captured.err
    summary = (out / "summary.txt").read_text()
    section = summary[summary.index("NOT CHECKED") :].splitlines()
    assert section[1:] == [
        "  ExposedDeployment 'shop-web': image holds a secure config value the offline render cannot decrypt; pulumi "
        "up checks it",
        "  ExposedDeployment 'shop-web': labels['team'] holds a secure config value the offline render cannot "
        "decrypt; pulumi up checks it",
        "  ExternalAlias 'cache': target holds a secure config value the offline render cannot decrypt; pulumi up "
        "checks it",
        "  ExternalAlias 'db': target holds a secure config value the offline render cannot decrypt; pulumi up checks it",
    ]
    alias = yaml.safe_load(next(out.glob("*-service-default-db.yaml")).read_text())
    assert alias["spec"]["externalName"] == "[secret]"
    everything = "".join(p.read_text() for p in out.iterdir())
    assert "v1:abc:def" not in everything and "not decryptable" not in everything


def test_a_render_with_every_value_known_has_no_not_checked_section() -> None:
    assert "NOT CHECKED" not in rendered("dev").files["summary.txt"]


def test_a_failing_program_writes_nothing_and_keeps_the_previous_render(tmp_path: Path, capsys) -> None:
    project = make_project(
        tmp_path, OTHER_PROGRAM.replace('"port": 8080', '"port": 99999'), "config:\n  other:token: plain\n"
    )
    out = tmp_path / "out"
    write_render({"previous.yaml": "kept"}, out)
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ExposedDeployment 'shop-web': ports[0].port 99999 is outside 1-65535")
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "previous.yaml"]
    assert (out / "previous.yaml").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out"], "no staging directory is left behind"


def test_a_crash_in_the_program_is_reported_with_its_message(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path, "raise RuntimeError('database password missing')\n")
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 1
    assert "RuntimeError: database password missing" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_stack_lists_the_available_ones(capsys) -> None:
    assert cli(["render", "--stack", "qa", "--program", str(ROOT)]) == 2
    assert "error: unknown stack 'qa'; available stacks: dev, fleet, prod, staging" in capsys.readouterr().err


def test_a_new_render_replaces_the_previous_one_and_drops_its_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_atomically(rendered("prod"), out)
    assert (out / "summary.txt").read_text() == rendered("prod").files["summary.txt"]
    write_atomically(rendered("dev"), out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*rendered("dev").files, MARKER])
    assert (out / "Kustomization").read_text() == rendered("dev").files["Kustomization"]


@pytest.mark.parametrize(
    "command",
    [[sys.executable, "-m", "kubexpose"], [str(Path(sys.executable).with_name("kubexpose"))]],
    ids=["python -m kubexpose", "kubexpose console script"],
)
def test_the_command_line_renders_dev_from_the_project_root(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [*command, "render", "--stack", "dev", "--out", str(tmp_path / "dev")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Rendered stack 'dev': 23 objects" in result.stdout
    assert "external-service  ExternalName" in result.stdout
    for golden in GOLDEN.joinpath("dev").iterdir():
        assert (tmp_path / "dev" / golden.name).read_text() == golden.read_text(), golden.name


def test_a_failing_program_line_is_named_with_its_file_and_line(tmp_path: Path, capsys) -> None:
    program = "import pulumi\n\n\ndef boom():\n    raise RuntimeError('no database url')\n\n\nboom()\n"
    project = make_project(tmp_path, program)
    out = str(tmp_path / "out")
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", out]) == 1
    err = capsys.readouterr().err
    assert err == "error: the program of stack 'test' failed: RuntimeError: no database url (at __main__.py:5)\n"
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", out, "--traceback"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err and "line 8, in <module>" in err


def test_a_validation_error_names_the_program_line_that_declared_the_component(tmp_path: Path, capsys) -> None:
    program = "from kubexpose import ExposedDeployment\n\nExposedDeployment('web', {'image': 'nginx:1', 'port': 0})\n"
    project = make_project(tmp_path, program)
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.endswith("give a port number from 1 to 65535 (at __main__.py:3)\n")


def test_an_error_raised_inside_an_output_names_the_line_that_declared_the_component(tmp_path: Path, capsys) -> None:
    program = (
        "import pulumi_kubernetes as k8s\nfrom kubexpose import ExposedDeployment\n\n"
        "names = k8s.core.v1.ConfigMap('names', metadata={'name': 'names'}, data={'image': 'bad image'})\n"
        "ExposedDeployment('web', {'image': names.data['image'], 'port': 80})\n"
    )
    project = make_project(tmp_path, program)
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ExposedDeployment 'web': image 'bad image' is not an image reference")
    assert err.endswith(" (at __main__.py:5)\n") and err.count("\n") == 1
    assert "Task was destroyed" not in err


@pytest.mark.parametrize("venv", ["venv", ".venv", "env-3.11"])
def test_an_error_never_points_into_a_virtualenv_of_the_project_whatever_its_name(
    tmp_path: Path, venv: str, capsys
) -> None:
    program = "import sys\nsys.path.insert(0, 'VENV/lib')\nimport helper\n\nhelper.declare()\n".replace("VENV", venv)
    project = make_project(tmp_path, program)
    (project / venv / "lib").mkdir(parents=True)
    (project / venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (project / venv / "lib" / "helper.py").write_text(
        "from kubexpose import ExposedDeployment\n\n\ndef declare():\n"
        "    ExposedDeployment('web', {'image': 'nginx:1', 'port': 0})\n"
    )
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.endswith("give a port number from 1 to 65535 (at __main__.py:5)\n")


@pytest.mark.parametrize("stack", STACKS)
def test_a_render_folder_holds_each_object_once_for_kubectl_and_kustomize(stack: str, tmp_path: Path) -> None:
    out = tmp_path / stack
    render = rendered(stack)
    write_atomically(render, out)
    # A fleet render (stack `fleet`): a folder per cluster, and none of its objects or a Kustomization on top.
    folders = [out / c.folder for c in render.clusters] or [out]
    if render.clusters:
        assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
            ".kubexpose-render",
            "clusters.txt",
            "summary.txt",
        ]
    total = 0
    for folder in folders:
        # What `kubectl apply -f DIR` reads: every .yaml, .yml and .json file of the folder (not below it).
        read_by_kubectl = [p for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml", ".json")]
        objects = [doc for p in read_by_kubectl for doc in yaml.safe_load_all(p.read_text()) if doc]
        keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects]
        assert len(keys) == len(set(keys)) > 0
        total += len(keys)
        assert all("apiVersion" in o and "kind" in o for o in objects)  # no kustomization or report among them
        kustomization = yaml.safe_load((folder / "Kustomization").read_text())
        assert kustomization["kind"] == "Kustomization"
        assert kustomization["resources"] == [p.name for p in read_by_kubectl]
    assert total == len(render.manifests)


def test_a_render_folder_is_as_readable_as_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomically(rendered("dev"), tmp_path / "dev")
    finally:
        os.umask(old)
    assert (tmp_path / "dev").stat().st_mode & 0o777 == 0o755


def test_every_usage_or_input_error_exits_2_and_a_failing_program_exits_1(tmp_path: Path, capsys) -> None:
    assert cli(["render", "--stack", "dev", "--program", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no Pulumi.yaml found; point at the directory of a Pulumi project" in capsys.readouterr().err
    assert cli(["render", "--stack", "qa", "--program", str(ROOT), "--out", str(tmp_path / "out")]) == 2
    project = make_project(tmp_path, OTHER_PROGRAM, "conifg: {}\n")
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 2
    assert "did you mean 'config'?" in capsys.readouterr().err
    failing = make_project(
        tmp_path / "failing", "from kubexpose import ExposedDeployment\nExposedDeployment('web', {})\n"
    )
    assert cli(["render", "--stack", "test", "--program", str(failing), "--out", str(tmp_path / "out")]) == 1
    assert "ExposedDeployment 'web': image is required" in capsys.readouterr().err


def test_without_out_the_render_goes_into_the_project_directory(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        "from kubexpose import ExposedDeployment\nExposedDeployment('web', {'image': 'nginx:1.27', 'port': 80})\n",
    )
    assert cli(["render", "--stack", "test", "--program", str(project)]) == 0
    assert (project / "render" / "test" / "Kustomization").is_file()
    assert not (Path.cwd() / "render" / "test").exists()


def test_the_help_names_the_stack_config_dir_and_the_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        cli(["render", "--help"])
    text = capsys.readouterr().out
    assert "stackConfigDir" in text and "2  the command could not run as asked" in text
