"""Parsing of what every workload's Pod shares: image, container ports, env, probes, security, volumes.

A component that runs a container (today ExposedDeployment; a CronJob-backed worker would too)
turns its container arguments into a :class:`~kubexpose.k8s.pod.PodModel` here; the field names
and messages are then the same in every component.
"""

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi_kubernetes.core.v1 import (
    ResourceRequirementsArgsDict,
)

from ...k8s.images import IMAGE_REFERENCE
from ...k8s.pod import (
    ContainerPort,
    PodModel,
    default_liveness_probe,
    default_readiness_probe,
    default_resources,
)
from ...k8s.ports import Port
from ...k8s.quantity import canonical_resources, check_resources
from ...k8s.schema import check_fields
from ...k8s.validation import Checker, is_iana_name
from .base import check_bool
from .env import check_references, env_refs_of, env_values, parse_env
from .probes import check_probe_ports, default_probe, parse_probe, probe_port_warnings
from .security import parse_security_contexts
from .volumes import parse_memory_paths, parse_mounts, parse_writable_paths


def check_image(check: Checker, image: Any) -> Any:
    """An image reference a container runtime can pull (`[registry/]path[:tag][@digest]`), or an Output
    checked when known."""
    return check.input("image", image, lambda value: _image(check, value))


def _image(check: Checker, image: Any) -> str:
    if image is None:
        check.missing("image", "give e.g. image='nginxinc/nginx-unprivileged:1.27-alpine'")
    fix = "give e.g. 'nginxinc/nginx-unprivileged:1.27-alpine' or 'ghcr.io/acme/api@sha256:<64 hex digits>'"
    if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image):
        check.fail("image", image, "is not an image reference", fix)
    match = IMAGE_REFERENCE.match(image)
    if match is None:
        check.fail(
            "image",
            image,
            "is not an image reference a container runtime can pull ([registry/]path[:tag][@digest], the path in "
            "lower case)",
            fix,
        )
    if len(match.group("name")) > 255:
        check.fail("image", image, f"has a name of {len(match.group('name'))} characters", "use at most 255")
    return image


def parse_container_ports(check: Checker, declared: Any, ports: list[Port]) -> tuple[ContainerPort, ...]:
    """The declared container ports, else one per Service port at its numeric target port; named
    target ports must name one of them."""
    out: list[ContainerPort] = []
    if declared is not None:
        if isinstance(declared, str) or not isinstance(declared, Sequence):
            check.fail("container_ports", declared, "is not a list", "give [{'container_port': 8080, 'name': 'http'}]")
        for i, item in enumerate(declared):
            field = f"container_ports[{i}]"
            if not isinstance(item, Mapping) or "container_port" not in item:
                check.fail(field, item, "is not a container port", "give {'container_port': 8080, 'name': 'http'}")
            port = ContainerPort(
                check.port_number(f"{field}.container_port", item["container_port"]),
                check.protocol(f"{field}.protocol", item.get("protocol", "TCP")),
                None if item.get("name") is None else check.iana_name(f"{field}.name", item["name"]),
            )
            if any((c.container_port, c.protocol) == (port.container_port, port.protocol) for c in out):
                # The API server keys a container's ports by (containerPort, protocol): server-side apply refuses
                # a second entry ("duplicate entries for key"), which the e2e suite found.
                check.fail(
                    f"{field}.container_port",
                    port.container_port,
                    f"is declared twice for {port.protocol}",
                    "declare each (port, protocol) once; one entry can carry the name",
                )
            out.append(port)
    else:
        for p in ports:
            if isinstance(p.target_port, int) and not any(
                c.container_port == p.target_port and c.protocol == p.protocol for c in out
            ):
                named = p.name is not None and is_iana_name(p.name) and all(c.name != p.name for c in out)
                out.append(ContainerPort(p.target_port, p.protocol, p.name if named else None))
    names = [c.name for c in out if c.name is not None]
    if len(names) != len(set(names)):
        check.fail("container_ports", names, "has a name used twice", "give every container port its own name")
    for i, p in enumerate(ports):
        if isinstance(p.target_port, str) and p.target_port not in names:
            check.fail(
                f"ports[{i}].target_port",
                p.target_port,
                "names no port of the container",
                f"declare it: container_ports=[{{'name': '{p.target_port}', 'container_port': 8080}}], or give a number",
            )
    return tuple(out)


def parse_pod(
    check: Checker,
    name: str,
    args: Mapping[str, Any],
    image: Any,
    container_ports: tuple[ContainerPort, ...],
    ports: list[Port],
) -> PodModel:
    """The single-container Pod: secure defaults with the user's fields merged over them.

    With `ports`, the probes default to TCP on the first target port; without (a batch worker), there
    are no default probes."""
    image_pull_policy = check.one_of(
        "image_pull_policy",
        args.get("image_pull_policy", "Always"),
        ("Always", "IfNotPresent", "Never"),
        "use 'Always', 'IfNotPresent' or 'Never'",
    )
    security_context, pod_security_context = parse_security_contexts(check, args)
    probes = {
        field: parse_probe(check, field, args) for field in ("readiness_probe", "liveness_probe", "startup_probe")
    }
    check_probe_ports(check, probes, container_ports)
    if args.get("resources") is not None:
        check_fields(check, "resources", args["resources"], ResourceRequirementsArgsDict)
        check_resources(check, args["resources"])
    lists: dict[str, Any] = {}
    for field in ("command", "args"):
        value = args.get(field)
        if value is None:
            lists[field] = None
        elif isinstance(value, pulumi.Output) or (
            isinstance(value, Sequence)
            and not isinstance(value, str)
            and any(isinstance(v, pulumi.Output) for v in value)
        ):  # computed from other resources: checked when known, like every Input
            lists[field] = check.input(
                field, pulumi.Output.from_input(value), functools.partial(_strings, check, field)
            )
        else:
            lists[field] = tuple(_strings(check, field, value))
    writable = parse_writable_paths(check, args.get("writable_paths"))
    memory, in_memory = parse_memory_paths(check, args.get("memory_paths"), writable)
    writable += memory
    env: Any = args.get("env")
    if isinstance(env, pulumi.Output):
        # The whole mapping computed (or, from another language, a map holding a secret: the wire then
        # marks the whole map secret): checked when known, like any Output.
        refs = args.get("env_refs")
        env_refs = env_refs_of(check, refs, set())
        env = env.apply(lambda known: parse_env(check, known, refs))
    else:
        env = env_values(check, env)
        env_refs = env_refs_of(check, args.get("env_refs"), {name for name, _ in env})
        env = check_references(check, env, env_refs)
    first_target = ports[0].target_port if ports else None
    return PodModel(
        container_name=name,
        image=image,
        image_pull_policy=image_pull_policy,
        ports=container_ports,
        resources=_resources(args),
        security_context=security_context,
        command=lists["command"],
        args=lists["args"],
        env=env,
        env_refs=env_refs,
        readiness_probe=probes["readiness_probe"].get(default_probe(default_readiness_probe, first_target)),
        liveness_probe=probes["liveness_probe"].get(default_probe(default_liveness_probe, first_target)),
        startup_probe=probes["startup_probe"].get(None),
        automount_service_account_token=check_bool(check, args, "automount_service_account_token", False),
        pod_security_context=pod_security_context,
        writable_paths=writable,
        in_memory=in_memory,
        mounts=parse_mounts(check, args.get("mounts"), writable),
        annotations=check.annotations("pod_annotations", args.get("pod_annotations")),
        image_pull_secrets=_names(check, "image_pull_secrets", args.get("image_pull_secrets"), "Secret"),
    )


def _resources(args: Mapping[str, Any]) -> Any:
    """The container's `resources`: the defaults when not given, every quantity in the text the server stores."""
    given = args.get("resources", default_resources())
    return canonical_resources(given) if isinstance(given, Mapping) else given


def _strings(check: Checker, field: str, value: Any) -> list[str]:
    """A list of strings (a container's `command` or `args`)."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        check.fail(field, value, "is not a list of strings", f"give e.g. {field}=['--port', '8080']")
    return list(value)


def _names(check: Checker, field: str, value: Any, what: str) -> tuple[str, ...]:
    """A list of object names (DNS-1123 subdomains), each once."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        check.fail(field, value, "is not a list of names", f"give e.g. {field}=['registry-credentials']")
    names = tuple(check.dns_subdomain(f"{field}[{i}]", v, what) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        check.fail(field, list(value), "repeats a name", "list each name once")
    return names


def warn_on_probe_ports(resource: pulumi.Resource, check: Checker, pod: PodModel) -> None:
    """Warn about a probe on a port number the container does not declare (see :func:`probe_port_warnings`)."""
    probes = {
        "readiness_probe": pod.readiness_probe,
        "liveness_probe": pod.liveness_probe,
        "startup_probe": pod.startup_probe,
    }
    for warning in probe_port_warnings(check, probes, pod.ports):
        pulumi.log.warn(warning, resource=resource)


def warn_on_image(resource: pulumi.Resource, check: Checker, image: Any) -> None:
    """Warn when `image` has no fixed tag or digest (`latest` counts as none); an Output when known."""
    if isinstance(image, pulumi.Output):
        image.apply(lambda value: warn_on_image(resource, check, value))
        return
    last = image.rsplit("/", 1)[-1]
    if "@" not in last and (":" not in last or last.endswith(":latest")):
        pulumi.log.warn(
            f"{check.kind} '{check.name}': image {image!r} has no fixed tag; every node may run a different "
            "version. Pin a tag or digest, e.g. 'nginxinc/nginx-unprivileged:1.27-alpine'.",
            resource=resource,
        )
