"""The binaries the end-to-end tests need, found where a user keeps them or built from Go modules.

Four tools, each pinned here (one place for every version):

- the control plane: ``kube-apiserver``, ``kube-controller-manager``, ``kube-scheduler`` and
  ``kubectl`` from ``k8s.io/kubernetes``; ``etcd`` from ``go.etcd.io/etcd/server/v3`` at the version
  Kubernetes pins; ``kwok`` (fake nodes and Pod readiness, so Deployments roll out without a kubelet);
- the Pulumi CLI (``github.com/pulumi/pulumi/pkg/v3``);
- the Pulumi kubernetes provider plugin (``github.com/pulumi/pulumi-kubernetes/provider/v4``).

Lookup order for each binary: a user's own first (``KUBEBUILDER_ASSETS`` for etcd, kube-apiserver
and kubectl, the envtest convention; ``pulumi`` on ``PATH``), then the cache
(``$KUBEXPOSE_CACHE``, default ``~/.cache/kubexpose``), where :func:`build` puts what it builds.
Nothing is ever written into the project.

Build everything that is missing::

    python -m kubexpose.live.toolchain build

Why Go modules: no package registry serves these binaries, but the Go module proxy serves the
sources they are built from. Kubernetes' own ``go.mod`` points its staging modules at
``./staging``, so it cannot be ``go install``-ed; a small wrapper module requires it and replaces
each staging module it requires by the published ``v0.<minor>.<patch>`` release.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_KUBERNETES_VERSION = "v1.37.2"
"""The control plane's version CI runs (kube-apiserver, controller-manager, scheduler, kubectl)."""
KUBERNETES_VERSION = os.environ.get("KUBEXPOSE_K8S_VERSION") or DEFAULT_KUBERNETES_VERSION
"""The control plane's version of this run: `KUBEXPOSE_K8S_VERSION` (`make e2e K8S_VERSION=v1.34.4`) picks another
release of `k8s.io/kubernetes` the Go module proxy serves; each version has its own cache folder."""
ETCD_VERSION = "v3.7.0"
"""The etcd Kubernetes v1.37.2 pins in its go.mod (older control planes run against it too: etcd's v3 API is stable)."""
KWOK_VERSION = "v0.8.0"
"""kwok: fake nodes that run no containers but report Pods Running and Ready."""
PULUMI_VERSION = "v3.274.1"
"""The Pulumi CLI."""
PROVIDER_MODULE_VERSION = "v4.0.0-20260115033456-f47bc2d6f199"
"""The pulumi-kubernetes provider module (the Go proxy serves it as pseudo-versions only)."""
PROVIDER_VERSION = "4.25.0"
"""The version the built provider reports (in its schema and to the engine): pulumi-kubernetes v4.25.0 was tagged
from the commit after this pseudo-version's (2026-01-15 -> 2026-01-16). kubexpose's schema refers to the kubernetes
types of this version (`kubexpose.provider.KUBERNETES_SCHEMA`), and the TypeScript and Go consumers use the SDKs of
this version, so SDK generation binds them to this provider's schema."""
PROVIDER_SDK_VERSION = f"v{PROVIDER_VERSION}"
"""The Go SDK the provider is built with (its go.mod replaces the SDK by ../sdk, which a module download does not
hold): the release's, which the Go consumer uses too, so the two share one compiled SDK in Go's build cache."""
YAML_VERSION = "v1.25.0"
"""`pulumi-language-yaml`, the Pulumi YAML language host (built on its own pinned Pulumi module, v3.206)."""
GEN_SDK_SOURCE = Path(__file__).resolve().parent / "gensdk" / "main.go"
"""`pulumi-gen-sdk`: the Node.js and Go code generators of the Pulumi CLI's module, run without the language hosts
(`pulumi package gen-sdk` asks `pulumi-language-nodejs`/`-go` to generate, and no registry here serves them)."""

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok")
ENVTEST_BINARIES = ("etcd", "kube-apiserver", "kubectl")


class MissingToolError(RuntimeError):
    """A binary the end-to-end tests need is neither installed nor built."""


def cache_dir() -> Path:
    """Where built binaries live: ``$KUBEXPOSE_CACHE`` or ``~/.cache/kubexpose``."""
    return Path(os.environ.get("KUBEXPOSE_CACHE") or Path.home() / ".cache" / "kubexpose")


@dataclass(frozen=True)
class Tool:
    """One group of binaries built from one Go module, cached under ``<cache>/<key>/bin``."""

    key: str
    binaries: tuple[str, ...]

    @property
    def bin_dir(self) -> Path:
        """The cache folder holding this group's binaries."""
        return cache_dir() / self.key / "bin"

    def built(self) -> bool:
        """Whether every binary of the group is in the cache."""
        return all((self.bin_dir / b).is_file() for b in self.binaries)


KUBERNETES = Tool(
    f"kubernetes-{KUBERNETES_VERSION}", ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
)
ETCD = Tool(f"etcd-{ETCD_VERSION}", ("etcd",))
KWOK_STAGES: tuple[str, ...] = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
    "pod/chaos/pod-container-running-failed.yaml",
)
"""kwok's "fast" stages (what kwokctl uses by default): nodes Ready with leases, Pods Ready at once; and its chaos
stage that fails the containers of a Pod labelled `pod-container-running-failed.stage.kwok.x-k8s.io: "true"` with the
message of its annotation `...kwok.x-k8s.io/message` (a crashing app, for the crash-reason scenario)."""
KWOK = Tool(f"kwok-{KWOK_VERSION}-stages-{len(KWOK_STAGES)}c", ("kwok", "kwok-stages.yaml"))
PULUMI = Tool(f"pulumi-{PULUMI_VERSION}", ("pulumi",))
PROVIDER = Tool(f"pulumi-kubernetes-{PROVIDER_MODULE_VERSION}-as-{PROVIDER_VERSION}", ("pulumi-resource-kubernetes",))
GEN_SDK = Tool(
    f"pulumi-gen-sdk-{PULUMI_VERSION}-{hashlib.sha256(GEN_SDK_SOURCE.read_bytes()).hexdigest()[:12]}",
    ("pulumi-gen-sdk",),
)
YAML = Tool(f"pulumi-yaml-{YAML_VERSION}", ("pulumi-language-yaml",))
TOOLS = {
    "kubernetes": KUBERNETES,
    "etcd": ETCD,
    "kwok": KWOK,
    "pulumi": PULUMI,
    "provider": PROVIDER,
    "gen-sdk": GEN_SDK,
    "yaml": YAML,
}
_OWNER = {b: t for t in TOOLS.values() for b in t.binaries}

BUILD_COMMAND = "python -m kubexpose.live.toolchain build"


def find(binary: str) -> Path:
    """The path of ``binary``: the user's own first, then the cache; :class:`MissingToolError` if neither."""
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets and binary in ENVTEST_BINARIES and (Path(assets) / binary).is_file():
        return Path(assets) / binary
    if binary == "pulumi-language-yaml" and shutil.which(binary):
        return Path(str(shutil.which(binary)))
    if binary == "pulumi" and os.environ.get("KUBEXPOSE_E2E_CACHED_PULUMI") != "1":
        on_path = shutil.which("pulumi")
        if on_path:
            return Path(on_path)
    tool = _OWNER[binary]  # kwok's stage file lives beside it
    path = tool.bin_dir / binary
    if path.is_file():
        return path
    name = next(k for k, t in TOOLS.items() if t is tool)
    raise MissingToolError(
        f"{binary} not found: not in KUBEBUILDER_ASSETS or on PATH, and not built into {tool.bin_dir}; "
        f"build it with `{BUILD_COMMAND} --only {name}` (Go 1.26 and the Go module proxy needed; "
        f"`{BUILD_COMMAND}` builds every missing tool)"
    )


def missing(binaries: Iterable[str]) -> list[str]:
    """The binaries of ``binaries`` that :func:`find` cannot find."""
    out = []
    for b in binaries:
        try:
            find(b)
        except MissingToolError:
            out.append(b)
    return out


def require(binaries: Sequence[str]) -> None:
    """Check every binary of ``binaries`` before anything starts: :class:`MissingToolError` naming all that are
    missing and how to build the first."""
    absent = missing(binaries)
    if absent:
        try:
            find(absent[0])
        except MissingToolError as err:
            raise MissingToolError(f"{len(absent)} binaries missing ({', '.join(absent)}); {err}") from None


# ---------------------------------------------------------------------------------------------------
# Building


def _log(msg: str) -> None:
    print(f"[toolchain {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _go(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, "GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local", **(env or {})}
    proc = subprocess.run(["go", *args], cwd=cwd, env=full_env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"go {' '.join(args)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _module_file(module: str, version: str) -> str:
    """The go.mod of ``module@version``, fetched by the go command (which knows the machine's proxy)."""
    scratch = cache_dir() / "src" / "download"
    scratch.mkdir(parents=True, exist_ok=True)
    info = json.loads(_go(["mod", "download", "-json", f"{module}@{version}"], scratch, {"GOFLAGS": "-mod=mod"}))
    return Path(info["GoMod"]).read_text()


def _requires(gomod: str) -> dict[str, str]:
    """Module -> version of every require line of a go.mod."""
    out = {}
    for line in gomod.splitlines():
        m = re.match(r"^\s*(?:require\s+)?([a-zA-Z0-9._~/-]+\.[a-zA-Z0-9._~/-]+)\s+(v[^\s]+)(\s*//.*)?$", line)
        if m and "=>" not in line:
            out[m.group(1)] = m.group(2)
    return out


def _wrapper(
    name: str, requires: dict[str, str], replaces: dict[str, str], tools: Sequence[str], go_version: str = "1.26.0"
) -> Path:
    """A throwaway module under the cache that requires ``requires`` and lists ``tools``."""
    root = cache_dir() / "src" / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    lines = [f"module kubexpose.local/{name}", "", f"go {go_version}", ""]
    lines += ["require ("] + [f"\t{m} {v}" for m, v in sorted(requires.items())] + [")", ""]
    if replaces:
        lines += ["replace ("] + [f"\t{m} => {r}" for m, r in sorted(replaces.items())] + [")", ""]
    lines += ["tool ("] + [f"\t{t}" for t in tools] + [")", ""]
    (root / "go.mod").write_text("\n".join(lines))
    _go(["mod", "tidy"], root)
    return root


def _install(built: Path, tool: Tool) -> None:
    tool.bin_dir.mkdir(parents=True, exist_ok=True)
    for b in tool.binaries:
        tmp = tool.bin_dir / f".{b}.tmp"
        shutil.copy2(built / b, tmp)
        tmp.replace(tool.bin_dir / b)


def build_kubernetes() -> None:
    """kube-apiserver, kube-controller-manager, kube-scheduler and kubectl at :data:`KUBERNETES_VERSION`."""
    gomod = _module_file("k8s.io/kubernetes", KUBERNETES_VERSION)
    required = _requires(gomod)
    staging = re.findall(r"^\s*(k8s\.io/[a-z0-9-]+)\s+=>\s+\./staging", gomod, re.M)
    minor = KUBERNETES_VERSION.removeprefix("v1.")
    replaces = {m: f"{m} v0.{minor}" for m in staging if m in required}
    cmds = [f"k8s.io/kubernetes/cmd/{c}" for c in KUBERNETES.binaries]
    root = _wrapper(f"kubernetes-{KUBERNETES_VERSION}", {"k8s.io/kubernetes": KUBERNETES_VERSION}, replaces, cmds)
    major, minor_num = KUBERNETES_VERSION.removeprefix("v").split(".")[:2]
    ldflags = ["-s", "-w"]
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        ldflags += [
            f"-X {pkg}.gitVersion={KUBERNETES_VERSION}",
            f"-X {pkg}.gitMajor={major}",
            f"-X {pkg}.gitMinor={minor_num}",
            f"-X {pkg}.gitTreeState=clean",
        ]
    out = root / "out"
    _go(["build", "-ldflags", " ".join(ldflags), "-o", f"{out}/", *cmds], root)
    _install(out, KUBERNETES)


def build_etcd() -> None:
    """etcd at :data:`ETCD_VERSION` (its server module replaces its siblings by ../, so a wrapper pins them)."""
    mods = ["go.etcd.io/etcd/server/v3", "go.etcd.io/etcd/api/v3", "go.etcd.io/etcd/client/pkg/v3"]
    mods += ["go.etcd.io/etcd/client/v3", "go.etcd.io/etcd/pkg/v3"]
    root = _wrapper(f"etcd-{ETCD_VERSION}", dict.fromkeys(mods, ETCD_VERSION), {}, ["go.etcd.io/etcd/server/v3"])
    out = root / "out"
    out.mkdir()
    _go(["build", "-ldflags", "-s -w", "-o", str(out / "etcd"), "go.etcd.io/etcd/server/v3"], root)
    _install(out, ETCD)


def build_kwok() -> None:
    """kwok at :data:`KWOK_VERSION`."""
    root = _wrapper(f"kwok-{KWOK_VERSION}", {"sigs.k8s.io/kwok": KWOK_VERSION}, {}, ["sigs.k8s.io/kwok/cmd/kwok"])
    out = root / "out"
    out.mkdir()
    ldflags = f"-s -w -X sigs.k8s.io/kwok/pkg/consts.Version={KWOK_VERSION}"
    _go(["build", "-ldflags", ldflags, "-o", str(out / "kwok"), "sigs.k8s.io/kwok/cmd/kwok"], root)
    info = json.loads(_go(["mod", "download", "-json", f"sigs.k8s.io/kwok@{KWOK_VERSION}"], root))
    stages = [(Path(info["Dir"]) / "kustomize" / "stage" / f).read_text() for f in KWOK_STAGES]
    # The chaos stage fails a Running Pod, after the fast pod-ready stage made it Ready: `pulumi up` would have seen
    # the rollout succeed. Taking Pending Pods too (its weight wins over pod-ready's), it fails them before.
    running = "      values:\n      - 'Running'\n"
    assert stages[-1].count(running) == 1, "kwok's pod-container-running-failed stage changed"
    stages[-1] = stages[-1].replace(running, "      values:\n      - 'Pending'\n      - 'Running'\n")
    # Its template writes the message unquoted: a message holding ": " (most do) is then no YAML, and the stage fails.
    unquoted = "message: {{ $failureMessage }}"
    assert stages[-1].count(unquoted) == 1, "kwok's pod-container-running-failed stage changed"
    stages[-1] = stages[-1].replace(unquoted, "message: {{ $failureMessage | Quote }}")
    (out / "kwok-stages.yaml").write_text("\n---\n".join(stages))
    _install(out, KWOK)


def build_pulumi() -> None:
    """The Pulumi CLI at :data:`PULUMI_VERSION` (pkg's replace of the sdk does not apply here: require both)."""
    requires = {"github.com/pulumi/pulumi/pkg/v3": PULUMI_VERSION, "github.com/pulumi/pulumi/sdk/v3": PULUMI_VERSION}
    root = _wrapper(f"pulumi-{PULUMI_VERSION}", requires, {}, ["github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"], "1.26.6")
    out = root / "out"
    out.mkdir()
    ldflags = f"-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version={PULUMI_VERSION}"
    _go(["build", "-ldflags", ldflags, "-o", str(out / "pulumi"), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"], root)
    _install(out, PULUMI)


def build_provider() -> None:
    """The kubernetes provider plugin, from a writable copy of its module (``go generate`` embeds its schema)."""
    module = "github.com/pulumi/pulumi-kubernetes/provider/v4"
    probe = cache_dir() / "src" / "download"
    probe.mkdir(parents=True, exist_ok=True)
    info = json.loads(_go(["mod", "download", "-json", f"{module}@{PROVIDER_MODULE_VERSION}"], probe))
    root = cache_dir() / "src" / f"pulumi-kubernetes-{PROVIDER_MODULE_VERSION}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(info["Dir"], root)
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    sdk = "github.com/pulumi/pulumi-kubernetes/sdk/v4"
    _go(["mod", "edit", f"-replace={sdk}={sdk}@{PROVIDER_SDK_VERSION}"], root)
    _go(["mod", "tidy"], root)
    version = PROVIDER_VERSION
    cmd_dir = root / "cmd" / "pulumi-resource-kubernetes"
    _go(["generate"], cmd_dir, {"VERSION": version})
    out = root / "out"
    out.mkdir()
    ldflags = f"-s -w -X {module}/pkg/version.Version={version}"
    _go(
        [
            "build",
            "-ldflags",
            ldflags,
            "-o",
            str(out / "pulumi-resource-kubernetes"),
            "./cmd/pulumi-resource-kubernetes",
        ],
        root,
    )
    _install(out, PROVIDER)


def build_gen_sdk() -> None:
    """`pulumi-gen-sdk` (:data:`GEN_SDK_SOURCE`) against the Pulumi CLI's own module at :data:`PULUMI_VERSION`."""
    root = cache_dir() / "src" / GEN_SDK.key
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    requires = [
        f"\t{m} {PULUMI_VERSION}" for m in ("github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3")
    ]
    gomod = ["module kubexpose.local/gen-sdk", "", "go 1.26.6", "", "require (", *requires, ")", ""]
    (root / "go.mod").write_text("\n".join(gomod))
    shutil.copy2(GEN_SDK_SOURCE, root / "main.go")
    _go(["mod", "tidy"], root)
    out = root / "out"
    out.mkdir()
    _go(["build", "-ldflags", "-s -w", "-o", str(out / "pulumi-gen-sdk"), "."], root)
    _install(out, GEN_SDK)


def build_yaml() -> None:
    """The Pulumi YAML language host at :data:`YAML_VERSION`."""
    command = "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
    root = _wrapper(YAML.key, {"github.com/pulumi/pulumi-yaml": YAML_VERSION}, {}, [command])
    out = root / "out"
    out.mkdir()
    _go(["build", "-ldflags", "-s -w", "-o", str(out / "pulumi-language-yaml"), command], root)
    _install(out, YAML)


BUILDERS = {
    "etcd": build_etcd,
    "kwok": build_kwok,
    "kubernetes": build_kubernetes,
    "pulumi": build_pulumi,
    "provider": build_provider,
    "gen-sdk": build_gen_sdk,
    "yaml": build_yaml,
}


def build(only: Iterable[str] = (), force: bool = False) -> None:
    """Build every tool (or those in ``only``) that is not yet in the cache; keep what is there."""
    names = list(only) or list(BUILDERS)
    for name in names:
        tool = TOOLS[name]
        if tool.built() and not force:
            _log(f"{name}: cached in {tool.bin_dir}")
            continue
        start = time.monotonic()
        _log(f"{name}: building into {tool.bin_dir}")
        BUILDERS[name]()
        _log(f"{name}: built in {time.monotonic() - start:.0f} s")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kubexpose.live.toolchain build|where``."""
    parser = argparse.ArgumentParser(prog="python -m kubexpose.live.toolchain", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build every missing tool into the cache")
    b.add_argument("--only", action="append", choices=sorted(BUILDERS), default=[], help="build only this tool")
    b.add_argument("--force", action="store_true", help="rebuild even when cached")
    sub.add_parser("where", help="print where each binary is found")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.only, args.force)
        return 0
    status = 0
    for binary in (*CONTROL_PLANE, "pulumi", "pulumi-resource-kubernetes", "pulumi-gen-sdk", "pulumi-language-yaml"):
        try:
            print(f"{binary:28} {find(binary)}")
        except MissingToolError as err:
            print(f"{binary:28} missing: {err}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
