"""Mounts of existing sources (issue 37, point 3): a PersistentVolumeClaim (writable unless `read_only`; a writable
ReadWriteOnce claim takes one Pod and a rollout that stops the old Pod first), and ConfigMaps or Secrets with
`sub_path`, `default_mode` and `optional`, the same source at several paths."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Runner
from test_validation import assert_rejected

from kubexpose import ExposedDeployment, ExposedStatefulSet, Worker
from kubexpose.engine.run import run_program

BASE = {"image": "nginxinc/nginx-unprivileged:1.27-alpine", "port": 8080}
UPLOADS = {"claim": "uploads", "path": "/srv/uploads"}


def pod(run: Runner, args: dict[str, Any]) -> dict[str, Any]:
    result = run(lambda: ExposedDeployment("web", {**BASE, **args}))
    return result.get("Deployment", "web").inputs["spec"]["template"]["spec"]


def test_a_claim_is_mounted_writable_with_one_pod_and_recreate(run: Runner) -> None:
    spec = pod(run, {"mounts": [UPLOADS], "rollout": {"strategy": "Recreate"}})
    assert {"name": "m0-claim-uploads", "persistentVolumeClaim": {"claimName": "uploads"}} in spec["volumes"]
    assert {"name": "m0-claim-uploads", "mountPath": "/srv/uploads"} in spec["containers"][0]["volumeMounts"]


def test_a_read_only_or_shared_claim_takes_several_pods_and_rolling_updates(run: Runner) -> None:
    spec = pod(run, {"mounts": [{**UPLOADS, "read_only": True}], "replicas": 3})
    assert {"name": "m0-claim-uploads", "persistentVolumeClaim": {"claimName": "uploads", "readOnly": True}} in spec[
        "volumes"
    ]
    assert {"name": "m0-claim-uploads", "mountPath": "/srv/uploads", "readOnly": True} in spec["containers"][0][
        "volumeMounts"
    ]
    shared = pod(run, {"mounts": [{**UPLOADS, "shared": True}], "replicas": 3})
    assert {"name": "m0-claim-uploads", "mountPath": "/srv/uploads"} in shared["containers"][0]["volumeMounts"]


def test_a_stateful_app_or_a_worker_takes_a_writable_claim_as_its_rollout_allows() -> None:
    """A StatefulSet replaces a Pod once the old one is gone; a Worker has a rollout of its own."""
    stateful = {**BASE, "volumes": [{"name": "data", "path": "/data", "size": "1Gi"}], "mounts": [UPLOADS]}
    run_program(lambda: ExposedStatefulSet("db", stateful))
    run_program(lambda: Worker("w", {"image": BASE["image"], "mounts": [UPLOADS], "rollout": {"strategy": "Recreate"}}))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"mounts": [UPLOADS]}, r"mounts\[0\] .* is a writable claim under a rolling update .*Recreate"),
        (
            {"mounts": [UPLOADS], "replicas": 2, "rollout": {"strategy": "Recreate"}},
            r"mounts\[0\] .* is a writable claim for several Pods .*give replicas=1, read_only=True, or shared=True",
        ),
        (
            {"mounts": [UPLOADS], "autoscaling": {"min_replicas": 1, "max_replicas": 3}},
            r"is a writable claim for several Pods",
        ),
        ({"mounts": [{**UPLOADS, "default_mode": 420}]}, r"mounts\[0\].default_mode 420 does not apply to a Persis"),
        ({"mounts": [{"secret": "tls", "path": "/x", "shared": True}]}, r"mounts\[0\].shared True does not apply to a"),
        (
            {"mounts": [{"secret": "tls", "path": "/x", "default_mode": 0o1777}]},
            r"default_mode 1023 is not a file mode",
        ),
        ({"mounts": [{"secret": "tls", "path": "/x", "optional": "yes"}]}, r"optional 'yes' is not true or false"),
        ({"mounts": [{"secret": "tls", "path": "/x", "sub_path": "../k"}]}, r"sub_path '../k' is not a relative path"),
        (
            {"mounts": [{"secret": "tls", "path": "/x", "sub_path": "k", "items": {"k": "k"}}]},
            r"sub_path 'k' is given with items",
        ),
        ({"mounts": [{"claim": "Up", "path": "/x"}]}, r"mounts\[0\].claim 'Up' is not a PersistentVolumeClaim name"),
    ],
)
def test_a_bad_mount_is_refused_naming_the_field_and_the_fix(args: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, **args}, match)


def test_one_file_of_a_config_map_beside_the_images_files_and_the_same_source_twice(run: Runner) -> None:
    mounts = [
        {"config_map": "nginx", "path": "/etc/nginx/nginx.conf", "sub_path": "nginx.conf", "default_mode": 0o440},
        {"config_map": "nginx", "path": "/etc/nginx/conf.d", "optional": True},
    ]
    spec = pod(run, {"mounts": mounts})
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["m0-configmap-nginx"]["configMap"] == {"name": "nginx", "defaultMode": 288}
    assert volumes["m1-configmap-nginx"]["configMap"] == {"name": "nginx", "optional": True}
    assert {
        "name": "m0-configmap-nginx",
        "mountPath": "/etc/nginx/nginx.conf",
        "readOnly": True,
        "subPath": "nginx.conf",
    } in spec["containers"][0]["volumeMounts"]


def test_kubexpose_diff_reports_a_claim_the_app_no_longer_mounts_or_now_writes() -> None:
    from kubexpose.render.diff import diff, namespace_of
    from kubexpose.render.manifests import manifests

    def objects(mounts: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
        args = {**BASE, "mounts": mounts, "rollout": {"strategy": "Recreate"}}
        made = manifests(run_program(lambda: ExposedDeployment("web", args)))
        return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in made}

    read_only = objects([{**UPLOADS, "read_only": True}])
    writes = diff(read_only, objects([UPLOADS]))
    assert [(f.cls, f.raised, f.reason) for f in writes.findings if f.cls == "data"] == [
        ("data", False, "now writes the claim uploads (it was mounted read-only)")
    ]
    gone = diff(read_only, objects([]))
    assert [(f.cls, f.raised, f.reason) for f in gone.findings if f.cls == "data"] == [
        ("data", True, "no longer mounts the claim uploads: the app stops seeing its data")
    ]
