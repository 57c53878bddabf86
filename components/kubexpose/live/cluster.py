"""A real Kubernetes control plane on loopback, for end-to-end tests of Pulumi programs.

:class:`ControlPlane` starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
in a temporary folder, every one bound to 127.0.0.1, and writes a kubeconfig for a user in
``system:masters``. kwok plays the kubelets: fake nodes that run no containers but give scheduled
Pods an IP and report them Running and Ready, so Deployments really roll out, EndpointSlices fill
and pulumi-kubernetes' await logic runs as it does against a production cluster. No image is ever
pulled and nothing leaves the machine.

Storage works as on kind: the default StorageClass ``standard`` is served by a small loop that plays a local-path
provisioner, making a ``hostPath`` PersistentVolume (under the plane's folder; kwok never writes to it) for each
claim of that class and deleting it once its claim is gone, so StatefulSets with volume claim templates come up.

Optionally (``load_balancers=True``) a small loop plays a cloud's load-balancer controller and an
Ingress controller: it writes an address from 198.18.0.0/24 (a range reserved for benchmarks, never
routed) into ``status.loadBalancer`` of every LoadBalancer Service and Ingress, as
cloud-provider-kind or MetalLB would, so stacks that publish through a load balancer get a ``url``.

The binaries come from :mod:`kubexpose.live.toolchain` (``KUBEBUILDER_ASSETS`` first, then the
cache); a missing one raises :class:`~kubexpose.live.toolchain.MissingToolError` naming the
build command. The pytest plugin offers the running plane as the session fixture
``kubexpose_cluster`` (skipped, with that message, when a binary is missing)::

    def test_my_stack_comes_up(kubexpose_cluster):
        kubexpose_cluster.kubectl("get", "nodes")
"""

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import toolchain

SERVICE_CIDR = "10.96.0.0/16"
NODE_PORT_RANGE = "30000-32767"
LOAD_BALANCER_NET = ipaddress.ip_network("198.18.0.0/24")
STORAGE_CLASS = "standard"
"""The default StorageClass, named as kind names its own."""
PROVISIONER = "kubexpose.dev/loopback-path"
FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"


class ControlPlaneError(RuntimeError):
    """A component of the control plane did not start; the message holds the end of its log."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ControlPlane:
    """etcd + kube-apiserver + controller-manager + scheduler + kwok on loopback (see the module docstring).

    Use as a context manager, or call :meth:`start` and :meth:`stop`; :meth:`stop` ends only the
    processes this object started and removes its temporary folder (unless ``keep=True``).
    """

    def __init__(
        self,
        *,
        nodes: int = 3,
        load_balancers: bool = True,
        node_port_range: str = NODE_PORT_RANGE,
        workdir: Path | None = None,
        keep: bool = False,
        context: str = "kubexpose-e2e",
    ) -> None:
        self.nodes = nodes
        self.load_balancers = load_balancers
        self.node_port_range = node_port_range
        self._workdir = workdir
        self._keep = keep
        self.context = context
        """The name of the kubeconfig's cluster and context."""
        self._procs: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        self._stop = threading.Event()
        self._lb_thread: threading.Thread | None = None
        self.dir: Path = Path()
        self.kubeconfig: Path = Path()
        self.server = ""
        self._token = ""

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> "ControlPlane":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "ControlPlane":
        """Start every component and wait until the API server is ready and the nodes are Ready."""
        binaries = {b: toolchain.find(b) for b in toolchain.CONTROL_PLANE}
        self.dir = Path(tempfile.mkdtemp(prefix="kubexpose-cp-", dir=self._workdir))
        try:
            self._start(binaries)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, bins: dict[str, Path]) -> None:
        d = self.dir
        etcd_port, peer_port, api_port, kwok_port = (_free_port() for _ in range(4))
        self._token = os.urandom(16).hex()
        (d / "tokens.csv").write_text(f'{self._token},kubexpose-admin,kubexpose-admin,"system:masters"\n')
        subprocess.run(["openssl", "genrsa", "-out", str(d / "sa.key"), "2048"], check=True, capture_output=True)
        self._spawn(
            "etcd",
            [
                str(bins["etcd"]),
                "--name=default",
                f"--data-dir={d / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-cluster=default=http://127.0.0.1:{peer_port}",
                "--unsafe-no-fsync=true",
                "--log-level=warn",
            ],
        )
        self.server = f"https://127.0.0.1:{api_port}"
        self._spawn(
            "kube-apiserver",
            [
                str(bins["kube-apiserver"]),
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--cert-dir={d / 'certs'}",
                f"--token-auth-file={d / 'tokens.csv'}",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={d / 'sa.key'}",
                f"--service-account-signing-key-file={d / 'sa.key'}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                f"--service-node-port-range={self.node_port_range}",
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                "--v=0",
            ],
        )
        self.kubeconfig = d / "kubeconfig"
        self.kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {"name": self.context, "cluster": {"server": self.server, "insecure-skip-tls-verify": True}}
                    ],
                    "users": [{"name": "admin", "user": {"token": self._token}}],
                    "contexts": [{"name": self.context, "context": {"cluster": self.context, "user": "admin"}}],
                    "current-context": self.context,
                },
                indent=2,
            )
        )
        self._wait("kube-apiserver", lambda: self._get("/readyz") is not None, 120)
        self._spawn(
            "kube-controller-manager",
            [
                str(bins["kube-controller-manager"]),
                f"--kubeconfig={self.kubeconfig}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                f"--service-account-private-key-file={d / 'sa.key'}",
                f"--root-ca-file={d / 'certs' / 'apiserver.crt'}",
                f"--flex-volume-plugin-dir={d / 'flexvolume'}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--horizontal-pod-autoscaler-sync-period=2s",
                "--controllers=*",
            ],
        )
        self._spawn(
            "kube-scheduler",
            [
                str(bins["kube-scheduler"]),
                f"--kubeconfig={self.kubeconfig}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=0",
            ],
        )
        self._spawn(
            "kwok",
            [
                str(bins["kwok"]),
                f"--kubeconfig={self.kubeconfig}",
                f"--config={toolchain.find('kwok-stages.yaml')}",
                "--manage-all-nodes=false",
                f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}=fake",
                "--cidr=10.244.0.1/16",
                "--node-ip=127.0.0.1",
                f"--server-address=127.0.0.1:{kwok_port}",
                "--node-lease-duration-seconds=40",
            ],
        )
        self._wait(
            "namespace default",
            lambda: self._get("/api/v1/namespaces/default/serviceaccounts/default") is not None,
            120,
        )
        for i in range(self.nodes):
            self.apply_objects([self._node(i)])
        self._wait("nodes Ready", self._nodes_ready, 120)
        self.apply_objects([_storage_class()])
        threading.Thread(target=self._storage_loop, name="fake-provisioner", daemon=True).start()
        if self.load_balancers:
            self._lb_thread = threading.Thread(target=self._load_balancer_loop, name="fake-lb", daemon=True)
            self._lb_thread.start()

    def stop(self) -> None:
        """Stop what this object started (newest first) and remove its folder."""
        self._stop.set()
        if self._lb_thread:
            self._lb_thread.join(timeout=5)
        for _, proc, _log in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc, _log in reversed(self._procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        if self.dir != Path() and self.dir.exists() and not self._keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers for tests ------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """Environment variables that point kubectl and pulumi-kubernetes at this plane."""
        return {"KUBECONFIG": str(self.kubeconfig), "KUBECACHEDIR": str(self.dir / "kubecache")}

    def provider(self, name: str | None = None, **kwargs: Any) -> Any:
        """A `pulumi_kubernetes.Provider` for this plane (named after its context unless `name`), to create inside a
        Pulumi program: its kubeconfig file and context, whatever the ambient kubeconfig says."""
        import pulumi_kubernetes as k8s

        return k8s.Provider(name or self.context, kubeconfig=str(self.kubeconfig), context=self.context, **kwargs)

    def kubectl(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run kubectl against this plane; raises with its stderr when ``check`` and it fails."""
        proc = subprocess.run(
            [str(toolchain.find("kubectl")), *args],
            input=input,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env()},
            timeout=300,
        )
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def get_json(self, *args: str) -> Any:
        """``kubectl get ARGS -o json``, parsed."""
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def apply_objects(self, objects: Sequence[dict[str, Any]]) -> None:
        """Create or update ``objects`` with server-side apply (field manager ``kubexpose-e2e``)."""
        body = "\n".join(json.dumps(o) for o in objects)
        self.kubectl("apply", "--server-side", "--field-manager=kubexpose-e2e", "-f", "-", input=body)

    def logs(self, component: str, lines: int = 40) -> str:
        """The last ``lines`` lines of a component's log."""
        for name, _proc, log in self._procs:
            if name == component:
                return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    # -- internals --------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = self.dir / f"{name}.log"
        handle = log.open("wb")
        proc = subprocess.Popen(
            argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
            env={**os.environ, **self._child_env()},
        )
        handle.close()
        self._procs.append((name, proc, log))

    def _child_env(self) -> dict[str, str]:
        return {"HOME": str(self.dir), "KUBECACHEDIR": str(self.dir / "kubecache")}

    def _check_alive(self) -> None:
        for name, proc, log in self._procs:
            if proc.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise ControlPlaneError(f"{name} exited with status {proc.returncode}; its log ends:\n{tail}")

    def _wait(self, what: str, ready: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(Exception):
                if ready():
                    return
            time.sleep(0.3)
        raise ControlPlaneError(f"{what} not ready after {timeout:.0f} s (logs in {self.dir})")

    def _request(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            raw = resp.read()
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode()

    def _get(self, path: str) -> Any:
        try:
            return self._request("GET", path)
        except (urllib.error.URLError, OSError):
            return None

    def _node(self, i: int) -> dict[str, Any]:
        name = f"kwok-node-{i}"
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {FAKE_NODE_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "kubernetes.io/role": "agent",
                    "type": "kwok",
                    "topology.kubernetes.io/zone": f"zone-{i % 3}",
                },
            },
            "status": {
                "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
            },
        }

    def _nodes_ready(self) -> bool:
        nodes = self._get("/api/v1/nodes")
        ready = 0
        for node in (nodes or {}).get("items", []):
            conds = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions", [])}
            ready += conds.get("Ready") == "True"
        return ready >= self.nodes

    def _storage_loop(self) -> None:
        """A PersistentVolume for every claim of the default class that has none; a released one deleted."""
        made: set[str] = set()
        while not self._stop.wait(0.5):
            with contextlib.suppress(Exception):  # a failed round is tried again in half a second
                self._provision(made)

    def _provision(self, made: set[str]) -> None:
        claims = (self._get("/api/v1/persistentvolumeclaims") or {}).get("items", [])
        for claim in claims:
            spec, uid = claim.get("spec", {}), claim["metadata"]["uid"]
            if spec.get("storageClassName") != STORAGE_CLASS or spec.get("volumeName") or uid in made:
                continue
            with contextlib.suppress(Exception):
                self._request("POST", "/api/v1/persistentvolumes", self._volume_for(claim))
                made.add(uid)
        for volume in (self._get("/api/v1/persistentvolumes") or {}).get("items", []):
            released = volume.get("status", {}).get("phase") == "Released"
            if released and volume.get("spec", {}).get("storageClassName") == STORAGE_CLASS:
                with contextlib.suppress(Exception):
                    self._request("DELETE", f"/api/v1/persistentvolumes/{volume['metadata']['name']}")

    def _volume_for(self, claim: dict[str, Any]) -> dict[str, Any]:
        meta, spec = claim["metadata"], claim["spec"]
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": f"pvc-{meta['uid']}", "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
            "spec": {
                "capacity": {"storage": spec["resources"]["requests"]["storage"]},
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "storageClassName": STORAGE_CLASS,
                "persistentVolumeReclaimPolicy": "Delete",
                "claimRef": {"namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"]},
                "hostPath": {"path": str(self.dir / "volumes" / meta["uid"])},
            },
        }

    def _load_balancer_loop(self) -> None:
        given: dict[str, str] = {}
        pool = iter(LOAD_BALANCER_NET.hosts())
        kinds: tuple[tuple[str, str], ...] = (("/api/v1/services", "/api/v1/namespaces/{ns}/services/{name}/status"),)
        kinds += (
            (
                "/apis/networking.k8s.io/v1/ingresses",
                "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}/status",
            ),
        )
        while not self._stop.wait(0.5):
            for list_path, status_path in kinds:
                listing = self._get(list_path)
                for obj in (listing or {}).get("items", []):
                    meta, spec, status = obj["metadata"], obj.get("spec", {}), obj.get("status", {})
                    if "services" in list_path and spec.get("type") != "LoadBalancer":
                        continue
                    if (status.get("loadBalancer") or {}).get("ingress"):
                        continue
                    key = f"{list_path}/{meta['namespace']}/{meta['name']}"
                    if key not in given:
                        given[key] = str(next(pool))
                    patch = {"status": {"loadBalancer": {"ingress": [{"ip": given[key]}]}}}
                    with contextlib.suppress(Exception):
                        self._request(
                            "PATCH",
                            status_path.format(ns=meta["namespace"], name=meta["name"]),
                            patch,
                            "application/merge-patch+json",
                        )


def _storage_class() -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER,
        "volumeBindingMode": "Immediate",
        "reclaimPolicy": "Delete",
    }


@contextlib.contextmanager
def control_plane(**kwargs: Any) -> Iterator[ControlPlane]:
    """A started :class:`ControlPlane`, stopped on exit."""
    with ControlPlane(**kwargs) as plane:
        yield plane
