"""Sidecars and init steps beside the app's container, each parsed as the app's container is: the same secure and
resource defaults, env (a secret value into the app's Secret), writable paths and probes."""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ...inputs import ContainerArgs
from ...k8s.pod import SideContainer
from ...k8s.validation import Checker
from .workload import check_image, parse_container_ports, parse_pod

_FIELDS = frozenset(ContainerArgs.__annotations__)
_PROBES = ("readiness_probe", "liveness_probe", "startup_probe")
_EXAMPLE = "{'name': 'log-shipper', 'image': 'fluent/fluent-bit:3.1'}"


def parse_side_containers(check: Checker, args: Mapping[str, Any], app: str) -> tuple[SideContainer, ...]:
    """`sidecars` (native sidecars, started first) then `init_containers` (steps run to completion in order), in
    the order Kubernetes starts them."""
    out: list[SideContainer] = []
    names = {app}
    for key, sidecar in (("sidecars", True), ("init_containers", False)):
        raw = args.get(key)
        if raw is None:
            continue
        if isinstance(raw, pulumi.Output):
            check.fail(
                key,
                raw,
                "is one value known only later: the containers are part of the Deployment declared now",
                "give the list itself; a value inside it (an image, an env value) may be an Output",
            )
        if isinstance(raw, str | Mapping) or not isinstance(raw, Sequence):
            check.fail(key, raw, "is not a list", f"give e.g. {key}=[{_EXAMPLE}]")
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                check.fail(f"{key}[{i}]", item, "is not a mapping", f"give e.g. {_EXAMPLE}")
            nested = check.within(f"{key}[{i}].")
            nested.only_fields("", item, _FIELDS, "a container field")
            if item.get("name") is None:
                nested.missing("name", "give the container a name, e.g. 'log-shipper'")
            name = nested.dns_label("name", item["name"])
            if name in names:
                nested.fail("name", name, "is the name of another container of the Pod", "give each its own name")
            names.add(name)
            if not sidecar:
                for probe in _PROBES:
                    if item.get(probe) is not None:
                        nested.fail(
                            probe,
                            item[probe],
                            "is set on an init step, which runs to completion and takes no probe",
                            "make it a sidecar (sidecars=[...]), which runs beside the app, or drop the probe",
                        )
            image = check_image(nested, item.get("image"))
            ports = parse_container_ports(nested, item.get("container_ports", []), [])
            out.append(SideContainer(parse_pod(nested, name, item, image, ports, []), sidecar))
    return tuple(out)
