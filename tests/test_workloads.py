"""What a production team needs around the Pods: disruption budgets, spreading, autoscaling, service
accounts, pull secrets, Pod annotations and ConfigMap/Secret mounts, each checked on both sides of its limits."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pulumi
import pytest
from conftest import LOCAL, Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType
from test_validation import assert_rejected

from kubexpose import ExposedDeployment, StackProfile
from kubexpose.engine.run import ProgramRun
from kubexpose.render.build import render_run

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
ZONES = StackProfile(public_service_type=ServiceSpecType.NODE_PORT, namespace="shop", zones=True)


def web(profile: StackProfile = LOCAL, **extra: Any):
    return lambda: ExposedDeployment("web", {"image": IMAGE, "port": 8080, **extra}, profile=profile)


def pod(result: ProgramRun) -> dict[str, Any]:
    return result.get("Deployment", "web").inputs["spec"]["template"]["spec"]


def budget(result: ProgramRun) -> dict[str, Any]:
    return result.get("PodDisruptionBudget", "web").inputs["spec"]


# -- disruption budget ------------------------------------------------------------------------------------
def test_two_replicas_get_a_budget_of_one_unavailable_pod(run: Runner) -> None:
    assert budget(run(web(replicas=2))) == {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
        "maxUnavailable": 1,
    }


def test_one_replica_gets_no_budget(run: Runner) -> None:
    assert run(web(replicas=1)).k8s("PodDisruptionBudget") == []
    assert run(web()).k8s("PodDisruptionBudget") == []


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ({"max_unavailable": 1}, {"maxUnavailable": 1}),
        ({"max_unavailable": 2}, {"maxUnavailable": 2}),
        ({"min_available": 1}, {"minAvailable": 1}),
        ({"min_available": 2}, {"minAvailable": 2}),
        ({"max_unavailable": "25%"}, {"maxUnavailable": "25%"}),
        ({"min_available_percent": 99}, {"minAvailable": "99%"}),
        ({"max_unavailable_percent": 1}, {"maxUnavailable": "1%"}),
    ],
)
def test_a_budget_that_lets_drains_through_and_protects_something(
    run: Runner, given: dict[str, Any], written: dict[str, Any]
) -> None:
    spec = budget(run(web(replicas=3, disruption_budget=given)))
    assert {k: v for k, v in spec.items() if k != "selector"} == written


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"max_unavailable": 0}, r"max_unavailable 0 is below 1: it blocks every node drain"),
        ({"max_unavailable": 3}, r"max_unavailable 3 is not below the 3 replicas: it protects nothing"),
        ({"min_available": 0}, r"min_available 0 is below 1: it protects nothing"),
        ({"min_available": 3}, r"min_available 3 is not below the 3 replicas: it blocks every node drain"),
        ({"min_available": "100%"}, r"min_available '100%' is not a percent from 1 to 99"),
        ({"max_unavailable_percent": 0}, r"max_unavailable_percent 0 is not a percent from 1 to 99"),
        ({"max_unavailable": 1, "min_available": 1}, r"disruption_budget .* sets more than one bound"),
        ({"enabled": False, "max_unavailable": 1}, r"disruption_budget .* is disabled and set at once"),
        ({"max_unavailble": 1}, r"disruption_budget.max_unavailble .* did you mean max_unavailable\?"),
        ({"max_unavailable": 1.5}, r"max_unavailable 1.5 is not a whole number"),
    ],
)
def test_a_budget_that_blocks_drains_or_protects_nothing_is_refused(given: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, "replicas": 3, "disruption_budget": given}, match)


def test_a_budget_for_one_replica_is_refused_and_can_be_turned_off(run: Runner) -> None:
    assert_rejected(
        {"port": 8080, "replicas": 1, "disruption_budget": {"min_available": 1}},
        r"disruption_budget .* is set for 1 replica: a budget for one Pod either blocks every node drain",
    )
    assert run(web(replicas=4, disruption_budget={"enabled": False})).k8s("PodDisruptionBudget") == []


def test_replicas_from_an_output_get_the_default_budget_and_spreading(run: Runner) -> None:
    result = run(web(replicas=pulumi.Output.from_input(1)))
    assert budget(result)["maxUnavailable"] == 1  # safe for one Pod too: it never blocks a drain
    assert [c["topologyKey"] for c in pod(result)["topologySpreadConstraints"]] == ["kubernetes.io/hostname"]


# -- spreading ---------------------------------------------------------------------------------------------
def test_two_replicas_spread_over_nodes_and_over_zones_when_the_stack_has_zones(run: Runner) -> None:
    constraint = {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
    }
    assert pod(run(web(replicas=2)))["topologySpreadConstraints"] == [constraint]
    zoned = pod(run(web(ZONES, replicas=2)))["topologySpreadConstraints"]
    assert zoned == [constraint, {**constraint, "topologyKey": "topology.kubernetes.io/zone"}]


def test_one_replica_or_spread_off_has_no_constraints(run: Runner) -> None:
    assert "topologySpreadConstraints" not in pod(run(web(replicas=1)))
    assert "topologySpreadConstraints" not in pod(run(web(replicas=3, spread={"enabled": False})))
    assert_rejected({"port": 8080, "spread": {"enabled": "no"}}, r"enabled 'no' is not a boolean")
    assert_rejected({"port": 8080, "spread": {"zones": True}}, r"spread.zones True is not a spread field")


# -- autoscaling -------------------------------------------------------------------------------------------
def test_autoscaling_gives_an_hpa_and_leaves_replicas_to_it(run: Runner) -> None:
    result = run(
        web(autoscaling={"min_replicas": 2, "max_replicas": 10, "cpu_utilization": 70, "memory_utilization": 80})
    )
    assert result.get("HorizontalPodAutoscaler", "web").inputs["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2,
        "maxReplicas": 10,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            },
            {
                "type": "Resource",
                "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}},
            },
        ],
    }
    assert "replicas" not in result.get("Deployment", "web").inputs["spec"]
    assert budget(result)["maxUnavailable"] == 1  # min_replicas 2: the budget and spreading follow it


def test_autoscaling_without_a_target_scales_on_cpu_at_80_percent(run: Runner) -> None:
    spec = run(web(autoscaling={"min_replicas": 1, "max_replicas": 1})).get("HorizontalPodAutoscaler", "web")
    assert spec.inputs["spec"]["metrics"][0]["resource"] == {
        "name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": 80},
    }


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"replicas": 2, "autoscaling": {"min_replicas": 2, "max_replicas": 4}}, r"replicas 2 is set together with"),
        (
            {"autoscaling": {"min_replicas": 0, "max_replicas": 4}},
            r"autoscaling.min_replicas 0 is not a whole number >= 1",
        ),
        (
            {"autoscaling": {"min_replicas": 3, "max_replicas": 2}},
            r"autoscaling.max_replicas 2 is below min_replicas 3",
        ),
        ({"autoscaling": {"max_replicas": 2}}, r"autoscaling.min_replicas None is not a whole number"),
        (
            {"autoscaling": {"min_replicas": 1, "max_replicas": 2, "cpu_utilization": 0}},
            r"cpu_utilization 0 is not a percent",
        ),
        (
            {"autoscaling": {"min_replicas": 1, "max_replicas": 2, "cpu_utilization": 501}},
            r"cpu_utilization 501 is not",
        ),
        (
            {"autoscaling": {"min_replicas": 1, "max_replicas": 2}, "resources": {"limits": {"cpu": "1"}}},
            r"autoscaling.cpu_utilization 80 needs a cpu request to measure against, but resources sets none",
        ),
        (
            {
                "autoscaling": {"min_replicas": 1, "max_replicas": 2, "memory_utilization": 75},
                "resources": {"requests": {"cpu": "100m"}},
            },
            r"autoscaling.memory_utilization 75 needs a memory request",
        ),
    ],
)
def test_autoscaling_bounds_and_requests_are_checked(args: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, **args}, match)


@pytest.mark.parametrize(("low", "high", "target"), [(1, 1, 1), (1, 1000, 500)])
def test_autoscaling_at_its_limits_is_accepted(run: Runner, low: int, high: int, target: int) -> None:
    result = run(web(autoscaling={"min_replicas": low, "max_replicas": high, "cpu_utilization": target}))
    assert result.get("HorizontalPodAutoscaler", "web").inputs["spec"]["maxReplicas"] == high


# -- service account, pull secrets, annotations, mounts ---------------------------------------------------
def test_each_app_runs_as_its_own_service_account_without_a_token(run: Runner) -> None:
    result = run(web())
    account = result.get("ServiceAccount", "web")
    assert account.inputs["automountServiceAccountToken"] is False
    assert pod(result)["serviceAccountName"] == "web"
    assert account.urn in result.get("Deployment", "web").dependencies


def test_an_existing_service_account_is_used_and_none_is_made(run: Runner) -> None:
    result = run(web(service_account="payments-reader"))
    assert result.k8s("ServiceAccount") == []
    assert pod(result)["serviceAccountName"] == "payments-reader"
    assert_rejected(
        {"port": 8080, "service_account": "Payments"}, r"service_account 'Payments' is not a ServiceAccount"
    )


def test_pull_secrets_and_pod_annotations_reach_the_pods(run: Runner) -> None:
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    result = run(web(image_pull_secrets=["registry", "mirror"], pod_annotations=annotations))
    assert pod(result)["imagePullSecrets"] == [{"name": "registry"}, {"name": "mirror"}]
    assert result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["annotations"] == annotations
    assert_rejected({"port": 8080, "pod_annotations": {"bad key!": "x"}}, r"pod_annotations key 'bad key!'")
    assert_rejected({"port": 8080, "image_pull_secrets": ["a", "a"]}, r"image_pull_secrets \['a', 'a'\] repeats a name")
    assert_rejected({"port": 8080, "image_pull_secrets": "registry"}, r"image_pull_secrets 'registry' is not a list")


def test_pod_annotations_stay_beside_the_secret_version(run: Runner) -> None:
    result = run(web(pod_annotations={"team": "shop"}, env={"TOKEN": pulumi.Output.secret("t")}))
    assert result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["annotations"] == {"team": "shop"}


def test_config_maps_and_secrets_mount_read_only(run: Runner) -> None:
    mounts = [
        {"config_map": "settings", "path": "/etc/app"},
        {"secret": "tls", "path": "/etc/tls/", "items": {"tls.crt": "cert.pem", "tls.key": "keys/key.pem"}},
    ]
    spec = pod(run(web(mounts=mounts, writable_paths=["/tmp"])))
    assert spec["volumes"] == [
        {"name": "w-tmp", "emptyDir": {}},
        {"name": "m0-configmap-settings", "configMap": {"name": "settings"}},
        {
            "name": "m1-secret-tls",
            "secret": {
                "secretName": "tls",
                "items": [{"key": "tls.crt", "path": "cert.pem"}, {"key": "tls.key", "path": "keys/key.pem"}],
            },
        },
    ]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": "w-tmp", "mountPath": "/tmp"},
        {"name": "m0-configmap-settings", "mountPath": "/etc/app", "readOnly": True},
        {"name": "m1-secret-tls", "mountPath": "/etc/tls", "readOnly": True},
    ]


@pytest.mark.parametrize(
    ("mounts", "writable", "match"),
    [
        (
            [{"config_map": "a", "path": "/etc/app"}, {"secret": "b", "path": "/etc/app"}],
            [],
            r"mounts\[1\].path '/etc/app' overlaps '/etc/app' \(mounts\[0\]\)",
        ),
        (
            [{"config_map": "a", "path": "/etc"}, {"secret": "b", "path": "/etc/tls"}],
            [],
            r"mounts\[1\].path '/etc/tls' overlaps '/etc'",
        ),
        ([{"config_map": "a", "path": "/etc/app/conf"}], ["/etc/app"], r"overlaps '/etc/app' \(writable_paths\)"),
        ([{"config_map": "a", "path": "/data"}], ["/data/cache"], r"overlaps '/data/cache' \(writable_paths\)"),
        ([{"config_map": "a", "secret": "b", "path": "/x"}], [], r"mounts\[0\] .* is not one source"),
        ([{"path": "/x"}], [], r"mounts\[0\] .* is not one source"),
        ([{"config_map": "a", "path": "etc"}], [], r"mounts\[0\].path 'etc' is not an absolute path"),
        ([{"config_map": "a", "path": "/"}], [], r"mounts\[0\].path '/' is not an absolute path below /"),
        (
            [{"config_map": "a", "path": "/x", "items": {"k": "../up"}}],
            [],
            r"items\['k'\] '../up' is not a relative path",
        ),
        (
            [{"config_map": "a", "path": "/x", "items": {"k": "/abs"}}],
            [],
            r"items\['k'\] '/abs' is not a relative path",
        ),
        (
            [{"config_map": "a", "path": "/x", "items": {"a b": "x"}}],
            [],
            r"items key 'a b' is not a ConfigMap or Secret key",
        ),
        ([{"config_map": "A_B", "path": "/x"}], [], r"mounts\[0\].config_map 'A_B' is not a ConfigMap name"),
        ([{"config_map": "a", "path": "/x", "mode": 420}], [], r"mounts\[0\].mode 420 is not a mount field"),
    ],
)
def test_mounts_are_checked(mounts: list[Any], writable: list[str], match: str) -> None:
    assert_rejected({"port": 8080, "mounts": mounts, "writable_paths": writable}, match)


def test_siblings_that_share_a_prefix_do_not_overlap(run: Runner) -> None:
    mounts = [{"config_map": "a", "path": "/etc/app"}, {"config_map": "b", "path": "/etc/app2"}]
    assert len(pod(run(web(mounts=mounts)))["volumes"]) == 2


def test_every_new_object_is_valid_for_kubernetes(run: Runner) -> None:
    result = run(
        web(
            autoscaling={"min_replicas": 2, "max_replicas": 5},
            image_pull_secrets=["registry"],
            pod_annotations={"prometheus.io/scrape": "true"},
            mounts=[{"config_map": "settings", "path": "/etc/app", "items": {"a.yaml": "a.yaml"}}],
            disruption_budget={"min_available": "50%"},
        )
    )
    objs = render_run(result, "test").manifests
    assert {o["kind"] for o in objs} >= {"HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount"}
    for obj in objs:
        kubernetes_validate.validate(obj, "1.35", strict=True)
