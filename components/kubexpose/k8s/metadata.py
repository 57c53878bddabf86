"""Object metadata shared by every object kubexpose creates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pulumi_kubernetes.meta.v1 import ObjectMetaArgsDict

NAME_LABEL = "app.kubernetes.io/name"
RUN_OF_LABEL = "kubexpose.dev/run-of"
"""On the Pods of an app's migration and jobs, naming the app: the NetworkPolicy of an app that admits it as a caller
admits them too (they run the app's code, with its env, against the same callees)."""
"""The label every object and Pod of a component carries; the selectors use it alone."""


def object_metadata(
    name: str, namespace: Any, labels: Mapping[str, Any], annotations: Mapping[str, Any] | None = None
) -> ObjectMetaArgsDict:
    """An explicit name (a Service's is its DNS name), the namespace, labels; annotations only when there are some."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": dict(labels)}
    if annotations:
        meta["annotations"] = dict(annotations)
    return cast(ObjectMetaArgsDict, meta)
