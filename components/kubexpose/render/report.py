"""What a render prints and writes beside the manifests: a summary table and a Mermaid topology."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .findings import match_labels, namespace_of
from .manifests import SecretToCreate

SECRETS_FILE = "secrets-to-create.txt"
"""The render's list of Secrets to create by hand (not .yaml, so `kubectl apply -f DIR` skips it)."""


def _services(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objs if o.get("kind") == "Service"]


def _ports_text(spec: dict[str, Any]) -> str:
    out = []
    for p in spec.get("ports") or []:
        text = f"{p['port']}/{p.get('protocol', 'TCP')}"
        if p.get("targetPort") not in (None, p["port"]):
            text += f"->{p['targetPort']}"
        if "nodePort" in p:
            text += f" (node {p['nodePort']})"
        out.append(text)
    return ", ".join(out) or "-"


def routes(objs: list[dict[str, Any]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """`(namespace, Service) -> [(router, "host/path")]` from the Ingresses and HTTPRoutes of a render."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for o in objs:
        meta, spec = o.get("metadata") or {}, o.get("spec") or {}
        namespace = str(meta.get("namespace") or "default")
        if o.get("kind") == "Ingress":
            tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
            router = f"Ingress {spec.get('ingressClassName', '')}".rstrip()
            for rule in spec.get("rules") or []:
                host = rule.get("host", "*")
                scheme = "https" if host in tls_hosts else "http"
                for path in (rule.get("http") or {}).get("paths") or []:
                    service = ((path.get("backend") or {}).get("service") or {}).get("name")
                    where = f"{scheme}://{host}{path.get('path', '/')}"
                    out.setdefault((namespace, str(service)), []).append((router, where))
        elif o.get("kind") == "HTTPRoute":
            parents = spec.get("parentRefs") or []
            router = ", ".join(
                f"Gateway {p.get('namespace', namespace)}/{p.get('name')}"
                + (f" ({p['sectionName']})" if p.get("sectionName") else "")
                for p in parents
            )
            for rule in spec.get("rules") or []:
                prefixes = [((m.get("path") or {}).get("value") or "/") for m in rule.get("matches") or [{}]]
                for backend in rule.get("backendRefs") or []:
                    for host in spec.get("hostnames") or ["*"]:
                        for prefix in prefixes:
                            out.setdefault((namespace, str(backend.get("name"))), []).append(
                                (router, f"{host}{prefix}")
                            )
    return out


def _reached(
    obj: dict[str, Any],
    slices: dict[str, list[str]],
    node_address: str | None,
    routed: dict[tuple[str, str], list[tuple[str, str]]] | None = None,
) -> str:
    spec = obj.get("spec") or {}
    meta = obj.get("metadata") or {}
    via = (routed or {}).get((str(meta.get("namespace") or "default"), str(meta.get("name")))) or []
    ways = [f"{where} via {router}" for router, where in via]  # every way in: each route, then the Service's own
    kind = spec.get("type", "ClusterIP")
    ports = spec.get("ports") or []
    if kind == "ExternalName":
        return f"alias of {spec.get('externalName')}"
    if kind == "NodePort":
        fixed = [str(p["nodePort"]) for p in ports if "nodePort" in p]
        where = ", ".join(f"{node_address or '<node>'}:{n}" for n in fixed) if fixed else "an allocated node port"
        ways.append(f"every node at {where}")
    if kind == "LoadBalancer":
        ways.append(_load_balancer(spec))
    if ways:
        return "; ".join(ways)
    name = (obj.get("metadata") or {}).get("name", "")
    if name in slices:
        return f"in-cluster only; alias of {', '.join(slices[name])}"
    if spec.get("clusterIP") == "None":
        return "in-cluster only (headless: DNS lists Pod IPs)"
    return "in-cluster only"


def _load_balancer(spec: dict[str, Any]) -> str:
    ranges = spec.get("loadBalancerSourceRanges")
    return "cloud load balancer" + (f" from {', '.join(ranges)}" if ranges else " (open to all)")


def _alias_ips(objs: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in objs:
        if o.get("kind") == "EndpointSlice":
            service = ((o.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name")
            if service:
                out.setdefault(service, []).extend(
                    a for e in o.get("endpoints") or [] for a in e.get("addresses") or []
                )
    return out


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def _scalers(objs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """HorizontalPodAutoscalers by the namespace and name of the Deployment they scale."""
    return {
        (
            str((o.get("metadata") or {}).get("namespace") or "default"),
            str(((o.get("spec") or {}).get("scaleTargetRef") or {}).get("name")),
        ): o.get("spec") or {}
        for o in objs
        if o.get("kind") == "HorizontalPodAutoscaler"
    }


BudgetIndex = dict[tuple[str, str, Any], list[dict[str, Any]]]


def _budgets(objs: list[dict[str, Any]]) -> BudgetIndex:
    """PodDisruptionBudgets by namespace and the first label of their selector (a Deployment's Pods must carry it)."""
    out: BudgetIndex = {}
    for o in objs:
        selector = match_labels(o)
        if o.get("kind") == "PodDisruptionBudget" and selector:
            first = min(selector.items())
            out.setdefault((str((o.get("metadata") or {}).get("namespace") or "default"), *first), []).append(o)
    return out


def _budget_of(deployment: dict[str, Any], budgets: BudgetIndex) -> dict[str, Any] | None:
    """The spec of the PodDisruptionBudget that selects `deployment`'s Pods (its matchLabels are among the Pod
    template's labels, as the disruption controller matches them), the one of the Deployment's name first: a
    budget selecting by an adopted selector (`app: cache`) belongs to its Deployment as one by kubexpose's label."""
    meta = deployment.get("metadata") or {}
    namespace, labels = str(meta.get("namespace") or "default"), _pod_labels(deployment)
    matching = [
        b
        for k, v in labels.items()
        for b in budgets.get((namespace, k, v), [])
        if all(labels.get(bk) == bv for bk, bv in match_labels(b).items())
    ]
    matching.sort(key=lambda b: (b.get("metadata") or {}).get("name") != meta.get("name"))
    return (matching[0].get("spec") or {}) if matching else None


WORKLOADS = ("Deployment", "StatefulSet")
"""The kinds whose Pods the summary and the topology show."""


def workloads(objs: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    """`(namespace, Deployment or StatefulSet) -> (replicas, disruption budget, spread, service account)`, as the
    summary shows them."""
    budgets, scalers = _budgets(objs), _scalers(objs)
    out = {}
    for d in objs:
        if d.get("kind") not in WORKLOADS:
            continue
        meta, spec = d.get("metadata") or {}, d.get("spec") or {}
        key = (str(meta.get("namespace") or "default"), str(meta.get("name")))
        pod = (spec.get("template") or {}).get("spec") or {}
        scaler = scalers.get(key)
        if scaler is not None:
            targets = ", ".join(
                f"{(m.get('resource') or {}).get('name')} {((m.get('resource') or {}).get('target') or {}).get('averageUtilization')}%"
                for m in scaler.get("metrics") or []
            )
            replicas = f"{scaler.get('minReplicas', 1)}-{scaler.get('maxReplicas')} (HPA {targets})"
        else:
            replicas = str(spec.get("replicas", 1))
        budget = _budget_of(d, budgets)
        shown = "-"
        if budget is not None:
            shown = (
                f"minAvailable {budget['minAvailable']}"
                if "minAvailable" in budget
                else f"maxUnavailable {budget.get('maxUnavailable')}"
            )
        spread = ", ".join(
            str(c.get("topologyKey", "")).rsplit("/", 1)[-1] for c in pod.get("topologySpreadConstraints") or []
        )
        out[key] = (replicas, shown, spread or "-", str(pod.get("serviceAccountName") or "default"))
    return out


def summary(objs: list[dict[str, Any]], node_address: str | None = None) -> str:
    """A table: every Service with its type, ports, in-cluster DNS name and how it is reached from outside."""
    slices = _alias_ips(objs)
    routed = routes(objs)
    rows = [("SERVICE", "TYPE", "PORTS", "IN-CLUSTER DNS", "FROM OUTSIDE")]
    for o in _services(objs):
        meta, spec = o.get("metadata") or {}, o.get("spec") or {}
        namespace = meta.get("namespace") or "default"
        rows.append(
            (
                str(meta.get("name")),
                str(spec.get("type", "ClusterIP")) + (" (headless)" if spec.get("clusterIP") == "None" else ""),
                _ports_text(spec),
                f"{meta.get('name')}.{namespace}.svc.cluster.local",
                _reached(o, slices, node_address, routed),
            )
        )
    apps = [("DEPLOYMENT", "REPLICAS", "DISRUPTION BUDGET", "SPREAD", "SERVICE ACCOUNT")]
    stateful = {
        (namespace_of(o), str((o.get("metadata") or {}).get("name"))) for o in objs if o.get("kind") == "StatefulSet"
    }
    apps += [
        (f"{name} (StatefulSet)" if key in stateful else name, *row)
        for key, row in sorted(workloads(objs).items(), key=lambda kv: kv[0][1])
        for name in [key[1]]
    ]
    text = _table(rows)
    return text + ("\n" + _table(apps) if len(apps) > 1 else "")


def secrets_summary(secrets: list[SecretToCreate]) -> str:
    """The summary's section on the Secrets the render left out (empty when there are none)."""
    if not secrets:
        return ""
    lines = [
        "",
        f"SECRETS NOT WRITTEN: create them before `kubectl apply -f` (commands in {SECRETS_FILE}; "
        "pulumi up creates them itself)",
    ]
    lines += [f"  {s.namespace}/{s.name}: {', '.join(s.keys)}" for s in secrets]
    return "\n".join(lines) + "\n"


def namespaces_summary(objs: list[dict[str, Any]], secrets: Sequence[SecretToCreate] = ()) -> str:
    """The summary's section on the namespaces the program writes into but does not create (`default` exists in
    every cluster): `pulumi up` fails there with `namespaces "..." not found` unless someone made them first."""
    created = {str((o.get("metadata") or {}).get("name")) for o in objs if o.get("kind") == "Namespace"}
    used = {namespace_of(o) for o in objs} | {s.namespace for s in secrets}
    missing = sorted(used - created - {"", "default"})
    if not missing:
        return ""
    return (
        "\nNAMESPACES NOT CREATED HERE: create them before `pulumi up` (kubectl create namespace NAME), or declare "
        "a k8s.core.v1.Namespace in the program\n" + "".join(f"  {n}\n" for n in missing)
    )


def not_checked_summary(warnings: list[str]) -> str:
    """The summary's section on the checks the render could not run (empty when every check ran)."""
    prefix = "not checked: "
    skipped = sorted({w[len(prefix) :] for w in warnings if w.startswith(prefix)})
    if not skipped:
        return ""
    return "\n".join(["", "NOT CHECKED (the values are not known offline)", *[f"  {w}" for w in skipped]]) + "\n"


def secrets_script(secrets: list[SecretToCreate]) -> str:
    """The `kubectl create secret` command of every Secret left out, values to fill in."""
    head = (
        "# Secrets this render did not write (their values never leave Pulumi's state).\n"
        "# Create each before `kubectl apply -f` of this folder, with the real values in place of <KEY>.\n"
        "# `pulumi up` creates them itself.\n"
    )
    return head + "".join(f"\n{s.command()}\n" for s in secrets)


def _node_id(prefix: str, obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{meta.get('namespace') or 'default'}_{meta.get('name')}")


_CALLED_HOST = re.compile(r"(?:^|[/@])([a-z0-9-]+)(?:\.[a-z0-9.-]+)?(?=:\d|/|$)")


def _pod_labels(deployment: dict[str, Any]) -> dict[str, Any]:
    return (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def _called_names(deployment: dict[str, Any]) -> set[str]:
    """Service names a Deployment's env values call as `name:port`, `//name` or `name.<ns>.svc...`."""
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    values = [e.get("value") for c in containers for e in c.get("env") or []]
    return {name for v in values if isinstance(v, str) for name in _CALLED_HOST.findall(v)}


def topology(stack: str, objs: list[dict[str, Any]]) -> str:
    """A Mermaid flowchart: external callers -> public Services -> Deployments; aliases -> external hosts."""
    services, deployments = _services(objs), [o for o in objs if o.get("kind") in WORKLOADS]
    slices = _alias_ips(objs)
    routed = routes(objs)
    routers: dict[str, str] = {}
    lines = ["flowchart LR", '  callers(("external callers"))']
    by_ns: dict[str, list[str]] = {}
    edges: list[str] = []
    # Indexes keep this linear in the number of objects: (namespace, label, value) -> Deployments, name -> callers.
    by_label: dict[tuple[str, str, Any], set[int]] = {}
    callers: dict[str, set[int]] = {}
    shapes = workloads(objs)
    for i, d in enumerate(deployments):
        meta, spec = d.get("metadata") or {}, d.get("spec") or {}
        replicas, budget, _, _ = shapes[(str(meta.get("namespace") or "default"), str(meta.get("name")))]
        label = f"{d.get('kind')} {meta.get('name')}<br/>{replicas} replica(s)"
        if budget != "-":
            label += f"<br/>PDB {budget}"
        by_ns.setdefault(meta.get("namespace") or "default", []).append(f'    {_node_id("d", d)}["{label}"]')
        for key, value in _pod_labels(d).items():
            by_label.setdefault((str(meta.get("namespace")), key, value), set()).add(i)
        for name in _called_names(d):
            callers.setdefault(name, set()).add(i)
    for s in services:
        meta, spec = s.get("metadata") or {}, s.get("spec") or {}
        kind = spec.get("type", "ClusterIP")
        ports = ", ".join(str(p["port"]) for p in spec.get("ports") or [])
        sid = _node_id("s", s)
        by_ns.setdefault(meta.get("namespace") or "default", []).append(
            f'    {sid}{{{{"Service {meta.get("name")}<br/>{kind} :{ports or "-"}"}}}}'
        )
        if kind in ("NodePort", "LoadBalancer"):  # with the fixed node ports or the source ranges it admits
            fixed = [str(p["nodePort"]) for p in spec.get("ports") or [] if "nodePort" in p]
            ranges = spec.get("loadBalancerSourceRanges") or []
            extra = " " + ", ".join(fixed) if kind == "NodePort" and fixed else ""
            extra = " from " + ", ".join(ranges) if kind == "LoadBalancer" and ranges else extra
            edges.append(f'  callers -->|"{kind}{extra}"| {sid}' if extra else f"  callers -->|{kind}| {sid}")
        for router, where in routed.get((str(meta.get("namespace") or "default"), str(meta.get("name"))), []):
            rid = routers.setdefault(router, re.sub(r"[^A-Za-z0-9_]", "_", f"router_{router}"))
            edges.append(f'  {rid} -->|"{where}"| {sid}')
        selector = spec.get("selector") or {}
        selected: set[int] = set()
        if selector:
            groups = [by_label.get((str(meta.get("namespace")), k, v), set()) for k, v in selector.items()]
            selected = set.intersection(*groups)
        calling = callers.get(str(meta.get("name")), set())
        for i in sorted(selected | calling):
            if i in selected:
                edges.append(f"  {sid} --> {_node_id('d', deployments[i])}")
            if i in calling:
                edges.append(f"  {_node_id('d', deployments[i])} -.->|calls| {sid}")
        external = [spec["externalName"]] if kind == "ExternalName" else slices.get(str(meta.get("name")), [])
        for host in external:
            hid = re.sub(r"[^A-Za-z0-9_]", "_", f"ext_{host}")
            lines.append(f'  {hid}[("{host}")]')
            edges.append(f"  {sid} -->|alias| {hid}")
    for router, rid in sorted(routers.items()):
        lines.append(f'  {rid}(["{router}"])')
        edges.insert(0, f"  callers --> {rid}")
    for namespace, members in sorted(by_ns.items()):
        lines.append(f'  subgraph ns_{re.sub(r"[^A-Za-z0-9_]", "_", namespace)}["namespace {namespace}"]')
        lines.extend(members)
        lines.append("  end")
    lines.extend(edges)
    body = "\n".join(lines)
    return f"# Topology of stack `{stack}`\n\n```mermaid\n{body}\n```\n"
