"""Config files given as content (issue 36, point 2): a ConfigMap (a Secret for secret content) the component owns,
each file mounted read-only at its path, and a Pod template annotation that changes exactly when a file does."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import Runner
from test_exposed_deployment import app, pod_spec

from kubexpose import ValidationError
from kubexpose.engine.run import ProgramRun

CONFIG = "level: info\nlisten: 8080\n"
NGINX = "worker_processes 1;\n"
PASSWORD = "hunter2-db-password"


def template_annotations(result: ProgramRun) -> dict[str, Any]:
    return result.get("Deployment", "web").inputs["spec"]["template"]["metadata"].get("annotations", {})


def test_files_become_the_apps_configmap_mounted_read_only_at_their_paths(run: Runner) -> None:
    result = run(app({"files": {"/etc/app/config.yaml": CONFIG, "/etc/nginx/nginx.conf": NGINX}}))

    config = result.get("ConfigMap", "web-files")
    assert config.inputs["data"] == {"etc-app-config.yaml": CONFIG, "etc-nginx-nginx.conf": NGINX}
    assert config.inputs["metadata"] == {
        "name": "web-files",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "web"},
    }
    assert config.parent_type == "kubexpose:index:ExposedDeployment"
    pod = pod_spec(result)
    assert pod["volumes"] == [{"name": "files", "configMap": {"name": "web-files"}}]
    assert pod["containers"][0]["volumeMounts"] == [
        {"name": "files", "mountPath": "/etc/app/config.yaml", "subPath": "etc-app-config.yaml", "readOnly": True},
        {"name": "files", "mountPath": "/etc/nginx/nginx.conf", "subPath": "etc-nginx-nginx.conf", "readOnly": True},
    ]
    # the hash of the keys and contents, reviewed: sorted keys, JSON, SHA-256
    expected = hashlib.sha256(
        json.dumps({"etc-app-config.yaml": CONFIG, "etc-nginx-nginx.conf": NGINX}).encode()
    ).hexdigest()
    assert template_annotations(result) == {"kubexpose.dev/files-sha256": expected}


def test_a_changed_file_changes_the_pod_template_and_an_unchanged_one_never(run: Runner) -> None:
    def annotation(files: dict[str, str]) -> str:
        return template_annotations(run(app({"files": files})))["kubexpose.dev/files-sha256"]

    first = annotation({"/etc/app/config.yaml": CONFIG, "/etc/nginx/nginx.conf": NGINX})
    assert annotation({"/etc/nginx/nginx.conf": NGINX, "/etc/app/config.yaml": CONFIG}) == first  # order: no change
    assert annotation({"/etc/app/config.yaml": CONFIG + "debug: true\n", "/etc/nginx/nginx.conf": NGINX}) != first
    assert annotation({"/etc/app/config.yml": CONFIG, "/etc/nginx/nginx.conf": NGINX}) != first  # a moved file


def test_pod_annotations_and_the_files_annotation_stand_side_by_side(run: Runner) -> None:
    annotations = template_annotations(
        run(app({"files": {"/etc/app/config.yaml": CONFIG}, "pod_annotations": {"prometheus.io/scrape": "true"}}))
    )
    assert set(annotations) == {"prometheus.io/scrape", "kubexpose.dev/files-sha256"}


def test_a_secret_files_content_goes_into_the_apps_secret_and_never_into_the_configmap(run: Runner) -> None:
    secret_file = "/etc/app/db.ini"
    result = run(
        app({"files": {"/etc/app/config.yaml": CONFIG, secret_file: pulumi.Output.secret(f"password={PASSWORD}\n")}})
    )
    secret = result.get("Secret", "web-files")
    assert secret.inputs["stringData"] == {"etc-app-db.ini": f"password={PASSWORD}\n"}
    assert ("stringData",) in secret.secrets  # secret in Pulumi's state too
    config = result.get("ConfigMap", "web-files")
    assert config.inputs["data"] == {"etc-app-config.yaml": CONFIG}
    assert PASSWORD not in json.dumps(config.inputs) + json.dumps(result.get("Deployment", "web").inputs)
    pod = pod_spec(result)
    assert pod["volumes"] == [
        {
            "name": "files",
            "projected": {"sources": [{"configMap": {"name": "web-files"}}, {"secret": {"name": "web-files"}}]},
        }
    ]
    assert [m["mountPath"] for m in pod["containers"][0]["volumeMounts"]] == ["/etc/app/config.yaml", secret_file]
    # mocks give the Secret no resourceVersion: only the plain files' hash is on the template
    assert set(template_annotations(result)) == {"kubexpose.dev/files-sha256"}


def test_only_secret_files_are_a_secret_volume(run: Runner) -> None:
    result = run(app({"files": {"/etc/app/token": pulumi.Output.secret("t0ken")}}))
    assert pod_spec(result)["volumes"] == [{"name": "files", "secret": {"secretName": "web-files"}}]
    assert not result.k8s("ConfigMap")


def test_a_computed_plain_content_goes_into_the_configmap_when_known(run: Runner) -> None:
    result = run(app({"files": {"/etc/app/config.yaml": pulumi.Output.from_input("level: ").apply(lambda s: s + "x")}}))
    assert result.get("ConfigMap", "web-files").inputs["data"] == {"etc-app-config.yaml": "level: x"}
    assert "kubexpose.dev/files-sha256" in template_annotations(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"files": {"etc/app.yaml": CONFIG}}, r"files key 'etc/app.yaml' is not an absolute file path"),
        ({"files": {"/etc/my app.yaml": CONFIG}}, r"files key '/etc/my app.yaml' is not an absolute file path"),
        ({"files": {"/etc/../app.yaml": CONFIG}}, r"files key '/etc/../app.yaml' is not an absolute file path"),
        ({"files": {"/etc/a/b": "x", "/etc/a-b": "y"}}, r"files key '/etc/a-b' gives the same ConfigMap key 'etc-a-b'"),
        ({"files": {"/etc/app": "x", "/etc/app/b": "y"}}, r"files key '/etc/app/b' overlaps '/etc/app' \(files\)"),
        ({"files": {"/tmp/x.conf": "x"}, "writable_paths": ["/tmp"]}, r"files key '/tmp/x.conf' overlaps '/tmp' \(writable_paths\)"),
        ({"files": {"/etc/app/x": "x"}, "mounts": [{"config_map": "c", "path": "/etc/app"}]},
         r"files key '/etc/app/x' overlaps '/etc/app' \(mounts\[0\]\)"),
        ({"files": {"/etc/x": 42}}, r"files\['/etc/x'\] 42 is not text"),
        ({"files": ["/etc/x"]}, r"files \['/etc/x'\] is not a mapping"),
        ({"files": {"/etc/big": "x" * (1024 * 1024 + 1)}}, r"files\['/etc/big'\] '1048577 bytes' is more than"),
        ({"files": {"/etc/a": "x" * 600_000, "/etc/b": "x" * 600_000}}, r"files '1200000 bytes' is more than"),
    ],
)  # fmt: skip
def test_what_the_api_server_or_the_kubelet_refuses_is_refused_first_with_the_fix(
    run: Runner, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app(args))


def test_kubexpose_diff_shows_a_changed_file_as_a_text_diff_and_the_pods_rolling(tmp_path: Path) -> None:
    from conftest import make_project

    from kubexpose.render.cli import main as cli
    from kubexpose.render.diff import diff, load, markdown

    program = (
        "from kubexpose import ExposedDeployment\n"
        "ExposedDeployment('web', {'image': 'ghcr.io/acme/web:1.0.0', 'port': 80, "
        "'files': {'/etc/app/config.yaml': %r}})\n"
    )
    folders = []
    for i, content in enumerate((CONFIG, CONFIG.replace("info", "debug"))):
        project = make_project(tmp_path / str(i), program % content)
        out = tmp_path / f"render{i}"
        assert cli(["render", "--program", str(project), "--stack", "test", "--out", str(out)]) == 0
        folders.append(out)
    report = diff(load(folders[0]), load(folders[1]))
    assert [c.ref for c in report.changes] == ["ConfigMap default/web-files", "Deployment default/web"]
    text = markdown(report)
    assert "  - `data.etc-app-config.yaml`:\n\n    ```diff\n" in text
    assert "    -level: info\n    +level: debug\n     listen: 8080\n    ```" in text
    assert "`spec.template.metadata.annotations.kubexpose.dev/files-sha256`" in text
