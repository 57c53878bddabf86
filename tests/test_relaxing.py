"""Relaxing a secure default (docs/_index.md, "Relaxing a secure default"): each row's argument is accepted, renders
the relaxed field, and `kubexpose diff` reports what the table says; the policy pack refuses what it checks."""

from __future__ import annotations

from typing import Any

import pytest
from test_exposed_deployment import deployment_manifest

from kubexpose.policy_pack import check_manifests
from kubexpose.render.risk import availability, security

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


ROWS = [
    ({"security_context": {"read_only_root_filesystem": False}}, ["readOnlyRootFilesystem turned off (container web)"], True),
    ({"pod_security_context": {"run_as_user": 101, "run_as_group": 101, "fs_group": 101}}, [], False),
    ({"pod_security_context": {"run_as_non_root": False, "run_as_user": 0}, "security_context": {"run_as_non_root": False}},
     ["runAsNonRoot turned off (container web)"], True),
    ({"security_context": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}},
     ["no added capabilities turned off (container web)"], False),
    ({"security_context": {"allow_privilege_escalation": True}},
     ["allowPrivilegeEscalation: false turned off (container web)"], True),
    ({"pod_security_context": {"seccomp_profile": {"type": "Unconfined"}}},
     ["seccomp RuntimeDefault turned off (container web)"], True),
    ({"automount_service_account_token": True}, ["service-account token now mounted into the Pods"], True),
    ({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}}, [], False),
]  # fmt: skip


@pytest.mark.parametrize(("args", "findings", "refused"), ROWS)
def test_each_relaxation_is_one_argument_and_visible_in_review(
    args: dict[str, Any], findings: list[str], refused: bool
) -> None:
    secure, relaxed = deployment_manifest({}), deployment_manifest(args)
    assert [f.reason for f in security(secure, relaxed)] == findings
    assert bool(check_manifests([relaxed])) is refused
    assert check_manifests([relaxed], {"kubexpose-secure-pod-defaults": {"exemptDeployments": ["web"]}}) == []


def test_turning_off_probes_the_drain_and_the_safe_rollout_are_availability_findings() -> None:
    secure = deployment_manifest({})
    relaxed = deployment_manifest(
        {"readiness_probe": {"disabled": True}, "drain_seconds": 0, "rollout": {"max_unavailable": 1}}
    )
    reasons = [f.reason for f in availability(secure, relaxed)]
    assert "readinessProbe removed (container web)" in reasons
    assert any(r.startswith("preStop wait removed") for r in reasons)
    assert any(r.startswith("rollingUpdate.maxUnavailable 0 -> 1") for r in reasons)
