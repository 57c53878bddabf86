"""Config files through the real engine (issue 36, point 2): the ConfigMap and Secret are stored as written, an
`up` with the same files changes nothing, and a changed plain or secret file rolls the Pods exactly once."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest
from conftest import eventually, namespaced_stack, ours, replica_sets, rolled_out
from pulumi import automation as auto

from kubexpose import ExposedDeployment, StackProfile

NS = "files"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def program() -> None:
    config = pulumi.Config("e2e")
    ExposedDeployment(
        "web",
        {
            "image": IMAGE,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "files": {
                "/etc/nginx/conf.d/default.conf": f"server {{ listen 8080; }}\n# {config.get('level') or 'info'}\n",
                "/etc/app/token": config.require_secret("token"),
            },
        },
        profile=StackProfile.from_config(),
    )


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path_factory.mktemp("files"), program, "files", NS)
    stack.set_config("e2e:token", auto.ConfigValue("first-token", secret=True))
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["web"]) == [], timeout=120)


def test_the_files_are_stored_and_mounted_as_written(stack: Any, cluster: Any) -> None:
    assert stack.up(on_output=print).summary.result == "succeeded"
    eventually(lambda: rolled_out(cluster, NS, "web"))
    config = cluster.get_json("configmap", "web-files", "-n", NS)
    assert config["data"] == {"etc-nginx-conf.d-default.conf": "server { listen 8080; }\n# info\n"}
    secret = cluster.get_json("secret", "web-files", "-n", NS)
    assert base64.b64decode(secret["data"]["etc-app-token"]).decode() == "first-token"
    deployment = cluster.get_json("deployment", "web", "-n", NS)
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert set(annotations) == {"kubexpose.dev/files-sha256", "kubexpose.dev/files-secret-version"}
    assert annotations["kubexpose.dev/files-secret-version"] == secret["metadata"]["resourceVersion"]
    assert "first-token" not in str(deployment)
    pod = deployment["spec"]["template"]["spec"]
    assert {"name": "files", "mountPath": "/etc/app/token", "subPath": "etc-app-token", "readOnly": True} in pod[
        "containers"
    ][0]["volumeMounts"]


def test_an_up_with_the_same_files_changes_nothing(stack: Any, cluster: Any) -> None:
    before = set(replica_sets(cluster, NS, "web"))
    generation = cluster.get_json("deployment", "web", "-n", NS)["metadata"]["generation"]
    result = stack.up(on_output=print)
    assert set(dict(result.summary.resource_changes)) == {"same"}
    assert set(replica_sets(cluster, NS, "web")) == before
    assert cluster.get_json("deployment", "web", "-n", NS)["metadata"]["generation"] == generation


@pytest.mark.parametrize(
    ("key", "value"), [("level", auto.ConfigValue("debug")), ("token", auto.ConfigValue("second-token", secret=True))]
)
def test_a_changed_file_rolls_the_pods_once(stack: Any, cluster: Any, key: str, value: auto.ConfigValue) -> None:
    before = set(replica_sets(cluster, NS, "web"))
    stack.set_config(f"e2e:{key}", value)
    stack.up(on_output=print)
    eventually(lambda: rolled_out(cluster, NS, "web"))
    assert len(set(replica_sets(cluster, NS, "web")) - before) == 1, "one new ReplicaSet: the Pods rolled once"
    again = set(replica_sets(cluster, NS, "web"))
    stack.up(on_output=print)
    assert set(replica_sets(cluster, NS, "web")) == again, "the next up rolls nothing"
