"""Online Boutique (GoogleCloudPlatform/microservices-demo, release v0.10.6) written with kubexpose.

Eleven services and a load generator. Each service is an ExposedDeployment: its Service keeps upstream's name, port
and port name, so every `*_ADDR` value works unchanged, and the same values say who calls whom: each service admits
exactly the apps whose env names it (`allowed_callers`). The frontend is the one public app (the stack's public type:
NodePort on a laptop, LoadBalancer in the cloud), the load generator a Worker (no Service). `tests/test_online_boutique.py`
compares the render with upstream's manifests and lists every difference and why (DIFFERENCES.md).
"""

from __future__ import annotations

import re
from typing import Any

import pulumi

from kubexpose import ExposedDeployment, StackProfile, Worker

REGISTRY = "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo"
VERSION = "v0.10.6"
UPSTREAM_POD = {"run_as_user": 1000, "run_as_group": 1000, "fs_group": 1000}
"""Upstream's Pod security context (kubexpose's defaults add runAsNonRoot and the RuntimeDefault seccomp profile)."""


def grpc(port: int, **timing: int) -> dict[str, Any]:
    """A gRPC health probe on `port` (upstream's readiness and liveness probes)."""
    return {"grpc": {"port": port}, **timing}


def healthz(cookie: str) -> dict[str, Any]:
    return {
        "http_get": {
            "path": "/_healthz",
            "port": 8080,
            "http_headers": [{"name": "Cookie", "value": f"shop_session-id=x-{cookie}-probe"}],
        },
        "initial_delay_seconds": 10,
    }


SERVICES: dict[str, dict[str, Any]] = {
    "frontend": {
        "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
        "exposure": "public",
        "env": {
            "PORT": "8080",
            "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550",
            "CURRENCY_SERVICE_ADDR": "currencyservice:7000",
            "CART_SERVICE_ADDR": "cartservice:7070",
            "RECOMMENDATION_SERVICE_ADDR": "recommendationservice:8080",
            "SHIPPING_SERVICE_ADDR": "shippingservice:50051",
            "CHECKOUT_SERVICE_ADDR": "checkoutservice:5050",
            "AD_SERVICE_ADDR": "adservice:9555",
            "SHOPPING_ASSISTANT_SERVICE_ADDR": "shoppingassistantservice:80",
            "ENABLE_PROFILER": "0",
        },
        "readiness_probe": healthz("readiness"),
        "liveness_probe": healthz("liveness"),
        "pod_annotations": {"sidecar.istio.io/rewriteAppHTTPProbers": "true"},
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}},
    },
    "adservice": {
        "ports": [{"port": 9555, "name": "grpc"}],
        "env": {"PORT": "9555"},
        "probe": grpc(9555, initial_delay_seconds=20, period_seconds=15),
        "resources": {"requests": {"cpu": "200m", "memory": "180Mi"}, "limits": {"cpu": "300m", "memory": "300Mi"}},
        "grace": 5,
    },
    "currencyservice": {
        "ports": [{"port": 7000, "name": "grpc"}],
        "env": {"PORT": "7000", "DISABLE_PROFILER": "1"},
        "probe": grpc(7000),
        "grace": 5,
    },
    "cartservice": {
        "ports": [{"port": 7070, "name": "grpc"}],
        "env": {"REDIS_ADDR": "redis-cart:6379"},
        "readiness_probe": grpc(7070, initial_delay_seconds=15),
        "liveness_probe": grpc(7070, initial_delay_seconds=15, period_seconds=10),
        "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}, "limits": {"cpu": "300m", "memory": "128Mi"}},
        "grace": 5,
    },
    "recommendationservice": {
        "ports": [{"port": 8080, "name": "grpc"}],
        "env": {"PORT": "8080", "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550", "DISABLE_PROFILER": "1"},
        "probe": grpc(8080, period_seconds=5),
        "resources": {"requests": {"cpu": "100m", "memory": "220Mi"}, "limits": {"cpu": "200m", "memory": "450Mi"}},
        "grace": 5,
    },
    "checkoutservice": {
        "ports": [{"port": 5050, "name": "grpc"}],
        "env": {
            "PORT": "5050",
            "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550",
            "SHIPPING_SERVICE_ADDR": "shippingservice:50051",
            "PAYMENT_SERVICE_ADDR": "paymentservice:50051",
            "EMAIL_SERVICE_ADDR": "emailservice:5000",
            "CURRENCY_SERVICE_ADDR": "currencyservice:7000",
            "CART_SERVICE_ADDR": "cartservice:7070",
        },
        "probe": grpc(5050),
    },
    "emailservice": {
        "ports": [{"port": 5000, "target_port": 8080, "name": "grpc"}],
        "env": {"PORT": "8080", "DISABLE_PROFILER": "1"},
        "probe": grpc(8080, period_seconds=5),
        "grace": 5,
    },
    "paymentservice": {
        "ports": [{"port": 50051, "name": "grpc"}],
        "env": {"PORT": "50051", "DISABLE_PROFILER": "1"},
        "probe": grpc(50051),
        "grace": 5,
    },
    "shippingservice": {
        "ports": [{"port": 50051, "name": "grpc"}],
        "env": {"PORT": "50051", "DISABLE_PROFILER": "1"},
        "readiness_probe": grpc(50051, period_seconds=5),
        "liveness_probe": grpc(50051),
    },
    "productcatalogservice": {
        "ports": [{"port": 3550, "name": "grpc"}],
        "env": {"PORT": "3550", "DISABLE_PROFILER": "1"},
        "probe": grpc(3550),
        "grace": 5,
    },
    "redis-cart": {
        "image": "redis:alpine",
        "ports": [{"port": 6379, "name": "tcp-redis"}],
        "readiness_probe": {"tcp_socket": {"port": 6379}, "period_seconds": 5},
        "liveness_probe": {"tcp_socket": {"port": 6379}, "period_seconds": 5},
        "writable_paths": ["/data"],  # upstream's emptyDir redis-data (cart data lives as long as the Pod)
        "resources": {"requests": {"cpu": "70m", "memory": "200Mi"}, "limits": {"cpu": "125m", "memory": "256Mi"}},
    },
}
"""Each service as upstream ships it: its Service port(s), env, probes, resources and grace period (seconds)."""

DEFAULT_RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}

FRONTEND_CHECK = """MAX_RETRIES=12
RETRY_INTERVAL=10
for i in $(seq 1 $MAX_RETRIES); do
  echo "Attempt $i: Pinging frontend: ${FRONTEND_ADDR}..."
  STATUSCODE=$(wget --server-response http://${FRONTEND_ADDR} 2>&1 | awk '/^  HTTP/{print $2}')
  if [ $STATUSCODE -eq 200 ]; then
      echo "Frontend is reachable."
      exit 0
  fi
  echo "Error: Could not reach frontend - Status code: ${STATUSCODE}"
  sleep $RETRY_INTERVAL
done
echo "Failed to reach frontend after $MAX_RETRIES attempts."
exit 1
"""
"""Upstream's init container script: the load generator starts once the frontend answers."""

_ADDR = re.compile(r"^([a-z0-9-]+):\d+$")


def callers() -> dict[str, list[str]]:
    """Who calls whom, from the `*_ADDR` values (the load generator calls the frontend): callee -> callers."""
    out: dict[str, list[str]] = {}
    for caller, spec in [*SERVICES.items(), ("loadgenerator", {"env": {"FRONTEND_ADDR": "frontend:80"}})]:
        for name, value in spec.get("env", {}).items():
            match = _ADDR.match(value) if name.endswith("_ADDR") else None
            if match and match.group(1) in SERVICES:
                out.setdefault(match.group(1), []).append(caller)
    return {callee: sorted(set(names)) for callee, names in out.items()}


def service_args(name: str, spec: dict[str, Any], called_by: list[str]) -> dict[str, Any]:
    """One service's kubexpose arguments."""
    args: dict[str, Any] = {
        "image": spec.get("image", f"{REGISTRY}/{name}:{VERSION}"),
        "ports": spec["ports"],
        "env": spec.get("env", {}),
        "resources": spec.get("resources", DEFAULT_RESOURCES),
        "pod_security_context": UPSTREAM_POD,
        "readiness_probe": spec.get("readiness_probe", spec.get("probe")),
        "liveness_probe": spec.get("liveness_probe", spec.get("probe")),
    }
    for key in ("exposure", "writable_paths", "pod_annotations"):
        if key in spec:
            args[key] = spec[key]
    if "grace" in spec:  # upstream stops these at once: no drain, 5 s in all
        args["termination_grace_period_seconds"] = spec["grace"]
        args["drain_seconds"] = 0
    if spec.get("exposure") != "public":
        args["allowed_callers"] = called_by
    return args


def main(profile: StackProfile | None = None) -> dict[str, ExposedDeployment | Worker]:
    """Declare the shop; returns its apps by name."""
    profile = profile or StackProfile.from_config()
    graph = callers()
    apps: dict[str, ExposedDeployment | Worker] = {
        name: ExposedDeployment(name, service_args(name, spec, graph.get(name, [])), profile=profile)
        for name, spec in SERVICES.items()
    }
    apps["loadgenerator"] = Worker(
        "loadgenerator",
        {
            "image": f"{REGISTRY}/loadgenerator:{VERSION}",
            "env": {"FRONTEND_ADDR": "frontend:80", "USERS": "10", "RATE": "1"},
            "init_containers": [
                {
                    "name": "frontend-check",
                    "image": "busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d",
                    "command": ["/bin/sh", "-exc", FRONTEND_CHECK],
                    "env": {"FRONTEND_ADDR": "frontend:80"},
                }
            ],
            "resources": {"requests": {"cpu": "300m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
            "pod_security_context": UPSTREAM_POD,
            "pod_annotations": {"sidecar.istio.io/rewriteAppHTTPProbers": "true"},
            "termination_grace_period_seconds": 5,
            "drain_seconds": 0,
        },
        profile=profile,
    )
    pulumi.export("frontend", apps["frontend"].url)
    pulumi.export("frontendInCluster", apps["frontend"].endpoint)
    return apps
