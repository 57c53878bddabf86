"""Security contexts: kubexpose's secure defaults with the user's fields merged over them, then checked as the
API server checks them (`ValidateSecurityContext`, `validatePodSecurityContext` in Kubernetes' core validation):
user and group IDs in 0..2147483647, a known seccomp or AppArmor profile type, a known proc mount, and no
privileged container (or CAP_SYS_ADMIN) while privilege escalation stays off. A container that must run as
non-root but is given UID 0 is refused too: the server stores it, the kubelet never starts it."""

from collections.abc import Mapping
from typing import Any

from pulumi_kubernetes.core.v1 import PodSecurityContextArgsDict, SecurityContextArgsDict

from ...k8s.pod import secure_container_context, secure_pod_context
from ...k8s.schema import check_fields
from ...k8s.validation import Checker

MAX_ID = 2147483647
PROFILE_TYPES = ("RuntimeDefault", "Unconfined", "Localhost")
PROC_MOUNTS = ("Default", "Unmasked")
FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")


def parse_security_contexts(check: Checker, args: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The container's and the Pod's security contexts, each a checked merge over the secure defaults."""
    container = _merged(
        check, "security_context", secure_container_context(), args.get("security_context"), SecurityContextArgsDict
    )
    pod = _merged(
        check,
        "pod_security_context",
        secure_pod_context(),
        args.get("pod_security_context"),
        PodSecurityContextArgsDict,
    )
    _ids(check, "security_context", container, ("run_as_user", "run_as_group"))
    _ids(check, "pod_security_context", pod, ("run_as_user", "run_as_group", "fs_group"))
    for i, group in enumerate(pod.get("supplemental_groups") or ()):
        _id(check, f"pod_security_context.supplemental_groups[{i}]", group)
    for field, context in (("security_context", container), ("pod_security_context", pod)):
        for profile in ("seccomp_profile", "app_armor_profile"):
            _profile(check, f"{field}.{profile}", context.get(profile))
    _choice(check, "security_context.proc_mount", container.get("proc_mount"), PROC_MOUNTS)
    _choice(
        check,
        "pod_security_context.fs_group_change_policy",
        pod.get("fs_group_change_policy"),
        FS_GROUP_CHANGE_POLICIES,
    )
    if container.get("allow_privilege_escalation") is False:
        if container.get("privileged") is True:
            check.fail(
                "security_context.privileged",
                True,
                "is set while allow_privilege_escalation stays False, which Kubernetes refuses (a privileged "
                "container can always escalate)",
                "set allow_privilege_escalation=True as well, or drop privileged",
            )
        added = (container.get("capabilities") or {}).get("add") or ()
        if "CAP_SYS_ADMIN" in added:
            check.fail(
                "security_context.capabilities.add",
                list(added),
                "adds CAP_SYS_ADMIN while allow_privilege_escalation stays False, which Kubernetes refuses",
                "set allow_privilege_escalation=True as well, or drop CAP_SYS_ADMIN",
            )
    user = container.get("run_as_user", pod.get("run_as_user"))
    non_root = container.get("run_as_non_root", pod.get("run_as_non_root"))
    if non_root is True and user == 0:
        where = "security_context" if "run_as_user" in container else "pod_security_context"
        check.fail(
            f"{where}.run_as_user",
            0,
            "is root while run_as_non_root is True: the kubelet refuses to start the container",
            "give a non-zero UID, or set run_as_non_root=False for an image that must run as root",
        )
    return container, pod


def _merged(check: Checker, field: str, defaults: dict[str, Any], override: Any, kind: type) -> dict[str, Any]:
    """The secure defaults with the user's fields merged over them, each field checked against `kind`."""
    if override is None:
        return defaults
    if not isinstance(override, Mapping):
        check.fail(field, override, "is not a mapping", "pass the fields to change, e.g. {'run_as_user': 101}")
    check_fields(check, field, override, kind)
    return {**defaults, **_without_empty_lists(override)}


def _without_empty_lists(value: Mapping[str, Any]) -> dict[str, Any]:
    """`value` without its empty lists (`supplemental_groups=[]`, `capabilities={"drop": []}`): pulumi-kubernetes'
    typed round trip leaves them out (`omitempty`) and the server stores none, so the render leaves them out too."""
    return {
        key: _without_empty_lists(item) if isinstance(item, Mapping) else item
        for key, item in value.items()
        if not (isinstance(item, list | tuple) and not item)
    }


def _ids(check: Checker, field: str, context: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in context:
            _id(check, f"{field}.{key}", context[key])


def _id(check: Checker, field: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
        check.fail(field, value, f"is outside 0-{MAX_ID}", "give a user or group ID from 0 to 2147483647")


def _profile(check: Checker, field: str, profile: Any) -> None:
    if not isinstance(profile, Mapping):
        return
    kind = profile.get("type")
    _choice(check, f"{field}.type", kind, PROFILE_TYPES, required=True)
    local = profile.get("localhost_profile")
    if kind == "Localhost" and not local:
        check.missing(f"{field}.localhost_profile", "a Localhost profile names its file on the node")
    if kind != "Localhost" and local is not None:
        check.fail(f"{field}.localhost_profile", local, f"is set for type {kind}", "drop it, or use type 'Localhost'")


def _choice(check: Checker, field: str, value: Any, allowed: tuple[str, ...], required: bool = False) -> None:
    if value is None and not required:
        return
    if value not in allowed:
        check.fail(field, value, "is not a value Kubernetes accepts", f"use one of {', '.join(allowed)}")
