"""The package's layering holds: the library never imports the tooling, the engine knows nothing of
kubexpose, private SDK internals live in `kubexpose._sdk` only, and the engine's speed patches never
outlive a run."""

from __future__ import annotations

import ast
import gc
import re
from pathlib import Path

import pulumi
import pulumi._types
import pulumi.log
import pulumi.runtime
import pytest
from conftest import ROOT

from kubexpose.engine.run import run_program

PACKAGE = ROOT / "components" / "kubexpose"
TOOLING = ("testing", "render", "engine", "live")
LIBRARY = sorted(
    p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in TOOLING and p.name != "__main__.py"
)
PUBLIC_RUNTIME = set(pulumi.runtime.__all__)
_PARSED = {path: ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}
"""Every module parsed once, at collection: CPython 3.11.7's `ast.parse` can fail with "AST constructor recursion
depth mismatch" when called after some tests of tests/test_validation.py ran in the same process (it did when the
two files ran alone, in that order)."""


def _imports(path: Path, source: str | None = None) -> list[tuple[str, list[str]]]:
    """`(absolute module, imported names)` for every import in `path` (or in `source`, read as if it were there)."""
    package = ".".join(("kubexpose", *path.relative_to(PACKAGE).with_suffix("").parts))
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    out: list[tuple[str, list[str]]] = []
    tree = ast.parse(source) if source is not None else _PARSED.get(path) or ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names = [alias.name for alias in node.names]
            submodules = [name for name in names if _is_module(f"{module}.{name}")]
            out.extend((f"{module}.{name}", []) for name in submodules)  # `from ..engine import fast`
            if len(submodules) < len(names) or module == "kubexpose":
                out.append((module, [name for name in names if name not in submodules]))
    return out


def _is_module(dotted: str) -> bool:
    if not dotted.startswith("kubexpose."):
        return False
    where = PACKAGE.joinpath(*dotted.split(".")[1:])
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def test_the_layer_walk_sees_every_module() -> None:
    assert len(LIBRARY) >= 15
    base = PACKAGE / "components" / "_parts" / "base.py"
    assert ("kubexpose.claims", ["Claim", "claim"]) in _imports(base)
    assert ("kubexpose.registrar", ["Registrar", "current"]) in _imports(base)
    assert ("kubexpose.engine.fast", []) in _imports(base, "from ...engine import fast\n")


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_library_never_imports_the_tooling(path: Path) -> None:
    assert _tooling_imported(path) == []


def _tooling_imported(path: Path, source: str | None = None) -> list[str]:
    found = [
        module for module, _ in _imports(path, source) if module.startswith(tuple(f"kubexpose.{t}" for t in TOOLING))
    ]
    found += [
        f"kubexpose.{name}"
        for module, names in _imports(path, source)
        if module == "kubexpose"
        for name in names
        if name in TOOLING
    ]
    return found


@pytest.mark.parametrize(
    "planted",
    [
        "from ...engine import fast\n",
        "from ...engine.fast import session\n",
        "import kubexpose.engine.run\n",
        "from kubexpose import engine\n",
    ],
)
def test_the_tooling_check_fails_on_a_planted_engine_import(planted: str) -> None:
    base = PACKAGE / "components" / "_parts" / "base.py"
    assert _tooling_imported(base, base.read_text() + planted) != []


FLOORS = [
    (
        "kubexpose.errors",
        "kubexpose._sdk",
        "kubexpose._lazy",
        "kubexpose._moved",
        "kubexpose.registrar",
        "kubexpose._values",
        "kubexpose._wire",
    ),
    ("kubexpose.inputs",),
    ("kubexpose.k8s",),
    ("kubexpose.claims", "kubexpose.stackfiles"),
    ("kubexpose.profile", "kubexpose.target"),
    ("kubexpose.components",),
    ("kubexpose.provider",),
    ("kubexpose.engine.mocks",),
    ("kubexpose.engine",),
    ("kubexpose.live",),
    ("kubexpose.testing", "kubexpose.policy_pack", "kubexpose_policies"),
    ("kubexpose.render",),
    ("kubexpose.__main__", "kubexpose"),
]
"""The package's floors, lowest first: a module imports from its own floor or below, never from above."""


def floor(module: str) -> int:
    """The floor of `module` (its longest matching prefix)."""
    best = (-1, -1)
    for level, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                best = max(best, (len(prefix), level))
    assert best[1] >= 0, f"{module} is on no floor: add it to FLOORS"
    return best[1]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_runs_from_a_lower_floor_to_a_higher_one(path: Path) -> None:
    module = ".".join(("kubexpose", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    own = floor(module)
    for imported, _names in _imports(path):
        if imported.startswith("kubexpose") and imported != "kubexpose" and module != "kubexpose":
            assert floor(imported) <= own, f"{module} (floor {own}) imports {imported} (floor {floor(imported)})"


def test_the_offline_engine_and_the_live_tools_are_not_under_testing() -> None:
    """The render runs on the engine, not on the test kit; the live tools have a place of their own
    (the old `kubexpose.testing.*` names warn: tests/test_moved_names.py); the test kit holds the kit only."""
    assert sorted(p.name for p in (PACKAGE / "testing").glob("*.py")) == ["__init__.py", "kit.py", "plugin.py"]
    for path in (PACKAGE / "render").glob("*.py"):
        assert not [m for m, _ in _imports(path) if m.startswith("kubexpose.testing")], path.name
    assert floor("kubexpose.render.build") > floor("kubexpose.engine.run") < floor("kubexpose.testing.kit")
    sdk = {m for m, _ in _imports(PACKAGE / "_sdk.py")}
    assert not [m for m in sdk if "fast" in m]  # no circle between the fast path and the SDK module
    # the fast path lives with the engine and plugs into the components through the registrar they talk to
    assert not (PACKAGE / "_fast.py").exists()
    assert floor("kubexpose.registrar") < floor("kubexpose.components._parts.base") < floor("kubexpose.engine.fast")


def test_one_walker_looks_inside_the_values_a_program_passes() -> None:
    """`kubexpose._values.any_leaf` is the only function that walks into mappings and lists to ask whether a value
    holds something (an Output, a secret placeholder, a value known only later)."""
    walkers = []
    for path, tree in _PARSED.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and re.fullmatch(r"_?(holds?|has|any_leaf|contains)_?\w*", node.name):
                calls = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
                if node.name in calls:  # recursive
                    walkers.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert walkers == ["_values.py:any_leaf"]


def test_the_floor_check_can_fail() -> None:
    assert floor("kubexpose.render.cli") > floor("kubexpose.testing.kit") > floor("kubexpose.profile")
    assert floor("kubexpose.claims") < floor("kubexpose.profile") < floor("kubexpose.components._parts.base")


def test_no_library_module_is_longer_than_500_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 500
    }
    assert long == {}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pulumi_internals_are_used_only_in_the_sdk_module(path: Path) -> None:
    if path == PACKAGE / "_sdk.py":
        return
    for module, names in _imports(path):
        if module == "pulumi.runtime":
            assert set(names) <= PUBLIC_RUNTIME, f"{path.name}: {sorted(set(names) - PUBLIC_RUNTIME)} are not public"
        elif module.startswith("pulumi.") or module.startswith("pulumi_kubernetes."):
            public = ("pulumi.log", "pulumi.runtime", "pulumi.provider", "pulumi.provider.experimental.analyzer")
            public += ("pulumi.provider.experimental.component", "pulumi.provider.provider", "pulumi.provider.server")
            public += ("pulumi.errors",)
            assert module in public or module.startswith("pulumi_kubernetes."), (
                f"{path.name} imports the SDK module {module}"
            )
        if module.startswith("pulumi"):
            assert not [n for n in names if n.startswith("_")], f"{path.name} imports private {names} from {module}"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            chain = ast.unparse(node)
            if chain.startswith("pulumi.runtime."):
                assert node.attr in PUBLIC_RUNTIME, f"{path.name} uses {chain}, not public"


@pytest.mark.parametrize("name", ["run.py", "mocks.py", "transforms.py"])
def test_the_mock_engine_knows_nothing_of_kubexpose(name: str) -> None:
    """The engine runs any program: it imports the SDK internals, its mocks, the transforms it runs as the engine
    does, and the fast-path session it offers to components that ask (kubexpose.engine.fast knows no component
    either), and names no component."""
    engine = PACKAGE / "engine" / name
    ours = {m for m, _ in _imports(engine) if m.startswith("kubexpose")}
    assert ours <= {
        "kubexpose._sdk",
        "kubexpose.registrar",
        "kubexpose._values",
        "kubexpose.engine.fast",
        "kubexpose.engine.mocks",
        "kubexpose.engine.transforms",
    }
    for path in (engine, PACKAGE / "engine" / "fast.py"):
        text = path.read_text()
        for word in ("kubexpose:", "ExposedDeployment", "ExternalAlias", "StackProfile", "Exposure"):
            assert word not in text, f"{path.name} names {word}"


def test_the_engines_speed_patches_end_with_the_run() -> None:
    before = (pulumi._types.resource_types, pulumi.log.debug, gc.isenabled())
    run_program(lambda: pulumi.export("x", 1))
    assert (pulumi._types.resource_types, pulumi.log.debug, gc.isenabled()) == before
