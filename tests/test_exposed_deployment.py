"""ExposedDeployment: Service types, outputs, parenting, labels, defaults and the secure context."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import CLOUD, LOCAL, Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import ExposedDeployment, Exposure, StackProfile
from kubexpose.engine.run import ProgramRun

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
OUTPUTS = ("service_name", "cluster_dns", "endpoint", "url", "port_forward")


def app(args: dict[str, Any], profile: StackProfile = LOCAL, name: str = "web"):
    """A program that declares one ExposedDeployment and exports all of its outputs."""

    merged = {"image": IMAGE, **({} if "ports" in args else {"port": 80}), **args}
    merged = {k: v for k, v in merged.items() if v is not None or k.endswith("_probe")}

    def program() -> None:
        component = ExposedDeployment(name, merged, profile=profile)
        for output in OUTPUTS:
            pulumi.export(output, getattr(component, output))

    return program


def deployment_manifest(args: dict[str, Any]) -> dict[str, Any]:
    """The Deployment manifest, as the render writes it, of the app `app(args)` declares."""
    from kubexpose.engine.run import run_program
    from kubexpose.render.manifests import manifests

    return next(o for o in manifests(run_program(app(args))) if o["kind"] == "Deployment")


def service_spec(result: ProgramRun, name: str = "web") -> dict[str, Any]:
    return result.get("Service", name).inputs["spec"]


def pod_spec(result: ProgramRun, name: str = "web") -> dict[str, Any]:
    return result.get("Deployment", name).inputs["spec"]["template"]["spec"]


@pytest.mark.parametrize(
    ("args", "profile", "expected"),
    [
        ({}, LOCAL, "ClusterIP"),
        ({"exposure": Exposure.INTERNAL}, CLOUD, "ClusterIP"),
        ({"exposure": Exposure.PUBLIC}, LOCAL, "NodePort"),
        ({"exposure": Exposure.PUBLIC}, CLOUD, "LoadBalancer"),
        ({"exposure": "public"}, CLOUD, "LoadBalancer"),
        ({"service_type": "NodePort"}, CLOUD, "NodePort"),
        ({"service_type": ServiceSpecType.LOAD_BALANCER}, LOCAL, "LoadBalancer"),
        ({"service_type": "ClusterIP"}, LOCAL, "ClusterIP"),
    ],
)
def test_the_service_type_follows_exposure_and_stack_and_explicit_type_wins(
    run: Runner, args, profile, expected
) -> None:
    result = run(app(args, profile))
    assert service_spec(result)["type"] == expected


def test_a_deployment_a_service_and_a_network_policy_are_children_of_the_component(run: Runner) -> None:
    result = run(app({}))
    assert [r.type for r in result.components("kubexpose:index:ExposedDeployment")] == [
        "kubexpose:index:ExposedDeployment"
    ]
    children = sorted((r.kind, r.name, r.parent_type) for r in result.k8s())
    assert children == [
        ("Deployment", "web-deployment", "kubexpose:index:ExposedDeployment"),
        ("NetworkPolicy", "web-network-policy", "kubexpose:index:ExposedDeployment"),
        ("Service", "web-service", "kubexpose:index:ExposedDeployment"),
        ("ServiceAccount", "web-service-account", "kubexpose:index:ExposedDeployment"),
    ]


def test_an_internal_app_admits_only_pods_of_its_own_namespace_on_its_target_ports(run: Runner) -> None:
    result = run(app({"ports": [{"port": 80, "target_port": 8080}]}))
    spec = result.get("NetworkPolicy", "web").inputs["spec"]
    assert spec == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
    }


@pytest.mark.parametrize("profile", [LOCAL, CLOUD])
def test_a_public_app_admits_any_source_but_only_on_its_target_ports(run: Runner, profile) -> None:
    result = run(app({"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "target_port": 8080}]}, profile))
    assert result.get("NetworkPolicy", "web").inputs["spec"]["ingress"] == [
        {"ports": [{"port": 8080, "protocol": "TCP"}]}
    ]


def test_the_network_policy_can_be_turned_off(run: Runner) -> None:
    result = run(app({"network_policy": False}))
    assert result.k8s("NetworkPolicy") == []


def test_service_and_deployment_are_named_like_the_component_in_the_profile_namespace(run: Runner) -> None:
    result = run(app({}))
    for kind in ("Service", "Deployment", "NetworkPolicy"):
        meta = result.get(kind, "web").inputs["metadata"]
        assert (meta["name"], meta["namespace"]) == ("web", "shop")


def test_an_explicit_namespace_wins_over_the_profile(run: Runner) -> None:
    result = run(app({"namespace": "payments"}))
    assert result.get("Service", "web").inputs["metadata"]["namespace"] == "payments"
    assert result.exports["cluster_dns"] == "web.payments.svc.cluster.local"


def test_selector_pod_labels_and_service_selector_are_the_same_label_set(run: Runner) -> None:
    result = run(app({"labels": {"team": "shop", "example.com/tier": "web"}}))
    deployment = result.get("Deployment", "web").inputs["spec"]
    selector = deployment["selector"]["matchLabels"]
    pod_labels = deployment["template"]["metadata"]["labels"]
    assert selector == {"app.kubernetes.io/name": "web"}
    assert service_spec(result)["selector"] == selector
    assert selector.items() <= pod_labels.items()
    assert pod_labels["team"] == "shop"
    assert result.get("Service", "web").inputs["metadata"]["labels"] == pod_labels


@pytest.mark.parametrize("load_balancer", ["ip", "hostname"])
def test_outputs_of_a_load_balancer_use_its_ip_or_hostname(run: Runner, load_balancer) -> None:
    result = run(app({"exposure": Exposure.PUBLIC}, CLOUD), load_balancer=load_balancer)
    status = result.get("Service", "web").state["status"]["loadBalancer"]["ingress"][0]
    host = status.get("ip") or status.get("hostname")
    assert result.exports == {
        "service_name": "web",
        "cluster_dns": "web.shop.svc.cluster.local",
        "endpoint": "web:80",
        "url": f"http://{host}:80",
        "port_forward": "kubectl port-forward -n shop service/web 8080:80",
    }
    assert (".elb." in result.exports["url"]) == (load_balancer == "hostname")


def test_a_load_balancer_without_an_address_yet_has_no_url(run: Runner) -> None:
    result = run(app({"exposure": Exposure.PUBLIC}, CLOUD), load_balancer="pending")
    assert result.exports["url"] is None


def test_a_node_port_url_uses_the_allocated_node_port_and_the_profile_node_address(run: Runner) -> None:
    result = run(app({"exposure": Exposure.PUBLIC}, LOCAL))
    allocated = result.get("Service", "web").state["spec"]["ports"][0]["nodePort"]
    assert 30000 <= allocated <= 32767
    assert result.exports["url"] == f"http://localhost:{allocated}"


def test_an_internal_app_has_no_url_but_has_dns_endpoint_and_port_forward(run: Runner) -> None:
    result = run(app({"ports": [{"port": 5678, "name": "http"}]}))
    assert result.exports == {
        "service_name": "web",
        "cluster_dns": "web.shop.svc.cluster.local",
        "endpoint": "web:5678",
        "url": None,
        "port_forward": "kubectl port-forward -n shop service/web 5678:5678",
    }


def test_outputs_are_typed_attributes_registered_on_the_component(run: Runner) -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        component = ExposedDeployment("web", {"image": IMAGE, "port": 80}, profile=LOCAL)
        seen["component"] = component

    run(program)
    component = seen["component"]
    for output in OUTPUTS:
        assert isinstance(getattr(component, output), pulumi.Output), output
    assert component.service.__class__.__name__ == "Service"
    assert component.deployment.__class__.__name__ == "Deployment"


def test_node_port_and_cluster_ip_are_never_emitted_unless_set(run: Runner) -> None:
    for profile in (LOCAL, CLOUD):
        spec = service_spec(
            run(app({"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "target_port": 8080}]}, profile))
        )
        assert "clusterIP" not in spec
        assert all("nodePort" not in p for p in spec["ports"])


def test_a_fixed_node_port_is_emitted_for_node_port_and_load_balancer(run: Runner) -> None:
    for profile in (LOCAL, CLOUD):
        spec = service_spec(
            run(app({"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 30001}]}, profile))
        )
        assert spec["ports"][0]["nodePort"] == 30001


def test_a_port_shorthand_becomes_a_tcp_port_targeting_the_same_container_port(run: Runner) -> None:
    result = run(app({}))
    assert service_spec(result)["ports"] == [{"port": 80, "targetPort": 80, "protocol": "TCP"}]
    assert pod_spec(result)["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_several_ports_become_named_container_ports(run: Runner) -> None:
    result = run(
        app(
            {
                "ports": [
                    {"port": 80, "target_port": 8080, "name": "http"},
                    {"port": 9090, "name": "metrics"},
                    {"port": 53, "protocol": "UDP", "name": "dns"},
                ]
            }
        )
    )
    assert pod_spec(result)["containers"][0]["ports"] == [
        {"containerPort": 8080, "protocol": "TCP", "name": "http"},
        {"containerPort": 9090, "protocol": "TCP", "name": "metrics"},
        {"containerPort": 53, "protocol": "UDP", "name": "dns"},
    ]


def test_a_named_target_port_points_at_a_declared_container_port(run: Runner) -> None:
    result = run(
        app(
            {
                "ports": [{"port": 80, "target_port": "web"}],
                "container_ports": [{"container_port": 8080, "name": "web"}],
            }
        )
    )
    assert service_spec(result)["ports"][0]["targetPort"] == "web"
    container = pod_spec(result)["containers"][0]
    assert container["ports"] == [{"containerPort": 8080, "protocol": "TCP", "name": "web"}]
    assert container["readinessProbe"]["tcpSocket"]["port"] == "web"


def test_secure_pod_defaults_are_on(run: Runner) -> None:
    spec = pod_spec(run(app({})))
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert spec["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_secure_defaults_can_be_loosened_explicitly(run: Runner) -> None:
    spec = pod_spec(
        run(
            app(
                {
                    "security_context": {"read_only_root_filesystem": False},
                    "pod_security_context": {"run_as_user": 101},
                    "automount_service_account_token": True,
                }
            )
        )
    )
    assert spec["automountServiceAccountToken"] is True
    assert spec["securityContext"]["runAsUser"] == 101
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is False
    assert spec["containers"][0]["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_default_probes_check_the_first_target_port_and_can_be_replaced_or_disabled(run: Runner) -> None:
    container = pod_spec(run(app({"ports": [{"port": 80, "target_port": 8080}]})))["containers"][0]
    assert container["readinessProbe"] == {"tcpSocket": {"port": 8080}, "periodSeconds": 5}
    assert container["livenessProbe"]["tcpSocket"] == {"port": 8080}
    custom = {"http_get": {"path": "/healthz", "port": 8080}}
    container = pod_spec(run(app({"readiness_probe": custom, "liveness_probe": None})))["containers"][0]
    assert container["readinessProbe"] == {"httpGet": {"path": "/healthz", "port": 8080}}
    assert "livenessProbe" not in container


def test_default_resources_are_set_and_can_be_replaced(run: Runner) -> None:
    container = pod_spec(run(app({})))["containers"][0]
    assert container["resources"] == {
        "requests": {"cpu": "50m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }
    mine = {"requests": {"cpu": "1", "memory": "1Gi"}}
    assert pod_spec(run(app({"resources": mine})))["containers"][0]["resources"] == mine


def test_writable_paths_become_empty_dir_mounts(run: Runner) -> None:
    spec = pod_spec(run(app({"writable_paths": ["/tmp", "/var/cache/nginx"]})))
    assert spec["volumes"] == [{"name": "w-tmp", "emptyDir": {}}, {"name": "w-var-cache-nginx", "emptyDir": {}}]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": "w-tmp", "mountPath": "/tmp"},
        {"name": "w-var-cache-nginx", "mountPath": "/var/cache/nginx"},
    ]


def test_env_command_args_and_replicas_reach_the_pod(run: Runner) -> None:
    result = run(
        app({"env": {"MODE": "fast", "WORKERS": 4}, "command": ["/bin/app"], "args": ["--port", "80"], "replicas": 3})
    )
    container = pod_spec(result)["containers"][0]
    assert container["env"] == [{"name": "MODE", "value": "fast"}, {"name": "WORKERS", "value": "4"}]
    assert (container["command"], container["args"]) == (["/bin/app"], ["--port", "80"])
    assert result.get("Deployment", "web").inputs["spec"]["replicas"] == 3


def test_session_affinity_client_ip_sets_a_default_or_given_timeout(run: Runner) -> None:
    spec = service_spec(run(app({"session_affinity": "ClientIP"})))
    assert spec["sessionAffinity"] == "ClientIP"
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    spec = service_spec(run(app({"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 60})))
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 60}}
    assert "sessionAffinityConfig" not in service_spec(run(app({"session_affinity": "None"})))


def test_a_headless_internal_service_has_cluster_ip_none(run: Runner) -> None:
    assert service_spec(run(app({"headless": True})))["clusterIP"] == "None"


def test_a_headless_app_warns_that_the_switch_replaces_the_service_and_how_to_apply_it(run: Runner) -> None:
    """What e2e/test_service_switches.py measured: the engine replaces the Service, and its preview fails on the API
    server's dry run, so the switch is applied with `pulumi up --skip-preview`."""
    (warning,) = [w for w in run(app({"headless": True})).warnings if "headless" in w]
    assert "makes pulumi replace it (delete, then create" in warning
    assert "`pulumi preview` of that switch fails" in warning and "`pulumi up --skip-preview`" in warning
    assert not [w for w in run(app({})).warnings if "headless" in w]


def test_load_balancer_settings_come_from_the_stack_and_explicit_ones_win(run: Runner) -> None:
    result = run(app({"exposure": Exposure.PUBLIC}, CLOUD))
    spec = service_spec(result)
    assert spec["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert spec["externalTrafficPolicy"] == "Local"
    assert result.get("Service", "web").inputs["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"
    }
    result = run(
        app(
            {
                "exposure": Exposure.PUBLIC,
                "external_traffic_policy": "Cluster",
                "load_balancer": {
                    "source_ranges": ["10.0.0.0/8"],
                    "load_balancer_class": "example.com/lb",
                    "annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
                },
            },
            CLOUD,
        )
    )
    spec = service_spec(result)
    assert spec["loadBalancerSourceRanges"] == ["10.0.0.0/8"]
    assert spec["loadBalancerClass"] == "example.com/lb"
    assert spec["externalTrafficPolicy"] == "Cluster"
    assert (
        result.get("Service", "web").inputs["metadata"]["annotations"][
            "service.beta.kubernetes.io/aws-load-balancer-scheme"
        ]
        == "internal"
    )


def test_load_balancer_only_fields_are_dropped_when_the_stack_makes_a_public_app_a_node_port(run: Runner) -> None:
    result = run(app({"exposure": Exposure.PUBLIC, "load_balancer": {"source_ranges": ["10.0.0.0/8"]}}, LOCAL))
    spec = service_spec(result)
    assert spec["type"] == "NodePort"
    assert not {"loadBalancerSourceRanges", "loadBalancerClass", "externalTrafficPolicy"} & spec.keys()
    assert "annotations" not in result.get("Service", "web").inputs["metadata"]


def test_cloud_load_balancer_defaults_never_reach_an_internal_service(run: Runner) -> None:
    result = run(app({}, CLOUD))
    spec = service_spec(result)
    assert not {"loadBalancerSourceRanges", "externalTrafficPolicy"} & spec.keys()
    assert "annotations" not in result.get("Service", "web").inputs["metadata"]


def test_skip_await_annotates_the_service(run: Runner) -> None:
    profile = StackProfile(public_service_type=ServiceSpecType.LOAD_BALANCER, skip_await=True)
    result = run(app({"exposure": Exposure.PUBLIC}, profile))
    assert result.get("Service", "web").inputs["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}


def test_an_image_without_a_fixed_tag_gives_a_warning(run: Runner) -> None:
    result = run(app({"image": "nginx"}))
    assert any(w.startswith("ExposedDeployment 'web': image 'nginx' has no fixed tag") for w in result.warnings)
    assert not run(app({})).warnings


def test_the_profile_is_read_from_stack_config_when_not_given(run: Runner) -> None:
    def program() -> None:
        ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": Exposure.PUBLIC})

    result = run(program, config={"kubexpose:publicServiceType": "NodePort", "kubexpose:namespace": "team-a"})
    assert service_spec(result)["type"] == "NodePort"
    assert result.get("Service", "web").inputs["metadata"]["namespace"] == "team-a"


def test_a_probe_on_a_port_name_the_container_does_not_declare_is_refused(run: Runner) -> None:
    from kubexpose import ValidationError

    named = {
        "container_ports": [{"container_port": 8080, "name": "http"}],
        "ports": [{"port": 80, "target_port": 8080}],
    }
    with pytest.raises(
        ValidationError,
        match=r"^ExposedDeployment 'web': readiness_probe\.http_get\.port 'metrics' names no port of the container "
        r"\(it declares 'http'\); name a port of container_ports",
    ):
        run(app({**named, "readiness_probe": {"http_get": {"path": "/ready", "port": "metrics"}}}))
    with pytest.raises(ValidationError, match=r"liveness_probe\.tcp_socket\.port 'http' .*it declares no named port"):
        run(app({"liveness_probe": {"tcp_socket": {"port": "http"}}}))
    probe = {"http_get": {"path": "/ready", "port": "http"}}
    container = pod_spec(run(app({**named, "readiness_probe": probe})))["containers"][0]
    assert container["readinessProbe"] == {"httpGet": {"path": "/ready", "port": "http"}}


def test_a_probe_on_a_port_number_the_container_does_not_declare_gets_a_warning(run: Runner) -> None:
    result = run(app({"ports": [{"port": 80, "target_port": 8080}], "liveness_probe": {"tcp_socket": {"port": 9090}}}))
    assert [w for w in result.warnings if "probe" in w] == [
        "ExposedDeployment 'web': liveness_probe.tcp_socket.port 9090 is no port the container declares (8080); "
        "the kubelet probes it anyway: check that the app listens there"
    ]
    assert not [w for w in run(app({"ports": [{"port": 80, "target_port": 8080}]})).warnings if "probe" in w]


def test_a_startup_probe_reaches_the_container_and_there_is_none_by_default(run: Runner) -> None:
    probe = {"tcp_socket": {"port": 80}, "period_seconds": 5, "failure_threshold": 60}
    container = pod_spec(run(app({"startup_probe": probe})))["containers"][0]
    assert container["startupProbe"] == {"tcpSocket": {"port": 80}, "periodSeconds": 5, "failureThreshold": 60}
    assert "startupProbe" not in pod_spec(run(app({})))["containers"][0]
    assert "startupProbe" not in pod_spec(run(app({"startup_probe": {"disabled": True}})))["containers"][0]


def test_a_startup_probe_must_succeed_once_as_kubernetes_requires(run: Runner) -> None:
    from kubexpose import ValidationError

    probe = {"tcp_socket": {"port": 8080}, "success_threshold": 2}
    with pytest.raises(
        ValidationError,
        match=r"startup_probe.success_threshold 2 is not 1, which Kubernetes requires of a startup probe",
    ):
        run(app({"startup_probe": probe}))


def test_revision_history_limit_reaches_the_deployment_and_is_left_to_kubernetes_by_default(run: Runner) -> None:
    from kubexpose import ValidationError

    spec = run(app({"revision_history_limit": 3})).get("Deployment", "web").inputs["spec"]
    assert spec["revisionHistoryLimit"] == 3
    assert "revisionHistoryLimit" not in run(app({})).get("Deployment", "web").inputs["spec"]
    for bad in (-1, True, "3"):
        with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': revision_history_limit .* is not a whole"):
            run(app({"revision_history_limit": bad}))


def test_a_ports_app_protocol_reaches_the_service_and_a_bad_one_is_refused(run: Runner) -> None:
    from kubexpose import ValidationError

    ports = [{"port": 80, "target_port": 8080, "name": "http", "app_protocol": "kubernetes.io/h2c"}]
    (port,) = service_spec(run(app({"ports": ports})))["ports"]
    assert port["appProtocol"] == "kubernetes.io/h2c"
    assert "appProtocol" not in service_spec(run(app({})))["ports"][0]
    bad = [{**ports[0], "app_protocol": "h2c/"}]
    with pytest.raises(
        ValidationError, match=r"ports\[0\].app_protocol 'h2c/' is not a qualified name; use at most 63 .*; use an IANA"
    ):
        run(app({"ports": bad}))


def test_an_empty_or_zero_value_is_written_as_pulumi_kubernetes_applies_it(run: Runner) -> None:
    """pulumi-kubernetes' typed round trip leaves out a zero count, an empty string or list (e2e/test_provider_types.py
    reads which from the provider's types); the render does too, so it equals what `pulumi up` applies."""
    probe = {"tcp_socket": {"port": 80}, "period_seconds": 0, "timeout_seconds": 0, "failure_threshold": 0}
    live = {"http_get": {"port": 80, "path": "/healthz", "http_headers": []}}
    pod = pod_spec(
        run(
            app(
                {
                    "readiness_probe": probe,
                    "liveness_probe": live,
                    "command": [],
                    "args": [],
                    "tolerations": [{"key": "a", "value": ""}],
                    "pod_security_context": {"supplemental_groups": []},
                    "security_context": {"capabilities": {"drop": []}},
                    "resources": {"requests": {}},  # found by the e2e fuzz of the provider's types
                }
            )
        )
    )
    container = pod["containers"][0]
    assert container["resources"] == {}  # `requests: {}` left out, as the provider applies it
    assert "supplementalGroups" not in pod["securityContext"]
    assert container["securityContext"]["capabilities"] == {}  # drops nothing (the secure default drops ALL)
    assert container["readinessProbe"] == {"tcpSocket": {"port": 80}}
    assert container["livenessProbe"] == {"httpGet": {"port": 80, "path": "/healthz"}}
    assert "command" not in container and "args" not in container
    assert pod["tolerations"] == [{"key": "a"}]
