"""ExposedDeployment's Service: who may reach it (exposure), its type, ports and load-balancer settings."""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_kubernetes.core.v1 import ServiceSpecType

from ...inputs import Exposure, LoadBalancerArgs, ServiceType
from ...k8s.ports import Port
from ...k8s.service import ServiceModel
from ...k8s.validation import Checker
from ...profile import EXTERNAL_TRAFFIC_POLICIES, StackProfile
from .base import check_bool

_LB_FIELDS = frozenset(LoadBalancerArgs.__annotations__)


_SERVICE_TYPES = {
    "ClusterIP": ServiceSpecType.CLUSTER_IP,
    "NodePort": ServiceSpecType.NODE_PORT,
    "LoadBalancer": ServiceSpecType.LOAD_BALANCER,
}


def parse_exposure(check: Checker, args: Mapping[str, Any]) -> Exposure:
    value = args.get("exposure", Exposure.INTERNAL)
    try:
        return Exposure(value.lower() if isinstance(value, str) else value)
    except ValueError:
        check.fail("exposure", value, "is not an exposure", "use Exposure.INTERNAL or Exposure.PUBLIC")


def parse_service_type(check: Checker, args: Mapping[str, Any]) -> ServiceSpecType | None:
    value = args.get("service_type")
    if value is None:
        return None
    key = value.value if isinstance(value, ServiceSpecType | ServiceType) else value
    if key == "ExternalName":
        check.fail(
            "service_type", key, "is not for a Deployment", "use ExternalAlias for a DNS alias to an external host"
        )
    if key not in _SERVICE_TYPES:
        check.fail("service_type", value, "is not a Service type", "use 'ClusterIP', 'NodePort' or 'LoadBalancer'")
    resolved = _SERVICE_TYPES[key]
    if "exposure" in args:
        exposure = parse_exposure(check, args)
        if exposure is Exposure.INTERNAL and resolved is not ServiceSpecType.CLUSTER_IP:
            check.fail(
                "service_type",
                key,
                "contradicts exposure=INTERNAL",
                "drop service_type, or use exposure=Exposure.PUBLIC",
            )
        if exposure is Exposure.PUBLIC and resolved is ServiceSpecType.CLUSTER_IP:
            check.fail(
                "service_type",
                key,
                "contradicts exposure=PUBLIC",
                "drop service_type to let the stack decide, or use exposure=Exposure.INTERNAL",
            )
    return resolved


def parse_service(
    check: Checker,
    args: Mapping[str, Any],
    profile: StackProfile,
    service_type: ServiceSpecType,
    ports: list[Port],
    selector: dict[str, str],
) -> tuple[ServiceModel, tuple[tuple[str, int, str], ...]]:
    """The checked Service, and its fixed node ports to claim as `(protocol, port, field)`."""
    is_cluster_ip = service_type is ServiceSpecType.CLUSTER_IP
    is_lb = service_type is ServiceSpecType.LOAD_BALANCER

    claimed: list[tuple[str, int, str]] = []
    for i, p in enumerate(ports):
        if p.node_port is None:
            continue
        if is_cluster_ip:
            check.fail(
                f"ports[{i}].node_port",
                p.node_port,
                "is set on a ClusterIP Service",
                "use exposure=Exposure.PUBLIC, or drop node_port",
            )
        check.node_port(f"ports[{i}].node_port", p.node_port, profile.node_port_range)
        claimed.append((p.protocol, p.node_port, f"ports[{i}].node_port"))

    headless = check_bool(check, args, "headless", False)
    if headless and not is_cluster_ip:
        check.fail(
            "headless",
            True,
            f"is set on a {service_type.value} Service",
            "headless works only for internal (ClusterIP) apps; drop headless or exposure",
        )

    affinity = args.get("session_affinity")
    timeout = args.get("session_affinity_timeout_seconds")
    if affinity is not None:
        check.one_of("session_affinity", affinity, ("ClientIP", "None"), "use 'ClientIP' for sticky clients or 'None'")
    if timeout is not None:
        if affinity != "ClientIP":
            check.fail(
                "session_affinity_timeout_seconds",
                timeout,
                "is set without session_affinity='ClientIP'",
                "add session_affinity='ClientIP' or drop the timeout",
            )
        check.affinity_timeout("session_affinity_timeout_seconds", timeout)

    policy = args.get("external_traffic_policy")
    if policy is not None:
        check.one_of("external_traffic_policy", policy, EXTERNAL_TRAFFIC_POLICIES, "use 'Cluster' or 'Local'")
        if is_cluster_ip:
            check.fail(
                "external_traffic_policy",
                policy,
                "is set on a ClusterIP Service",
                "it applies to NodePort and LoadBalancer only; drop it or use exposure=Exposure.PUBLIC",
            )
    elif is_lb:
        policy = profile.load_balancer.external_traffic_policy

    annotations = check.annotations("service_annotations", args.get("service_annotations"))
    lb_args = args.get("load_balancer")
    if lb_args is not None:
        lb_args = load_balancer_args(check, lb_args)
        if is_cluster_ip or (service_type is ServiceSpecType.NODE_PORT and "service_type" in args):
            check.fail(
                "load_balancer",
                dict(lb_args),
                f"is set on a {service_type.value} Service",
                "drop it, or use exposure=Exposure.PUBLIC and let the stack choose LoadBalancer",
            )
    ranges: tuple[str, ...] = ()
    lb_class = None
    if is_lb:
        lb = profile.load_balancer
        lb_args = lb_args or {}
        annotations = {**lb.annotations, **lb_args.get("annotations", {}), **annotations}
        ranges = tuple(lb_args.get("source_ranges", lb.source_ranges))
        lb_class = lb_args.get("load_balancer_class", lb.load_balancer_class)
    if profile.skip_await:
        annotations["pulumi.com/skipAwait"] = "true"
    model = ServiceModel(
        type=service_type,
        ports=tuple(ports),
        selector=selector,
        headless=headless,
        session_affinity=affinity,
        session_affinity_timeout=timeout,
        external_traffic_policy=policy,
        source_ranges=ranges,
        load_balancer_class=lb_class,
        annotations=annotations,
    )
    return model, tuple(claimed)


def load_balancer_args(check: Checker, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        check.fail("load_balancer", value, "is not a mapping", "pass {'source_ranges': [...], 'annotations': {...}}")
    check.only_fields("load_balancer", value, _LB_FIELDS, "a load_balancer field")
    out: dict[str, Any] = {}
    if "annotations" in value:
        out["annotations"] = check.annotations("load_balancer.annotations", value["annotations"])
    if "source_ranges" in value:
        ranges = value["source_ranges"]
        if isinstance(ranges, str) or not isinstance(ranges, Sequence):
            check.fail(
                "load_balancer.source_ranges", ranges, "is not a list", "give a list of CIDRs, e.g. ['10.0.0.0/8']"
            )
        out["source_ranges"] = [check.cidr(f"load_balancer.source_ranges[{i}]", c) for i, c in enumerate(ranges)]
    if "load_balancer_class" in value:
        out["load_balancer_class"] = check.label_key("load_balancer.load_balancer_class", value["load_balancer_class"])
    return out
