"""The storefront app: a public API, an internal cache and the payments gateway outside the cluster."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from kubexpose import ExposedDeployment, Exposure, ExternalAlias, StackProfile

ECHO = "hashicorp/http-echo:1.0"
REDIS = "redis:7.4-alpine"


def main() -> None:
    """Declare the storefront; the stack's kubexpose:* config decides how the API is exposed."""
    profile = StackProfile.from_config()
    config = pulumi.Config()
    if profile.namespace != "default":
        k8s.core.v1.Namespace(profile.namespace, metadata={"name": profile.namespace})
    payments = ExternalAlias("payments", {"target": "payments.partner.example.com", "port": 443}, profile=profile)
    cache = ExposedDeployment(
        "cache",
        {"image": REDIS, "ports": [{"port": 6379, "name": "redis"}], "writable_paths": ["/data"]},
        profile=profile,
    )
    api = ExposedDeployment(
        "shop-api",
        {
            "image": ECHO,
            "args": ["-listen=:8080", "-text=storefront"],
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "exposure": Exposure.PUBLIC,
            "replicas": config.get_int("apiReplicas") or 1,
            "env": {"CACHE_ADDR": cache.endpoint, "PAYMENTS_ADDR": payments.endpoint},
        },
        profile=profile,
    )
    pulumi.export("api_url", api.url)
    pulumi.export("api_in_cluster", api.endpoint)
