"""How an app's Pods stop and are replaced (issue 35, point 4) and why a container failed (point 5): the drain,
the grace period, the rollout strategy, the termination message policy and the `logs` output; what `kubexpose diff`
says when a change weakens them."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import Runner
from test_exposed_deployment import IMAGE, app, deployment_manifest, pod_spec

from kubexpose import ExposedDeployment, ValidationError
from kubexpose.engine.run import run_program
from kubexpose.render.risk import availability


def deployment(run: Runner, args: dict[str, Any]) -> dict[str, Any]:
    return run(app(args)).get("Deployment", "web").inputs["spec"]


def test_by_default_a_pod_drains_for_5_s_and_a_rollout_never_takes_a_ready_pod_away(run: Runner) -> None:
    spec = deployment(run, {})
    container = spec["template"]["spec"]["containers"][0]
    assert container["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert "terminationGracePeriodSeconds" not in spec["template"]["spec"]  # Kubernetes' 30 s, longer than the drain
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}


def test_the_drain_and_the_grace_period_are_set_on_their_own(run: Runner) -> None:
    pod = pod_spec(run(app({"drain_seconds": 0, "termination_grace_period_seconds": 5})))
    assert "lifecycle" not in pod["containers"][0]
    assert pod["terminationGracePeriodSeconds"] == 5
    pod = pod_spec(run(app({"drain_seconds": 40, "termination_grace_period_seconds": 70})))
    assert pod["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": 40}}}
    assert pod["terminationGracePeriodSeconds"] == 70
    pod = pod_spec(run(app({"termination_grace_period_seconds": 0, "drain_seconds": 0})))
    assert pod["terminationGracePeriodSeconds"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"termination_grace_period_seconds": 5},
            r"ExposedDeployment 'web': termination_grace_period_seconds 5 is not longer than drain_seconds \(5, the "
            r"default\).*give termination_grace_period_seconds=35, or drain_seconds=0 to send SIGTERM at once",
        ),
        (
            {"drain_seconds": 10, "termination_grace_period_seconds": 10},
            r"termination_grace_period_seconds 10 is not longer than drain_seconds \(10, given\)",
        ),
        (
            {"drain_seconds": 30},
            r"drain_seconds 30 is not shorter than Kubernetes' grace period \(30 s\).*"
            r"give termination_grace_period_seconds=60",
        ),
        ({"drain_seconds": -1}, r"drain_seconds -1 is not a whole number of seconds >= 0"),
        ({"drain_seconds": True}, r"drain_seconds True is not a whole number of seconds"),
        ({"termination_grace_period_seconds": "30"}, r"termination_grace_period_seconds '30' is not a whole number"),
    ],
)
def test_a_drain_the_grace_period_cannot_hold_is_refused_with_the_fix(
    run: Runner, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        run(app(args))


@pytest.mark.parametrize(
    ("rollout", "strategy"),
    [
        ({"strategy": "Recreate"}, {"type": "Recreate"}),
        ({"max_surge": 2}, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}}),
        (
            {"max_surge": 0, "max_unavailable": 1},
            {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        ),
        (
            {"max_surge_percent": 50, "max_unavailable_percent": 10},
            {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": "10%"}},
        ),
        (
            {"strategy": "RollingUpdate", "max_unavailable": "25%"},
            {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        ),
    ],
)
def test_the_rollout_strategy_reaches_thedeployment_manifest(
    run: Runner, rollout: dict[str, Any], strategy: dict[str, Any]
) -> None:
    assert deployment(run, {"rollout": rollout})["strategy"] == strategy


@pytest.mark.parametrize(
    ("rollout", "message"),
    [
        (
            {"strategy": "Recreate", "max_surge": 1},
            r"rollout.max_surge 1 is a rolling-update number, which a Recreate rollout does not take.*drop it",
        ),
        (
            {"max_surge": 0},
            r"rollout .* has max_surge and max_unavailable both 0: a rollout could never replace a Pod.*"
            r"max_unavailable=1 with max_surge=0",
        ),
        ({"max_surge_percent": 0, "max_unavailable": "0%"}, r"rollout .* both 0"),
        ({"max_unavailable_percent": 101}, r"rollout.max_unavailable_percent 101 is not a percent from 0 to 100"),
        ({"max_unavailable": -1}, r"rollout.max_unavailable -1 is not a whole number >= 0"),
        ({"max_surge": "lots"}, r"rollout.max_surge 'lots' is not a percent from 0"),
        ({"max_surge": 1, "max_surge_percent": 10}, r"rollout.max_surge 1 is given together with max_surge_percent"),
        ({"strategy": "BlueGreen"}, r"rollout.strategy 'BlueGreen'.*'RollingUpdate' or 'Recreate'"),
        ({"surge": 1}, r"rollout.*surge"),
        ("Recreate", r"rollout 'Recreate' is not a mapping.*rollout=\{'strategy': 'Recreate'\}"),
    ],
)
def test_a_rollout_kubernetes_would_refuse_or_never_finish_is_refused(run: Runner, rollout: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app({"rollout": rollout}))


@pytest.mark.parametrize("fast", [False, True], ids=["sdk", "fast path"])
def test_the_logs_output_is_the_kubectl_logs_command_of_every_pod_of_the_app(fast: bool) -> None:
    def program() -> None:
        web = ExposedDeployment("web", {"image": IMAGE, "port": 80, "namespace": "shop"})
        cache = ExposedDeployment(
            "cache",
            {
                "image": IMAGE,
                "port": 6379,
                "namespace": pulumi.Output.from_input("data"),
                "adopt": {"selector": {"app": "cache", "tier": "data"}},
            },
        )
        pulumi.export("web", web.logs)
        pulumi.export("cache", cache.logs)

    exports = run_program(program, fast=fast).exports
    assert exports["web"] == (
        "kubectl logs -n shop --selector app.kubernetes.io/name=web --all-containers --prefix --tail 100"
    )
    assert (
        exports["cache"] == "kubectl logs -n data --selector app=cache,tier=data --all-containers --prefix --tail 100"
    )


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            {"drain_seconds": 0},
            "preStop wait removed (container web): a stopping Pod gets SIGTERM while it still receives requests",
        ),
        (
            {"rollout": {"strategy": "Recreate"}},
            "strategy RollingUpdate -> Recreate: every rollout stops all Pods before new ones start",
        ),
        (
            {"rollout": {"max_unavailable": 1}},
            "rollingUpdate.maxUnavailable 0 -> 1: a rollout may take ready Pods away first",
        ),
    ],
)
def test_kubexpose_diff_reports_a_weaker_shutdown_or_rollout_as_an_availability_finding(
    args: dict[str, Any], reason: str
) -> None:
    before, after = deployment_manifest({}), deployment_manifest(args)
    assert [(f.cls, f.raised, f.reason) for f in availability(before, after)] == [("availability", True, reason)]
    assert availability(after, before) == []  # restoring the defaults is no risk
    assert availability(before, deployment_manifest({"drain_seconds": 10, "rollout": {"max_surge": 2}})) == []


def test_the_independent_rules_refuse_what_the_api_server_refuses_in_a_strategy_and_a_drain() -> None:
    """tests/k8s_rules.py judges the fuzzed renders: its strategy and drain rules must fire on what the API server
    refuses, or the fuzz test would pass whatever the render writes."""
    from k8s_rules import deployment_violations, strategy_violations

    assert (
        strategy_violations({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}) == []
    )
    assert strategy_violations({"type": "Recreate"}) == []
    for bad in (
        {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}},
        {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}},
        {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "101%"}},
        {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": -1}},
        {"type": "BlueGreen"},
    ):
        assert strategy_violations(bad), bad
    good = deployment_manifest({})
    assert deployment_violations(good) == []
    pod = good["spec"]["template"]["spec"]
    pod["terminationGracePeriodSeconds"] = 4
    assert deployment_violations(good) == ["preStop sleep {'seconds': 5} is not within the grace period 4"]
    pod["terminationGracePeriodSeconds"] = 30
    pod["containers"][0]["terminationMessagePolicy"] = "Logs"
    assert deployment_violations(good) == ["terminationMessagePolicy 'Logs'"]
