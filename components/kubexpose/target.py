"""`kubexpose:cluster`: the cluster a stack expects its default kubernetes provider to deploy to.

pulumi-kubernetes' default provider deploys to whatever its config points at: `kubernetes:context` and
`kubernetes:kubeconfig` in the stack config, else the ambient kubeconfig (`$KUBECONFIG`, else `~/.kube/config`) and
its current context, the one a `kubectl config use-context` in another terminal changed. A stack that names its
cluster here (a context name, or the API server's URL) fails the program before anything is registered when the
default provider would go elsewhere.

What can be known: the stack config's context and kubeconfig, and on the real engine the ambient kubeconfig the
provider would read (its path from `$KUBECONFIG`, in the program's environment, which is the provider's). What cannot:
a component with an explicit provider (its kubeconfig is often an Output of the resource that made the cluster: the
program chose it), a kubeconfig whose `exec` plugin picks the cluster, and a kubeconfig changed between the program's
check and the provider's connection. Under Pulumi's mocks (the render, the test kit) only the stack config is read: an
offline render deploys nothing, and a test must not depend on the machine's kubeconfig.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml

from ._sdk import under_mocks
from .errors import ConfigError


def kubernetes_provider(opts: pulumi.ResourceOptions | None) -> Any:
    """The kubernetes provider the program gave the component (its own or its parent's); None: the default one."""
    if opts is None:
        return None
    if opts.provider is not None:
        return opts.provider
    providers = opts.providers
    if isinstance(providers, Mapping) and "kubernetes" in providers:
        return providers["kubernetes"]
    if isinstance(providers, list | tuple):
        found = next((p for p in providers if getattr(p, "package", None) == "kubernetes"), None)
        if found is not None:
            return found
    parent = opts.parent
    return None if parent is None else (getattr(parent, "_providers", None) or {}).get("kubernetes")


def explicit_provider(opts: pulumi.ResourceOptions | None) -> bool:
    """The component deploys through a kubernetes provider the program gave (its own or its parent's)."""
    return kubernetes_provider(opts) is not None


def cluster_of(opts: pulumi.ResourceOptions | None) -> str:
    """The cluster a component deploys to, as claims key it: its provider's Pulumi name ("" for the default)."""
    provider = kubernetes_provider(opts)
    return "" if provider is None else str(getattr(provider, "_name", None) or id(provider))


def _kubeconfig(text: str) -> dict[str, Any] | None:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) and ("contexts" in loaded or "current-context" in loaded) else None


def _read(path: str) -> dict[str, Any] | None:
    try:
        return _kubeconfig(Path(path).expanduser().read_text())
    except OSError:
        return None


def default_target(under_mocks: bool) -> tuple[str | None, str | None, str]:
    """`(context, API server URL, where that was read)` of the default provider; a None is what is not known."""
    config = pulumi.Config("kubernetes")
    context = config.get("context")
    given = config.get("kubeconfig")
    files: list[dict[str, Any]] = []
    where = "kubernetes:context" if context else ""
    if given:
        loaded = _kubeconfig(given) or _read(given)
        files = [loaded] if loaded else []
        where = where or "kubernetes:kubeconfig"
    elif not under_mocks:
        paths = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p] or ["~/.kube/config"]
        files = [f for f in (_read(p) for p in paths) if f]
        where = where or ("$KUBECONFIG" if os.environ.get("KUBECONFIG") else "~/.kube/config")
    if context is None:
        context = next((f.get("current-context") for f in files if f.get("current-context")), None)
    contexts = {c.get("name"): c.get("context") or {} for f in files for c in reversed(f.get("contexts") or [])}
    clusters = {c.get("name"): c.get("cluster") or {} for f in files for c in reversed(f.get("clusters") or [])}
    cluster = config.get("cluster") or (contexts.get(context) or {}).get("cluster")
    server = (clusters.get(cluster) or {}).get("server")
    return context, server, where


def check_target(expected: str | None, owner: str, opts: pulumi.ResourceOptions | None) -> None:
    """Raise when `owner` has no provider of its own and the stack disables the default kubernetes provider
    (`pulumi:disable-default-providers`), or names its cluster (`kubexpose:cluster`) while the default provider would
    point elsewhere (as far as that can be known)."""
    if explicit_provider(opts):
        return
    disabled = pulumi.Config("pulumi").get_object("disable-default-providers") or []
    if "kubernetes" in disabled or "*" in disabled:
        raise ConfigError(
            f"{owner}: stack '{pulumi.get_stack()}' disables the default kubernetes provider "
            "(pulumi:disable-default-providers), and the component has no provider of its own; give it one: "
            "opts=pulumi.ResourceOptions(provider=k8s.Provider(...)) (or its parent's providers)",
            "pulumi:disable-default-providers",
        )
    if expected is None or pulumi.Config("kubernetes").get_bool("strictMode"):
        return  # not checked; or no default provider at all (pulumi-kubernetes then refuses one)
    context, server, where = default_target(under_mocks())
    by_url = expected.startswith(("https://", "http://"))
    actual = server if by_url else context
    if actual is None or actual.rstrip("/") == expected.rstrip("/"):
        return
    raise ConfigError(
        f"{owner}: stack '{pulumi.get_stack()}' expects cluster {expected!r} (kubexpose:cluster), but the default kubernetes "
        f"provider would use {'the API server' if by_url else 'context'} {actual!r} (from {where}); point it at "
        + (
            "a context of that server (`pulumi config set kubernetes:context <context>`)"
            if by_url
            else f"the expected one (`pulumi config set kubernetes:context {expected}`)"
        )
        + ", or give the component an explicit provider",
        "kubexpose:cluster",
    )
