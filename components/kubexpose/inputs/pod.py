"""Input types of what runs in a Pod: the container's resources, probes, security contexts, mounts, env sources and
ports."""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi


class ResourcesArgs(TypedDict):
    """CPU and memory for the container, as Kubernetes quantities."""

    requests: NotRequired[Mapping[str, str]]
    """What the scheduler reserves, e.g. `{"cpu": "100m", "memory": "128Mi"}`. Default: 50m CPU, 64Mi."""
    limits: NotRequired[Mapping[str, str]]
    """The most the container may use, e.g. `{"cpu": "1", "memory": "256Mi"}`. Default: 500m CPU, 256Mi."""


class HttpHeaderArgs(TypedDict):
    """A header an HTTP probe sends."""

    name: str
    """Header name, e.g. `Host` or `X-Probe`. Required."""
    value: str
    """Header value. Required."""


class HttpGetArgs(TypedDict):
    """An HTTP GET probe: success is a status from 200 to 399."""

    port: int
    """Container port number to call. Required."""
    path: NotRequired[str]
    """Path to request, e.g. `/healthz`. Default: `/`."""
    scheme: NotRequired[str]
    """`HTTP` or `HTTPS`. Default: `HTTP`."""
    http_headers: NotRequired[Sequence[HttpHeaderArgs]]
    """Headers to send with the request (e.g. a `Host` for a virtual host). Default: none."""


class GrpcArgs(TypedDict):
    """A gRPC probe: success is `SERVING` from the standard gRPC health service (`grpc.health.v1.Health/Check`)."""

    port: int
    """Container port number of the gRPC server. Required."""
    service: NotRequired[str]
    """Service name sent in the health check request. Default: empty (the server's overall health)."""


class TcpSocketArgs(TypedDict):
    """A TCP probe: success is an accepted connection."""

    port: int
    """Container port number to connect to. Required."""


class ExecArgs(TypedDict):
    """A command probe: success is exit status 0."""

    command: Sequence[str]
    """The command and its arguments, run in the container (no shell). Required."""


class ProbeArgs(TypedDict):
    """A readiness or liveness probe: exactly one of `http_get`, `tcp_socket`, `exec`, `grpc`, or `disabled`."""

    http_get: NotRequired[HttpGetArgs]
    """Probe with an HTTP GET."""
    tcp_socket: NotRequired[TcpSocketArgs]
    """Probe by opening a TCP connection."""
    exec: NotRequired[ExecArgs]
    """Probe by running a command."""
    grpc: NotRequired[GrpcArgs]
    """Probe with the gRPC health checking protocol."""
    initial_delay_seconds: NotRequired[int]
    """Seconds after the container starts before the first probe. Default: 0."""
    period_seconds: NotRequired[int]
    """Seconds between probes. Default: 10."""
    timeout_seconds: NotRequired[int]
    """Seconds before a probe times out. Default: 1."""
    success_threshold: NotRequired[int]
    """Successes in a row that count as healthy again (1 for liveness). Default: 1."""
    failure_threshold: NotRequired[int]
    """Failures in a row that count as unhealthy. Default: 3."""
    disabled: NotRequired[bool]
    """`true`: no probe at all, not even the default (Python may also pass None). Default: false."""


class CapabilitiesArgs(TypedDict):
    """Linux capabilities to add to or drop from the container."""

    add: NotRequired[Sequence[str]]
    """Capabilities to add, e.g. `["NET_BIND_SERVICE"]`. Default: none."""
    drop: NotRequired[Sequence[str]]
    """Capabilities to drop. Default: `["ALL"]`."""


class SecurityContextArgs(TypedDict):
    """Container security-context fields, merged over the secure defaults."""

    allow_privilege_escalation: NotRequired[bool]
    """Let a process gain more privileges than its parent. Default: false."""
    privileged: NotRequired[bool]
    """Run the container privileged. Default: false."""
    read_only_root_filesystem: NotRequired[bool]
    """Mount the root filesystem read-only (`writable_paths` become emptyDirs). Default: true."""
    run_as_non_root: NotRequired[bool]
    """Refuse to start as UID 0. Default: true."""
    run_as_user: NotRequired[int]
    """UID of the container's processes. Default: the Pod's (10001)."""
    run_as_group: NotRequired[int]
    """GID of the container's processes. Default: the Pod's (10001)."""
    capabilities: NotRequired[CapabilitiesArgs]
    """Capabilities to add or drop. Default: drop ALL."""


class SeccompProfileArgs(TypedDict):
    """The seccomp profile of the Pod's containers."""

    type: str
    """`RuntimeDefault`, `Localhost` or `Unconfined`. Required."""
    localhost_profile: NotRequired[str]
    """Profile file on the node, for `Localhost`. Default: none."""


class PodSecurityContextArgs(TypedDict):
    """Pod security-context fields, merged over the secure defaults."""

    run_as_non_root: NotRequired[bool]
    """Refuse to start containers as UID 0. Default: true."""
    run_as_user: NotRequired[int]
    """UID of every container's processes. Default: 10001."""
    run_as_group: NotRequired[int]
    """GID of every container's processes. Default: 10001."""
    fs_group: NotRequired[int]
    """Group that owns mounted volumes. Default: 10001."""
    supplemental_groups: NotRequired[Sequence[int]]
    """Extra groups of every container's processes. Default: none."""
    seccomp_profile: NotRequired[SeccompProfileArgs]
    """Seccomp profile. Default: `RuntimeDefault`."""


class MountArgs(TypedDict):
    """An existing ConfigMap or Secret (read-only) or PersistentVolumeClaim mounted into the container (exactly one of
    `config_map`, `secret`, `claim`). The same source may be mounted at several paths."""

    config_map: NotRequired[str]
    """Name of an existing ConfigMap in the namespace."""
    secret: NotRequired[str]
    """Name of an existing Secret in the namespace."""
    claim: NotRequired[str]
    """Name of an existing PersistentVolumeClaim in the namespace (data the app shares with others or keeps beyond
    its life). Writable unless `read_only`; a writable claim that is not `shared` needs one Pod and the `Recreate`
    rollout (a ReadWriteOnce claim attaches to one node: a second Pod, or a rolling update's new Pod, may wait for it
    forever)."""
    path: str
    """Absolute directory the keys (or the claim's files) appear in, e.g. `/etc/app`; with `sub_path`, the file or
    directory the one entry appears as. No other mount or writable path inside or above it. Required."""
    items: NotRequired[Mapping[str, str]]
    """Only these keys, each at a relative path under `path` (`{"app.yaml": "app.yaml"}`). Default: every key."""
    sub_path: NotRequired[str]
    """One key of the ConfigMap or Secret (or one relative path of the claim) mounted at `path` itself, e.g. a single
    file `/etc/nginx/nginx.conf` beside the image's own files. Such a file does not follow a change of its source until
    the Pod restarts. Default: the whole source."""
    default_mode: NotRequired[int]
    """Permission bits of the ConfigMap's or Secret's files, 0 to 511 (0o777; e.g. 0o440 = 288). Default: Kubernetes'
    (0o644)."""
    optional: NotRequired[bool]
    """Start the Pods even when the ConfigMap or Secret does not exist (the path is then empty). Default: false."""
    read_only: NotRequired[bool]
    """Mount the claim read-only. Default: false for a claim (ConfigMaps and Secrets are always read-only)."""
    shared: NotRequired[bool]
    """The claim is ReadWriteMany (e.g. NFS): Pods on several nodes may write it at once, so a writable mount takes
    several replicas and rolling updates. Default: false."""


class EnvRefArgs(TypedDict):
    """Where an environment variable's value comes from: a key of a Secret or ConfigMap, or a Pod field."""

    secret: NotRequired[str]
    """Name of an existing Secret in the namespace (with `key`)."""
    config_map: NotRequired[str]
    """Name of an existing ConfigMap in the namespace (with `key`)."""
    key: NotRequired[str]
    """The key inside the Secret or ConfigMap."""
    field: NotRequired[str]
    """A Pod field from the downward API, e.g. `status.podIP` or `metadata.name`."""


class ContainerPortArgs(TypedDict):
    """A port the container declares (needed for a named `target_port`)."""

    container_port: int
    """Port number inside the container. Required."""
    name: NotRequired[str]
    """IANA service name (at most 15 of `[-a-z0-9]`). Default: none."""
    protocol: NotRequired[str]
    """`TCP`, `UDP` or `SCTP`. Default: `TCP`."""


class ContainerArgs(TypedDict):
    """A container beside the app's: an init step, or a sidecar. It starts from the same secure and resource defaults
    as the app's container."""

    name: str
    """The container's name (a DNS label, unique in the Pod). Required."""
    image: pulumi.Input[str]
    """Container image, with a fixed tag or digest. Required."""
    image_pull_policy: NotRequired[str]
    """`Always`, `IfNotPresent` or `Never`. Default: `Always`."""
    command: NotRequired[Sequence[str]]
    """Entrypoint override. Default: the image's."""
    args: NotRequired[Sequence[str]]
    """Arguments. Default: the image's."""
    env: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Environment variables; a secret value goes into the app's Secret `<app>-env` (key `<container>.<NAME>`) and
    reaches the container through `secretKeyRef`. Default: none."""
    env_refs: NotRequired[Mapping[str, EnvRefArgs]]
    """Variables read from a Secret, a ConfigMap or the Pod, as the app's `env_refs`. Default: none."""
    container_ports: NotRequired[Sequence[ContainerPortArgs]]
    """Ports the container declares (a sidecar's are never Service ports). Default: none."""
    resources: NotRequired[ResourcesArgs]
    """Requests and limits. Default: requests 50m CPU/64Mi, limits 500m CPU/256Mi."""
    security_context: NotRequired[SecurityContextArgs]
    """Security-context fields over the secure defaults, as the app's."""
    writable_paths: NotRequired[Sequence[str]]
    """Absolute paths mounted as writable `emptyDir`s; a path the app (or another container) also lists is the same
    volume, shared (e.g. a log folder a sidecar ships). Default: none."""
    readiness_probe: NotRequired[ProbeArgs | None]
    """A sidecar's readiness probe (an init step takes none). Default: none."""
    liveness_probe: NotRequired[ProbeArgs | None]
    """A sidecar's liveness probe. Default: none."""
    startup_probe: NotRequired[ProbeArgs | None]
    """A sidecar's startup probe: the containers after it start once it succeeds. Default: none."""
