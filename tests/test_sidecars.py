"""Init steps and native sidecars (issue 35, point 2): each container starts from the app's secure and resource
defaults, its secret env values go into the app's Secret, a writable path two containers list is one shared volume,
a sidecar's ports are never Service ports, and what the API server refuses is refused first with the fix."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import Runner
from test_exposed_deployment import IMAGE, app, deployment_manifest, pod_spec

from kubexpose import ValidationError
from kubexpose.engine.run import run_program

SHIPPER = {"name": "shipper", "image": "fluent/fluent-bit:3.1"}
MIGRATE = {"name": "migrate", "image": "ghcr.io/acme/migrate:1.0", "args": ["up"]}


def init_containers(run: Runner, args: dict[str, Any]) -> list[dict[str, Any]]:
    return pod_spec(run(app(args)))["initContainers"]


def test_sidecars_start_first_then_the_init_steps_each_with_the_apps_defaults(run: Runner) -> None:
    pod = pod_spec(run(app({"sidecars": [SHIPPER], "init_containers": [MIGRATE]})))
    shipper, migrate = pod["initContainers"]
    main = pod["containers"][0]
    assert (shipper["name"], shipper["restartPolicy"]) == ("shipper", "Always")
    assert migrate["name"] == "migrate" and "restartPolicy" not in migrate
    assert migrate["args"] == ["up"]
    for container in (shipper, migrate):
        assert container["securityContext"] == main["securityContext"]  # non-root, read-only, no capabilities
        assert container["resources"] == main["resources"]
        assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
        assert container["imagePullPolicy"] == "Always"
        assert not {"ports", "lifecycle", "readinessProbe", "livenessProbe", "env"} & set(container)
    assert main["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}  # the drain is the app's; sidecars stop after it


def test_a_sidecars_own_fields_reach_it(run: Runner) -> None:
    sidecar = {
        **SHIPPER,
        "command": ["fluent-bit"],
        "env": {"MODE": "ship"},
        "env_refs": {"POD": {"field": "metadata.name"}},
        "container_ports": [{"container_port": 2020, "name": "metrics"}],
        "readiness_probe": {"http_get": {"path": "/api/v1/health", "port": "metrics"}},
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "security_context": {"run_as_user": 20000},
        "image_pull_policy": "IfNotPresent",
    }
    (shipper,) = init_containers(run, {"sidecars": [sidecar]})
    assert shipper["command"] == ["fluent-bit"]
    assert shipper["env"] == [
        {"name": "MODE", "value": "ship"},
        {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
    ]
    assert shipper["ports"] == [{"containerPort": 2020, "protocol": "TCP", "name": "metrics"}]
    assert shipper["readinessProbe"] == {"httpGet": {"path": "/api/v1/health", "port": "metrics"}}
    assert shipper["resources"] == {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}
    assert shipper["securityContext"]["runAsUser"] == 20000 and shipper["securityContext"]["readOnlyRootFilesystem"]
    assert shipper["imagePullPolicy"] == "IfNotPresent"


def test_a_sidecars_ports_are_not_service_ports_and_the_network_policy_admits_only_the_apps(run: Runner) -> None:
    sidecar = {**SHIPPER, "container_ports": [{"container_port": 2020, "name": "metrics"}]}
    result = run(app({"sidecars": [sidecar]}))
    assert [p["port"] for p in result.get("Service", "web").inputs["spec"]["ports"]] == [80]
    policy = result.get("NetworkPolicy", "web").inputs["spec"]
    assert [p["port"] for rule in policy["ingress"] for p in rule["ports"]] == [80]


def test_a_secret_env_value_of_a_sidecar_goes_into_the_apps_secret_under_its_own_key() -> None:
    def program() -> None:
        from kubexpose import ExposedDeployment

        sidecar = {**SHIPPER, "env": {"TOKEN": pulumi.Output.secret("sidecar-s3cret"), "MODE": "ship"}}
        ExposedDeployment(
            "web",
            {"image": IMAGE, "port": 80, "env": {"TOKEN": pulumi.Output.secret("app-s3cret")}, "sidecars": [sidecar]},
        )

    result = run_program(program)
    assert result.get("Secret", "web-env").inputs["stringData"] == {
        "TOKEN": "app-s3cret",
        "shipper.TOKEN": "sidecar-s3cret",
    }
    pod = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]
    assert "s3cret" not in str(pod)
    assert pod["initContainers"][0]["env"] == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "shipper.TOKEN"}}},
        {"name": "MODE", "value": "ship"},
    ]
    assert pod["containers"][0]["env"] == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "TOKEN"}}}
    ]


def test_a_writable_path_two_containers_list_is_one_shared_volume(run: Runner) -> None:
    pod = pod_spec(
        run(
            app(
                {
                    "writable_paths": ["/var/log/app", "/tmp"],
                    "sidecars": [{**SHIPPER, "writable_paths": ["/var/log/app"]}],
                }
            )
        )
    )
    assert pod["volumes"] == [{"name": "w-var-log-app", "emptyDir": {}}, {"name": "w-tmp", "emptyDir": {}}]
    assert pod["initContainers"][0]["volumeMounts"] == [{"name": "w-var-log-app", "mountPath": "/var/log/app"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"sidecars": [{**SHIPPER, "name": "web"}]}, r"sidecars\[0\].name 'web' is the name of another container"),
        ({"sidecars": [SHIPPER], "init_containers": [{**MIGRATE, "name": "shipper"}]},
         r"init_containers\[0\].name 'shipper' is the name of another container"),
        ({"init_containers": [{**MIGRATE, "readiness_probe": {"tcp_socket": {"port": 80}}}]},
         r"init_containers\[0\].readiness_probe .* is set on an init step.*make it a sidecar"),
        ({"sidecars": [{"image": IMAGE}]}, r"sidecars\[0\].name is required"),
        ({"sidecars": [{**SHIPPER, "imgae": IMAGE}]}, r"sidecars\[0\].imgae .* did you mean image\?"),
        ({"sidecars": [{**SHIPPER, "image": "Fluent/Bit"}]}, r"sidecars\[0\].image 'Fluent/Bit' is not an image"),
        ({"sidecars": [{**SHIPPER, "name": "Shipper"}]}, r"sidecars\[0\].name 'Shipper' is not a DNS-1123 label"),
        ({"sidecars": [{**SHIPPER, "env": {"A": "$(MISSING)"}}]}, r"sidecars\[0\].env\['A'\] .*MISSING"),
        ({"sidecars": [{**SHIPPER, "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]},
         r"sidecars\[0\].resources"),
        ({"sidecars": SHIPPER}, r"sidecars .* is not a list"),
        ({"sidecars": pulumi.Output.from_input([SHIPPER])}, r"sidecars <Output> is one value known only later.*give the "
         r"list itself"),
    ],
)  # fmt: skip
def test_what_the_api_server_refuses_in_a_container_is_refused_first_naming_it(
    run: Runner, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app(args))


def test_a_secret_argument_of_a_sidecar_is_refused_naming_the_sidecar() -> None:
    def program() -> None:
        from kubexpose import ExposedDeployment

        sidecar = {**SHIPPER, "args": ["--token", pulumi.Output.secret("t0ken")]}
        ExposedDeployment("web", {"image": IMAGE, "port": 80, "sidecars": [sidecar]})

    with pytest.raises(
        ValidationError, match=r"sidecars\[0\].args \[secret\] is a secret.*args=\['--token=\$\(TOKEN\)'\]"
    ):
        run_program(program)


def test_a_memory_path_is_an_empty_dir_in_memory_with_its_size_limit_as_the_server_stores_it(run: Runner) -> None:
    pod = pod_spec(run(app({"writable_paths": ["/tmp"], "memory_paths": {"/dev/shm": "0.25Gi", "/cache": ""}})))
    assert pod["volumes"] == [
        {"name": "w-tmp", "emptyDir": {}},
        {"name": "mem-dev-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}},
        {"name": "mem-cache", "emptyDir": {"medium": "Memory"}},
    ]
    assert pod["containers"][0]["volumeMounts"][1:] == [
        {"name": "mem-dev-shm", "mountPath": "/dev/shm"},
        {"name": "mem-cache", "mountPath": "/cache"},
    ]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ({"/tmp": "64Mi"}, r"memory_paths\['/tmp'\] '64Mi' is also in writable_paths"),
        ({"dev/shm": "1Mi"}, r"memory_paths key 'dev/shm' is not an absolute path"),
        ({"/x": "lots"}, r"memory_paths\['/x'\] 'lots' is not a size above 0"),
        ({"/x": "0"}, r"memory_paths\['/x'\] '0' is not a size above 0"),
        (["/x"], r"memory_paths \['/x'\] is not a mapping"),
    ],
)
def test_a_bad_memory_path_is_refused_with_the_fix(run: Runner, paths: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app({"writable_paths": ["/tmp"], "memory_paths": paths}))


def test_a_sidecar_relaxing_a_secure_default_is_a_diff_finding_and_a_policy_violation() -> None:
    from kubexpose.policy_pack import check_manifests
    from kubexpose.render.risk import security

    secure = deployment_manifest({"sidecars": [SHIPPER]})
    relaxed = deployment_manifest({"sidecars": [{**SHIPPER, "security_context": {"read_only_root_filesystem": False}}]})
    assert [f.reason for f in security(secure, relaxed)] == ["readOnlyRootFilesystem turned off (container shipper)"]
    assert check_manifests([secure]) == []
    (violation,) = check_manifests([relaxed])
    assert "readOnlyRootFilesystem (container shipper)" in violation
