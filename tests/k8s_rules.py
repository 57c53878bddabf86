"""An independent checker of the Kubernetes API-server rules, written from ../shared/KUBERNETES_RULES.md.

It reads rendered manifests only and shares no code with `kubexpose.k8s.validation`, so a property
test can compare what kubexpose emits against the rules themselves.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from typing import Any

LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_PART = LABEL_1123
NAME_PART = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


def _subdomain(value: str) -> bool:
    return 0 < len(value) <= 253 and all(SUBDOMAIN_PART.match(p) for p in value.split("."))


def _iana(value: str) -> bool:
    return (
        0 < len(value) <= 15
        and re.fullmatch(r"[-a-z0-9]+", value) is not None
        and re.search(r"[a-z]", value) is not None
        and "--" not in value
        and not value.startswith("-")
        and not value.endswith("-")
    )


def _port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _label_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and not _subdomain(prefix):
        return False
    return 0 < len(name) <= 63 and NAME_PART.match(name) is not None


def _labels(labels: dict[str, Any], where: str) -> list[str]:
    out = []
    for key, value in (labels or {}).items():
        if not _label_key(key):
            out.append(f"{where}: bad label key {key!r}")
        if not isinstance(value, str) or (value and (len(value) > 63 or not NAME_PART.match(value))):
            out.append(f"{where}: bad label value {value!r}")
    return out


QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
"""The pattern the API server quotes when it refuses a quantity ("quantities must match the regular expression")."""
SCALE = {"": 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
SCALE |= {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def _amount(text: Any) -> Decimal | None:
    """The value of a quantity, or None when the server would not parse it."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not QUANTITY.match(text):
        return None
    number = re.match(r"^[+-]?(\d+\.?\d*|\.\d+)", text)
    if number is None:
        return None
    suffix = text[number.end() :]
    if suffix in SCALE:
        return Decimal(number.group(0)) * Decimal(SCALE[suffix])
    exponent = re.fullmatch(r"[eE]([+-]?\d+)", suffix)
    return Decimal(number.group(0)) * Decimal(10) ** int(exponent.group(1)) if exponent else None


def resources_violations(resources: dict[str, Any]) -> list[str]:
    out = []
    amounts: dict[str, dict[str, Decimal]] = {}
    for part in ("requests", "limits"):
        for name, text in (resources.get(part) or {}).items():
            value = _amount(text)
            if value is None:
                out.append(f"{part}.{name} {text!r} is no quantity")
            elif value < 0:
                out.append(f"{part}.{name} {text!r} is negative")
            else:
                amounts.setdefault(part, {})[name] = value
    for name, request in amounts.get("requests", {}).items():
        limit = amounts.get("limits", {}).get(name)
        if limit is not None and request > limit:
            out.append(f"request {name} above its limit")
    return out


def probe_violations(probe: dict[str, Any], liveness: bool) -> list[str]:
    """`validateProbe`: one handler, its port a number in range or a port name, no negative count."""
    out = []
    handlers = [h for h in ("httpGet", "tcpSocket", "exec", "grpc") if h in probe]
    if len(handlers) != 1:
        return [f"probe has {len(handlers)} handlers"]
    handler = probe[handlers[0]]
    if handlers[0] in ("httpGet", "tcpSocket"):
        port = handler.get("port")
        if not (_port(port) or (isinstance(port, str) and _iana(port))):
            out.append(f"probe port {port!r}")
    if handlers[0] == "httpGet" and handler.get("scheme", "HTTP") not in ("HTTP", "HTTPS"):
        out.append(f"probe scheme {handler.get('scheme')!r}")
    if handlers[0] == "grpc" and not _port(handler.get("port")):  # a number only: gRPC probes take no port name
        out.append(f"grpc probe port {handler.get('port')!r}")
    for header in handler.get("httpHeaders") or [] if handlers[0] == "httpGet" else []:
        if not re.fullmatch(r"[-A-Za-z0-9]+", str(header.get("name"))):  # IsHTTPHeaderName
            out.append(f"probe header name {header.get('name')!r}")
    if handlers[0] == "exec" and not handler.get("command"):
        out.append("probe command is empty")
    for key in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"):
        if probe.get(key, 0) < 0:
            out.append(f"probe {key} {probe[key]} is negative")
    if liveness and probe.get("successThreshold", 1) not in (0, 1):
        out.append("liveness probe successThreshold is not 1")
    return out


def security_violations(sc: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    """`ValidateSecurityContext` and `validatePodSecurityContext`, plus the kubelet's non-root rule."""
    out = []
    psc = pod.get("securityContext") or {}
    for where, ctx, keys in (
        ("container", sc, ("runAsUser", "runAsGroup")),
        ("pod", psc, ("runAsUser", "runAsGroup", "fsGroup")),
    ):
        for key in keys:
            if key in ctx and not 0 <= ctx[key] <= 2**31 - 1:
                out.append(f"{where} {key} {ctx[key]}")
    out += [f"supplemental group {g}" for g in psc.get("supplementalGroups") or [] if not 0 <= g <= 2**31 - 1]
    for ctx in (sc, psc):
        profile = ctx.get("seccompProfile")
        if profile and (
            profile.get("type") not in ("RuntimeDefault", "Unconfined", "Localhost")
            or (profile["type"] == "Localhost") != bool(profile.get("localhostProfile"))
        ):
            out.append(f"seccomp profile {profile}")
    if sc.get("procMount", "Default") not in ("Default", "Unmasked"):
        out.append(f"procMount {sc['procMount']}")
    if psc.get("fsGroupChangePolicy", "Always") not in ("Always", "OnRootMismatch"):
        out.append(f"fsGroupChangePolicy {psc['fsGroupChangePolicy']}")
    if sc.get("allowPrivilegeEscalation") is False and (
        sc.get("privileged") or "CAP_SYS_ADMIN" in ((sc.get("capabilities") or {}).get("add") or [])
    ):
        out.append("privileged or CAP_SYS_ADMIN without privilege escalation")
    if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) and sc.get("runAsUser", psc.get("runAsUser")) == 0:
        out.append("runAsNonRoot with runAsUser 0")
    return out


def service_violations(svc: dict[str, Any], node_port_range: tuple[int, int] = (30000, 32767)) -> list[str]:
    """Rules for a Service alone."""
    out: list[str] = []
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    name = meta.get("name", "")
    if not (len(name) <= 63 and LABEL_1035.match(name)):
        out.append(f"service name {name!r} is not a DNS-1035 label")
    out += _labels(meta.get("labels") or {}, "service labels")
    kind = spec.get("type", "ClusterIP")
    ports = spec.get("ports") or []
    seen, names, node_ports = set(), set(), set()
    for p in ports:
        if not _port(p.get("port")):
            out.append(f"port {p.get('port')!r} out of range")
        protocol = p.get("protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            out.append(f"protocol {protocol!r}")
        if (protocol, p.get("port")) in seen:
            out.append(f"duplicate {(protocol, p.get('port'))}")
        seen.add((protocol, p.get("port")))
        if len(ports) > 1 and not p.get("name"):
            out.append("port name missing with several ports")
        if "appProtocol" in p and not _label_key(str(p["appProtocol"])):  # a qualified name, as a label key is
            out.append(f"appProtocol {p['appProtocol']!r}")
        if p.get("name"):
            if not (len(p["name"]) <= 63 and LABEL_1123.match(p["name"])):
                out.append(f"port name {p['name']!r}")
            if p["name"] in names:
                out.append(f"duplicate port name {p['name']!r}")
            names.add(p["name"])
        target = p.get("targetPort")
        if target is not None and not (_port(target) or (isinstance(target, str) and _iana(target))):
            out.append(f"targetPort {target!r}")
        if "nodePort" in p:
            if kind not in ("NodePort", "LoadBalancer"):
                out.append(f"nodePort on {kind}")
            low, high = node_port_range
            if not (_port(p["nodePort"]) and low <= p["nodePort"] <= high):
                out.append(f"nodePort {p['nodePort']!r} outside {low}-{high}")
            if (protocol, p["nodePort"]) in node_ports:
                out.append(f"duplicate nodePort {p['nodePort']}")
            node_ports.add((protocol, p["nodePort"]))
    if kind != "ExternalName" and not ports and spec.get("clusterIP") != "None":
        out.append("a non-headless Service needs ports")
    if kind == "ExternalName":
        host = str(spec.get("externalName") or "").removesuffix(".")
        if not _subdomain(host):
            out.append(f"externalName {host!r} is not a DNS-1123 subdomain")
        try:
            ipaddress.ip_address(host)
            out.append(f"externalName {host!r} is an IP (never resolved)")
        except ValueError:
            pass
        if "clusterIP" in spec or "clusterIPs" in spec:
            out.append("clusterIP on ExternalName")
    elif "externalName" in spec:
        out.append(f"externalName on {kind}")
    affinity = spec.get("sessionAffinity", "None")
    if affinity not in ("None", "ClientIP"):
        out.append(f"sessionAffinity {affinity!r}")
    config = spec.get("sessionAffinityConfig")
    if affinity == "ClientIP" and config is not None:
        timeout = (config.get("clientIP") or {}).get("timeoutSeconds")
        if not (isinstance(timeout, int) and 1 <= timeout <= 86400):
            out.append(f"affinity timeout {timeout!r}")
    if affinity != "ClientIP" and config:
        out.append("sessionAffinityConfig without ClientIP")
    for field in ("loadBalancerSourceRanges", "loadBalancerClass", "allocateLoadBalancerNodePorts"):
        if field in spec and kind != "LoadBalancer":
            out.append(f"{field} on {kind}")
    for cidr in spec.get("loadBalancerSourceRanges") or []:
        try:
            if str(ipaddress.ip_network(cidr, strict=True)) != cidr:
                out.append(f"non-canonical CIDR {cidr!r}")
        except ValueError:
            out.append(f"bad CIDR {cidr!r}")
    if "externalTrafficPolicy" in spec:
        if kind not in ("NodePort", "LoadBalancer"):
            out.append(f"externalTrafficPolicy on {kind}")
        if spec["externalTrafficPolicy"] not in ("Cluster", "Local"):
            out.append(f"externalTrafficPolicy {spec['externalTrafficPolicy']!r}")
    if spec.get("clusterIP") == "None" and kind != "ClusterIP":
        out.append(f"headless {kind}")
    return out


def deployment_violations(dep: dict[str, Any]) -> list[str]:
    """Rules for a Deployment alone."""
    out: list[str] = []
    meta, spec = dep.get("metadata") or {}, dep.get("spec") or {}
    if not _subdomain(meta.get("name", "")):
        out.append(f"deployment name {meta.get('name')!r}")
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selector:
        out.append("empty selector")
    history = spec.get("revisionHistoryLimit", 0)
    if not isinstance(history, int) or isinstance(history, bool) or history < 0:
        out.append(f"revisionHistoryLimit {history!r}")
    if not selector.items() <= template_labels.items():
        out.append("selector does not match the pod template labels")
    out += _labels(template_labels, "pod labels")
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    init = pod_spec.get("initContainers") or []
    names = [c.get("name") for c in (pod_spec.get("containers") or []) + init]
    if len(names) != len(set(names)) or not all(isinstance(n, str) and LABEL_1123.match(n) for n in names):
        out.append(f"container names {names!r} are not unique DNS labels")
    for c in init:  # validateInitContainers: a sidecar is `restartPolicy: Always`; a step runs once, without probes
        if "restartPolicy" in c and c["restartPolicy"] != "Always":
            out.append(f"init container restartPolicy {c['restartPolicy']!r}")
        if "restartPolicy" not in c and {"readinessProbe", "livenessProbe", "startupProbe", "lifecycle"} & set(c):
            out.append(f"init container {c.get('name')!r} (not a sidecar) has probes or a lifecycle")
    for container in (pod_spec.get("containers") or []) + init:
        for p in container.get("ports") or []:
            if not _port(p.get("containerPort")):
                out.append(f"containerPort {p.get('containerPort')!r}")
            if "name" in p and not _iana(p["name"]):
                out.append(f"container port name {p['name']!r}")
        out += resources_violations(container.get("resources") or {})
        out += security_violations(
            container.get("securityContext") or {}, (spec.get("template") or {}).get("spec") or {}
        )
        for key in ("readinessProbe", "livenessProbe", "startupProbe"):
            if container.get(key):  # liveness and startup probes: successThreshold 1
                out += probe_violations(container[key], key != "readinessProbe")
        keys = [(p.get("containerPort"), p.get("protocol", "TCP")) for p in container.get("ports") or []]
        if len(keys) != len(set(keys)):  # the list's merge key under server-side apply
            out.append(f"container ports {keys!r} repeat a (containerPort, protocol)")
    pod = (spec.get("template") or {}).get("spec") or {}
    for v in pod.get("volumes") or []:  # an emptyDir: medium "" or Memory, a sizeLimit a quantity above 0
        empty = v.get("emptyDir")
        if empty is not None and (
            empty.get("medium", "") not in ("", "Memory")
            or ("sizeLimit" in empty and not ((_amount(empty["sizeLimit"]) or 0) > 0))
        ):
            out.append(f"emptyDir {empty!r}")
    volumes = [v.get("name") for v in pod.get("volumes") or []]
    if len(volumes) != len(set(volumes)) or not all(isinstance(v, str) and LABEL_1123.match(v) for v in volumes):
        out.append(f"volume names {volumes!r} are not unique DNS labels")
    for container in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        paths = [m.get("mountPath") for m in container.get("volumeMounts") or []]
        for m in container.get("volumeMounts") or []:
            if m.get("name") not in volumes:
                out.append(f"volumeMount {m.get('name')!r} names no volume")
        for a in paths:
            if not isinstance(a, str) or not a.startswith("/"):
                out.append(f"mountPath {a!r} is not absolute")
            elif any(b != a and isinstance(b, str) and b.startswith(a.rstrip("/") + "/") for b in paths):
                out.append(f"mountPath {a!r} contains another mount")
        if len(paths) != len(set(paths)):
            out.append(f"mountPaths {paths!r} repeat")
        out += env_violations(container.get("env") or [])
        if container.get("terminationMessagePolicy", "File") not in ("File", "FallbackToLogsOnError"):
            out.append(f"terminationMessagePolicy {container['terminationMessagePolicy']!r}")
        sleep = ((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep")
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if sleep is not None and not (isinstance(sleep.get("seconds"), int) and 0 <= sleep["seconds"] <= grace):
            out.append(f"preStop sleep {sleep!r} is not within the grace period {grace}")
    if (
        not isinstance(pod.get("terminationGracePeriodSeconds", 0), int)
        or pod.get("terminationGracePeriodSeconds", 0) < 0
    ):
        out.append(f"terminationGracePeriodSeconds {pod['terminationGracePeriodSeconds']!r}")
    out += strategy_violations(spec.get("strategy") or {})
    out += scheduling_violations(pod)
    return out


def scheduling_violations(pod: dict[str, Any]) -> list[str]:
    """core/v1 `ValidatePodSpec` on placement: the node selector's labels, `validateTolerations`,
    `ValidateNodeSelectorRequirement`, the affinity terms' weights, topology keys and label selectors, and the
    priority class name."""
    out = _labels(pod.get("nodeSelector") or {}, "nodeSelector")
    for t in pod.get("tolerations") or []:
        if t.get("key") and not _label_key(t["key"]):
            out.append(f"toleration key {t['key']!r}")
        operator = t.get("operator", "Equal")
        if not t.get("key") and operator != "Exists":
            out.append("toleration without a key and operator not Exists")
        if operator not in ("Equal", "Exists") or (operator == "Exists" and t.get("value")):
            out.append(f"toleration operator {operator!r} with value {t.get('value')!r}")
        if operator == "Equal" and _labels({"k": t.get("value", "")}, "toleration value"):
            out.append(f"toleration value {t.get('value')!r}")
        if t.get("effect", "") not in ("", "NoSchedule", "PreferNoSchedule", "NoExecute"):
            out.append(f"toleration effect {t['effect']!r}")
        if "tolerationSeconds" in t and t.get("effect") != "NoExecute":
            out.append("tolerationSeconds without effect NoExecute")
    affinity = pod.get("affinity") or {}
    node = affinity.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    terms = [] if required is None else required.get("nodeSelectorTerms") or [None]
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    terms += [p.get("preference") for p in preferred]
    for term in terms:
        if term is None:
            out.append("required node affinity without a term")
            continue
        for r in term.get("matchExpressions") or []:
            values, op = r.get("values") or [], r.get("operator")
            if not _label_key(r.get("key", "")):
                out.append(f"node requirement key {r.get('key')!r}")
            if (
                op not in ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
                or (op in ("In", "NotIn") and not values)
                or (op in ("Exists", "DoesNotExist") and values)
                or (op in ("Gt", "Lt") and (len(values) != 1 or not re.fullmatch(r"-?[0-9]+", values[0])))
            ):
                out.append(f"node requirement {op!r} with values {values!r}")
    weights = [p.get("weight") for p in preferred]
    for kind in ("podAffinity", "podAntiAffinity"):
        block = affinity.get(kind) or {}
        weighted = block.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        weights += [w.get("weight") for w in weighted]
        for term in (block.get("requiredDuringSchedulingIgnoredDuringExecution") or []) + [
            w.get("podAffinityTerm") or {} for w in weighted
        ]:
            if not _label_key(term.get("topologyKey", "")):
                out.append(f"{kind} topologyKey {term.get('topologyKey')!r}")
            selector = term.get("labelSelector") or {}
            out += _labels(selector.get("matchLabels") or {}, f"{kind} selector")
            for e in selector.get("matchExpressions") or []:
                out += _labels({e.get("key", ""): v for v in e.get("values") or [""]}, f"{kind} selector")
            out += [f"{kind} namespace {n!r}" for n in term.get("namespaces") or [] if not LABEL_1123.match(n)]
    out += [f"affinity weight {w!r}" for w in weights if not (isinstance(w, int) and 1 <= w <= 100)]
    if "priorityClassName" in pod and not _subdomain(pod["priorityClassName"]):
        out.append(f"priorityClassName {pod['priorityClassName']!r}")
    return out


def _int_or_percent(value: Any) -> int | None:
    """An IntOrString count of Pods as the Deployment validation reads it (`N` or `N%`), None when it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+%", value):
        return int(value[:-1])
    return None


def strategy_violations(strategy: dict[str, Any]) -> list[str]:
    """apps/v1 `validateDeploymentStrategy`: a known type, no `rollingUpdate` with `Recreate`, non-negative
    numbers or percents, `maxUnavailable` at most 100%, and not both 0 (the rollout could never progress)."""
    kind = strategy.get("type", "RollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if kind not in ("RollingUpdate", "Recreate"):
        return [f"strategy type {kind!r}"]
    if kind == "Recreate":
        return ["rollingUpdate with a Recreate strategy"] if rolling is not None else []
    rolling = rolling or {}
    surge, unavailable = (_int_or_percent(rolling.get(k, "25%")) for k in ("maxSurge", "maxUnavailable"))
    out: list[str] = []
    if surge is None or surge < 0 or unavailable is None or unavailable < 0:
        out.append(f"rollingUpdate {rolling!r} is not made of counts or percents >= 0")
    elif str(rolling.get("maxUnavailable", "")).endswith("%") and unavailable > 100:
        out.append(f"maxUnavailable {rolling['maxUnavailable']!r} above 100%")
    elif surge == 0 and unavailable == 0:
        out.append("maxSurge and maxUnavailable both 0")
    return out


def env_violations(env: list[dict[str, Any]]) -> list[str]:
    """A `$(NAME)` in a `value` expands only to a variable listed earlier in the same list (Kubernetes' expansion:
    `$$` is a literal `$`; a name not defined earlier stays as text). Written from that rule: a reference to a
    variable the list defines only later never expands."""
    out: list[str] = []
    names = [e.get("name") for e in env]
    for i, entry in enumerate(env):
        value = entry.get("value")
        if not isinstance(value, str):
            continue
        j = 0
        while j < len(value):
            if value.startswith("$$", j):
                j += 2
            elif value.startswith("$(", j) and ")" in value[j:]:
                ref = value[j + 2 : value.index(")", j)]
                if ref in names and ref not in names[:i]:
                    out.append(f"env {entry.get('name')!r} refers to $({ref}), listed after it: it never expands")
                j = value.index(")", j) + 1
            else:
                j += 1
    return out


def autoscaling_violations(objs: list[dict[str, Any]]) -> list[str]:
    """HPA bounds, and PodDisruptionBudgets that must let a drain evict a Pod of what they cover."""
    out: list[str] = []
    mins: dict[str, int] = {}
    for hpa in (o for o in objs if o["kind"] == "HorizontalPodAutoscaler"):
        spec = hpa.get("spec") or {}
        low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
        if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
            out.append(f"HPA replicas {low}-{high}")
        mins[(spec.get("scaleTargetRef") or {}).get("name")] = low
    for pdb in (o for o in objs if o["kind"] == "PodDisruptionBudget"):
        spec = pdb.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        for dep in (o for o in objs if o["kind"] == "Deployment"):
            labels = ((dep["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
            if not selector.items() <= labels.items():
                continue
            replicas = mins.get(dep["metadata"]["name"], dep["spec"].get("replicas", 1))
            bound = spec.get("minAvailable", spec.get("maxUnavailable"))
            pods = -(-int(bound[:-1]) * replicas // 100) if isinstance(bound, str) else bound
            evictable = replicas - pods if "minAvailable" in spec else pods
            if not isinstance(replicas, int) or evictable < 1:
                out.append(f"PDB {pdb['metadata']['name']} lets no Pod be evicted")
    return out


def slice_violations(eps: dict[str, Any], services: dict[str, dict[str, Any]]) -> list[str]:
    """Rules for an EndpointSlice, against the Services of the same render."""
    out: list[str] = []
    labels = (eps.get("metadata") or {}).get("labels") or {}
    owner = labels.get("kubernetes.io/service-name")
    if owner not in services:
        out.append(f"EndpointSlice names no Service of the render ({owner!r})")
        return out
    for endpoint in eps.get("endpoints") or []:
        for address in endpoint.get("addresses") or []:
            ip = ipaddress.ip_address(address)
            if ip.is_unspecified or ip.is_loopback or ip.is_link_local:
                out.append(f"endpoint address {address}")
            if (eps.get("addressType") == "IPv4") != (ip.version == 4):
                out.append(f"address {address} is not {eps.get('addressType')}")
    service_port_names = {p.get("name", "") for p in (services[owner].get("spec") or {}).get("ports") or []}
    for p in eps.get("ports") or []:
        if p.get("name", "") not in service_port_names:
            out.append(f"slice port name {p.get('name')!r} is not a Service port name")
    return out


def _route_host(host: Any) -> bool:
    """Ingress rule host / HTTPRoute hostname: a DNS-1123 subdomain, `*.` allowed as the first label only."""
    if not isinstance(host, str):
        return False
    rest = host[2:] if host.startswith("*.") else host
    return len(host) <= 253 and _subdomain(rest)


def _route_path(path: Any) -> bool:
    """An Exact/Prefix Ingress path (apimachinery's rules): absolute, no `//`, `/./`, `/../`, `%2f`, no dot end."""
    if not isinstance(path, str) or not path.startswith("/"):
        return False
    if any(bad in path for bad in ("//", "/./", "/../", "%2f", "%2F")) or path.endswith(("/..", "/.")):
        return False
    return re.fullmatch(r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+", path) is not None


def route_violations(obj: dict[str, Any], services: dict[str, dict[str, Any]]) -> list[str]:
    """An Ingress or HTTPRoute: valid hosts and paths, backends that are ports of an existing Service."""
    out: list[str] = []
    spec = obj.get("spec") or {}
    backends: list[tuple[Any, Any]] = []
    if obj["kind"] == "Ingress":
        for rule in spec.get("rules") or []:
            if not _route_host(rule.get("host")):
                out.append(f"Ingress host {rule.get('host')!r} is not a DNS subdomain (wildcard first label only)")
            for path in (rule.get("http") or {}).get("paths") or []:
                if path.get("pathType") in ("Prefix", "Exact") and not _route_path(path.get("path")):
                    out.append(f"Ingress path {path.get('path')!r} is not a valid absolute path")
                service = (path.get("backend") or {}).get("service") or {}
                backends.append((service.get("name"), (service.get("port") or {}).get("number")))
    else:
        for host in spec.get("hostnames") or []:
            if not _route_host(host):
                out.append(f"HTTPRoute hostname {host!r} is not a DNS subdomain (wildcard first label only)")
        for rule in spec.get("rules") or []:
            for match in rule.get("matches") or []:
                if not _route_path((match.get("path") or {}).get("value")):
                    out.append(f"HTTPRoute path {match.get('path')!r} is not a valid absolute path")
            backends += [(b.get("name"), b.get("port")) for b in rule.get("backendRefs") or []]
    for name, port in backends:
        ports = [p.get("port") for p in ((services.get(name) or {}).get("spec") or {}).get("ports") or []]
        if port not in ports:
            out.append(f"{obj['kind']} backend {name}:{port} is no port of a Service")
    return out


def render_violations(manifests: list[dict[str, Any]], node_port_range: tuple[int, int] = (30000, 32767)) -> list[str]:
    """All rule violations of one render, including cross-object rules (named target ports)."""
    out: list[str] = []
    services = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Service"}
    deployments = [m for m in manifests if m["kind"] == "Deployment"]
    owners: dict[int, str] = {}
    for m in manifests:
        if m["kind"] == "Service":
            out += service_violations(m, node_port_range)
            # A node port number is allocated once per cluster: only its own Service may reuse it (TCP + UDP).
            for p in (m.get("spec") or {}).get("ports") or []:
                owner = owners.setdefault(p.get("nodePort", -1), m["metadata"]["name"]) if "nodePort" in p else None
                if owner is not None and owner != m["metadata"]["name"]:
                    out.append(f"nodePort {p['nodePort']} already allocated to Service {owner}")
        elif m["kind"] == "Deployment":
            out += deployment_violations(m)
        elif m["kind"] == "EndpointSlice":
            out += slice_violations(m, services)
        elif m["kind"] in ("Ingress", "HTTPRoute"):
            out += route_violations(m, services)
    out += autoscaling_violations(manifests)
    for svc in services.values():
        selector = (svc.get("spec") or {}).get("selector") or {}
        for dep in deployments:
            pod = (dep.get("spec") or {}).get("template") or {}
            if selector and selector.items() <= ((pod.get("metadata") or {}).get("labels") or {}).items():
                declared = {
                    p.get("name") for c in (pod.get("spec") or {}).get("containers") or [] for p in c.get("ports") or []
                }
                for p in (svc.get("spec") or {}).get("ports") or []:
                    if isinstance(p.get("targetPort"), str) and p["targetPort"] not in declared:
                        out.append(f"named targetPort {p['targetPort']!r} is declared by no container")
    return out
