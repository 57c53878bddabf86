"""Risk rules on what runs: availability (replicas, disruption budgets, probes) and security (Pod defaults, images)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .findings import Finding, Obj, pod_of, ref, spec_of


# -- availability -------------------------------------------------------------------------------------------
def _budget_room(obj: Obj | None) -> tuple[str, Any] | None:
    spec = spec_of(obj)
    for key in ("minAvailable", "maxUnavailable"):
        if key in spec:
            return key, spec[key]
    return None


def _number(value: Any) -> float:
    return float(str(value).rstrip("%"))


def _pre_stop(container: Mapping[str, Any]) -> bool:
    return bool((container.get("lifecycle") or {}).get("preStop"))


def _rollout(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    """A switch to `Recreate`, or a rolling update that may now take ready Pods away (Kubernetes' default
    `maxUnavailable` is 25%)."""
    before, after = old.get("type", "RollingUpdate"), new.get("type", "RollingUpdate")
    if after == "Recreate" and before != "Recreate":
        return [
            Finding(
                "availability",
                True,
                name,
                f"strategy {before} -> Recreate: every rollout stops all Pods before new ones start",
                "that the app may be down during each rollout",
            )
        ]
    if before == after == "RollingUpdate":
        was = (old.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
        now = (new.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
        if _number(was) == 0 and _number(now) > 0:
            return [
                Finding(
                    "availability",
                    True,
                    name,
                    f"rollingUpdate.maxUnavailable {was} -> {now}: a rollout may take ready Pods away first",
                    "that the app tolerates fewer Pods during a rollout",
                )
            ]
    return []


def availability(old: Obj | None, new: Obj | None) -> list[Finding]:
    """Replicas reduced, a PodDisruptionBudget removed or loosened, probes or the preStop wait removed, a rollout
    that may stop ready Pods first."""
    kind = (new or old or {}).get("kind")
    name = ref(new or old or {})
    out: list[Finding] = []
    if kind in ("Deployment", "StatefulSet") and old and new:
        before, after = spec_of(old).get("replicas"), spec_of(new).get("replicas")
        if isinstance(before, int) and isinstance(after, int) and after < before:
            out.append(
                Finding("availability", True, name, f"replicas {before} -> {after}", "that the load fits fewer Pods")
            )
        out += _rollout(name, spec_of(old).get("strategy") or {}, spec_of(new).get("strategy") or {})
        old_containers = {c.get("name"): c for c in pod_of(old).get("containers") or []}
        for c in pod_of(new).get("containers") or []:
            if _pre_stop(old_containers.get(c.get("name"), {})) and not _pre_stop(c):
                out.append(
                    Finding(
                        "availability",
                        True,
                        name,
                        f"preStop wait removed (container {c.get('name')}): a stopping Pod gets SIGTERM while it "
                        "still receives requests",
                        "that the app drains on SIGTERM, or that dropped requests at each rollout are fine",
                    )
                )
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                if probe in old_containers.get(c.get("name"), {}) and probe not in c:
                    out.append(
                        Finding(
                            "availability",
                            True,
                            name,
                            f"{probe} removed (container {c.get('name')})",
                            "how broken Pods are noticed now",
                        )
                    )
    if kind == "HorizontalPodAutoscaler" and old and new:
        before, after = spec_of(old).get("minReplicas", 1), spec_of(new).get("minReplicas", 1)
        if after < before:
            out.append(
                Finding("availability", True, name, f"minReplicas {before} -> {after}", "that the load fits fewer Pods")
            )
    if kind == "PodDisruptionBudget":
        if old and not new:
            out.append(
                Finding(
                    "availability",
                    True,
                    name,
                    "PodDisruptionBudget removed: a drain may take every Pod at once",
                    "that the app tolerates it",
                )
            )
        elif old and new:
            before, after = _budget_room(old), _budget_room(new)
            if (
                before
                and after
                and before[0] == after[0]
                and str(before[1]).endswith("%") == str(after[1]).endswith("%")
            ):
                looser = (
                    _number(after[1]) > _number(before[1])
                    if after[0] == "maxUnavailable"
                    else _number(after[1]) < _number(before[1])
                )
                if looser:
                    out.append(
                        Finding(
                            "availability",
                            True,
                            name,
                            f"{after[0]} {before[1]} -> {after[1]}",
                            "how many Pods a drain may take now",
                        )
                    )
            elif before != after:
                out.append(
                    Finding(
                        "availability", True, name, f"budget {before} -> {after}", "how many Pods a drain may take now"
                    )
                )
    return out


# -- security -------------------------------------------------------------------------------------------------
def _secure(pod: Mapping[str, Any], c: Mapping[str, Any]) -> dict[str, bool]:
    sc, psc = c.get("securityContext") or {}, pod.get("securityContext") or {}
    seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    return {
        "runAsNonRoot": bool(sc.get("runAsNonRoot", psc.get("runAsNonRoot"))),
        "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation: false": sc.get("allowPrivilegeEscalation") is False,
        "capabilities drop ALL": "ALL" in ((sc.get("capabilities") or {}).get("drop") or []),
        "no added capabilities": not (sc.get("capabilities") or {}).get("add"),
        "not privileged": not sc.get("privileged", False),
        "seccomp RuntimeDefault": seccomp in ("RuntimeDefault", "Localhost"),
    }


def _pinned(image: Any) -> bool:
    last = str(image).rsplit("/", 1)[-1]
    return "@" in last or (":" in last and not last.endswith(":latest"))


def security(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A secure Pod default turned off, a service-account token mounted, an image no longer pinned."""
    if (new or old or {}).get("kind") not in ("Deployment", "StatefulSet") or not (old and new):
        return []
    name = ref(new)
    out = []
    old_pod, new_pod = pod_of(old), pod_of(new)
    if (
        old_pod.get("automountServiceAccountToken") is False
        and new_pod.get("automountServiceAccountToken") is not False
    ):
        out.append(
            Finding(
                "security",
                True,
                name,
                "service-account token now mounted into the Pods",
                "that the app needs the Kubernetes API",
            )
        )
    every = ("containers", "initContainers")  # a sidecar is an init container
    old_containers = {c.get("name"): c for key in every for c in old_pod.get(key) or []}
    for c in [c for key in every for c in new_pod.get(key) or []]:
        before = old_containers.get(c.get("name"))
        if before is None:
            continue
        was, now = _secure(old_pod, before), _secure(new_pod, c)
        for key in was:
            if was[key] and not now[key]:
                out.append(
                    Finding(
                        "security",
                        True,
                        name,
                        f"{key} turned off (container {c.get('name')})",
                        "the reason, and whether a narrower setting does",
                    )
                )
        if _pinned(before.get("image")) and not _pinned(c.get("image")):
            out.append(
                Finding(
                    "security",
                    True,
                    name,
                    f"image {before.get('image')} -> {c.get('image')}: no longer pinned",
                    "pin a tag or digest: every node may run a different version",
                )
            )
    return out


def _run_command(job_spec: Obj) -> tuple[str, Any]:
    """The command line and image of a Job spec's first container."""
    containers = (((job_spec.get("template") or {}).get("spec") or {}).get("containers")) or [{}]
    command = " ".join([*(containers[0].get("command") or []), *(containers[0].get("args") or [])])
    return command, containers[0].get("image")


def migration(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A Job of an app that is new (its name is a hash of its content): a migration runs before the rollout and is
    never rolled back; a job that runs once runs now, beside it."""
    if new is None or old is not None or new.get("kind") != "Job":
        return []
    component = ((new.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component")
    if component not in ("migration", "job"):
        return []
    command, image = _run_command(new.get("spec") or {})
    if component == "job":
        what, check = "the job", "that it is safe on the live data: a Job that ran is never undone"
        when = "runs once now"
    else:
        what, when = "the migration", "runs before the rollout"
        check = "that it is safe on the live data and for the version still serving: a migration is never rolled back"
    return [Finding("availability", True, ref(new), f"{what} `{command}` {when} (in {image})", check)]


def scheduled_jobs(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A CronJob that is new, runs on another schedule or time zone, or is suspended or resumed."""
    if (new or old or {}).get("kind") != "CronJob" or new is None:
        return []

    def schedule(spec: Obj) -> str:
        return spec.get("schedule", "") + (f" ({spec['timeZone']})" if spec.get("timeZone") else "")

    after = new.get("spec") or {}
    when = schedule(after)
    command, _ = _run_command((after.get("jobTemplate") or {}).get("spec") or {})
    if old is None:
        paused = " (suspended)" if after.get("suspend") else ""
        return [
            Finding(
                "availability", True, ref(new), f"`{command}` will run at {when}{paused}", "what it does to live data"
            )
        ]
    before = old.get("spec") or {}
    was = schedule(before)
    out = []
    if was != when:
        out.append(
            Finding(
                "availability",
                True,
                ref(new),
                f"schedule {was} -> {when}",
                "that the new times suit what it does (and what it competes with)",
                directed=False,
            )
        )
    if bool(before.get("suspend")) != bool(after.get("suspend")):
        if after.get("suspend"):
            out.append(Finding("availability", True, ref(new), "suspended: it starts no run", "who waits for its work"))
        else:
            out.append(
                Finding(
                    "availability",
                    True,
                    ref(new),
                    "resumed: it runs again",
                    "that a missed run may start at once (unless startingDeadlineSeconds has passed)",
                )
            )
    return out


_STATEFUL_FORCE_NEW = ("volumeClaimTemplates", "serviceName", "podManagementPolicy", "revisionHistoryLimit", "selector")
"""A StatefulSet's fields whose change makes pulumi-kubernetes replace it (`provider/pkg/provider/diff.go`)."""


def stateful_data(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A StatefulSet replaced (a claim template or another force-new field changed: its Pods stop, its claims stay
    as they are), and a retention policy or a removal that deletes volumes."""
    if (new or old or {}).get("kind") != "StatefulSet":
        return []
    out = []
    if old is not None and new is not None:
        changed = [f for f in _STATEFUL_FORCE_NEW if spec_of(old).get(f) != spec_of(new).get(f)]
        if changed:
            out.append(
                Finding(
                    "replacement",
                    True,
                    ref(new),
                    f"spec.{', spec.'.join(changed)} changed: the StatefulSet is deleted and created again (every Pod "
                    "stops; existing claims keep their old size and class)",
                    "the downtime; a claim's size grows by editing the claim (if its StorageClass allows expansion)",
                )
            )
    before, after = _retention(old), _retention(new)
    for when, what in (("whenDeleted", "deleting the app"), ("whenScaled", "a scale-down")):
        if after.get(when) == "Delete" and before.get(when) != "Delete" and new is not None:
            out.append(Finding("data", True, ref(new), f"{what} now deletes the Pods' volumes ({when}: Delete)", _KEEP))
        if before.get(when) == "Delete" and after.get(when) != "Delete" and new is not None:
            out.append(
                Finding("data", False, ref(new), f"{what} keeps the Pods' volumes again ({when}: Retain)", _KEEP)
            )
    if new is None and old is not None and before.get("whenDeleted") == "Delete":
        out.append(Finding("data", True, ref(old), "removed with whenDeleted: Delete: its volumes are deleted", _KEEP))
    return out


_KEEP = "that no data there is needed, or a backup exists"


def _claims(obj: Obj | None) -> dict[str, bool]:
    """The PersistentVolumeClaims a workload's Pods mount (`mounts` with `claim`): name -> writable."""
    pod = pod_of(obj)
    volumes = {v.get("name"): (v.get("persistentVolumeClaim") or {}) for v in pod.get("volumes") or []}
    out: dict[str, bool] = {}
    for container in pod.get("containers") or []:
        for mount in container.get("volumeMounts") or []:
            claim = volumes.get(mount.get("name"))
            if claim and claim.get("claimName"):
                writable = not (mount.get("readOnly") or claim.get("readOnly"))
                out[claim["claimName"]] = out.get(claim["claimName"], False) or writable
    return out


def claim_mounts(old: Obj | None, new: Obj | None) -> list[Finding]:
    """An existing claim the app no longer mounts (its data is out of the app's reach; the claim stays), or one it
    now writes."""
    if old is None or new is None or (new.get("kind") not in ("Deployment", "StatefulSet")):
        return []
    before, after = _claims(old), _claims(new)
    out = [
        Finding("data", True, ref(new), f"no longer mounts the claim {name}: the app stops seeing its data", _GONE)
        for name in sorted(set(before) - set(after))
    ]
    out += [
        Finding("data", False, ref(new), f"now writes the claim {name} (it was mounted read-only)", _WRITES)
        for name in sorted(set(before) & set(after))
        if after[name] and not before[name]
    ]
    return out


_GONE = "that the app no longer needs that data (the claim and its data stay in the namespace)"
_WRITES = "that the app may change that data, and that no other app reads it while it does"


def _retention(obj: Obj | None) -> Mapping[str, Any]:
    return spec_of(obj).get("persistentVolumeClaimRetentionPolicy") or {}
