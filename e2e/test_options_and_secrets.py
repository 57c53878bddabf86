"""Resource options a component passes to its children, through the real engine and provider (issue 35, point 6):
a component's `custom_timeouts` is its Deployment's await, and `retain_on_delete` keeps its objects on `destroy`.
And no secret in plain state (point 8): the state file of a stack that tried a secret `args` entry and then put the
secret in `env` holds the secret nowhere in plain text."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import eventually, namespaced_stack, ours
from pulumi import automation as auto

NS = "options"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
DEFAULT_AWAIT = 600
"""pulumi-kubernetes' default create timeout of a Deployment, in seconds."""


def stuck() -> None:
    """An app no node can take (no node has the label): its Deployment never becomes ready."""
    from kubexpose import ExposedDeployment

    ExposedDeployment(
        "stuck",
        {"image": IMAGE, "port": 80, "node_selector": {"pool": "nowhere"}},
        pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="20s")),
    )


def kept() -> None:
    from kubexpose import ExposedDeployment

    ExposedDeployment("kept", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(retain_on_delete=True))


def test_a_components_custom_timeouts_is_its_deployments_await(
    kubexpose_live: Any, cluster: Any, tmp_path: Path
) -> None:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, stuck, "timeouts", NS)
    try:
        started = time.monotonic()
        with pytest.raises(auto.CommandError) as failed:
            stack.up(on_output=print)
        waited = time.monotonic() - started
        assert "stuck-deployment" in str(failed.value), failed.value
        # The Deployment's await gave up at the component's 20 s, not at the provider's default 10 minutes.
        assert waited < DEFAULT_AWAIT / 2, (
            f"up failed after {waited:.0f} s: the component's custom_timeouts was not used"
        )
        assert cluster.get_json("deployment", "stuck", "-n", NS)["spec"]["template"]["spec"]["nodeSelector"] == {
            "pool": "nowhere"
        }
    finally:
        stack.destroy(on_output=print)
        eventually(lambda: ours(cluster, ["stuck"]) == [], timeout=120)


def test_retain_on_delete_on_a_component_keeps_every_object_it_made(
    kubexpose_live: Any, cluster: Any, tmp_path: Path
) -> None:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, kept, "retained", NS)
    try:
        assert stack.up(on_output=print).summary.result == "succeeded"
        made = ours(cluster, ["kept"])
        assert {"Deployment/options/kept", "Service/options/kept", "NetworkPolicy/options/kept"} <= set(made), made
        stack.destroy(on_output=print)
        assert {"Deployment/options/kept", "Service/options/kept", "NetworkPolicy/options/kept"} <= set(
            ours(cluster, ["kept"])
        ), "destroy deleted an object of a component with retain_on_delete"
    finally:
        for kind in ("deployment", "service", "networkpolicy", "serviceaccount"):
            cluster.kubectl("delete", kind, "kept", "-n", NS, "--ignore-not-found", check=False)
        eventually(lambda: ours(cluster, ["kept"]) == [], timeout=120)


SECRET = "s3cret-token-91c2"
TRY = {"field": "args"}
"""Where the `tokened` program puts the secret: a field that refuses it, or `env` (taken)."""
REFUSED = {
    "args": lambda token: {"args": ["--token", token]},
    "image": lambda token: {"image": token.apply(lambda _: IMAGE)},
    "labels['team']": lambda token: {"labels": {"team": token.apply(lambda _: "shop")}},
    "service_annotations['note']": lambda token: {"service_annotations": {"note": token}},
    "sidecars[0].command": lambda token: {"sidecars": [{"name": "shipper", "image": IMAGE, "command": ["run", token]}]},
}
"""A secret in each of these fields is refused (every field but `env` takes the same check)."""


def tokened() -> None:
    from kubexpose import ExposedDeployment

    token = pulumi.Output.secret(SECRET)
    if TRY["field"] in REFUSED:
        args = REFUSED[TRY["field"]](token)
    else:
        args = {"env": {"TOKEN": token}, "args": ["--token=$(TOKEN)"]}
    ExposedDeployment("tokened", {"image": IMAGE, "port": 80, **args})


def _state(stack: Any) -> str:
    return json.dumps(stack.export_stack().deployment)


def test_the_state_holds_no_secret_in_plain_text(kubexpose_live: Any, cluster: Any, tmp_path: Path) -> None:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, tokened, "secrets", NS)
    try:
        for field in REFUSED:
            TRY["field"] = field
            with pytest.raises(auto.CommandError) as refused:
                stack.up(on_output=print)
            assert f"{field} [secret] is a secret, which pulumi-kubernetes would store in plain text" in str(
                refused.value
            ), field
            assert SECRET not in str(refused.value)
            assert SECRET not in _state(stack), f"a refused secret in {field} reached the state"
        TRY["field"] = "env"
        assert stack.up(on_output=print).summary.result == "succeeded"
        state = _state(stack)
        assert "tokened-deployment" in state and "tokened-env" in state
        assert SECRET not in state, "the secret is in the state in plain text"
        live = cluster.get_json("deployment", "tokened", "-n", NS)["spec"]["template"]["spec"]["containers"][0]
        assert live["args"] == ["--token=$(TOKEN)"]
        assert live["env"] == [
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "tokened-env", "key": "TOKEN"}}}
        ]
    finally:
        stack.destroy(on_output=print)
        eventually(lambda: ours(cluster, ["tokened"]) == [], timeout=120)
