"""The render's fast path (kubexpose.engine.fast): the same bytes, checks and messages as the SDK path.

Every program here runs twice, once offering the fast path (what `kubexpose render` does) and once
with every component registered through the SDK, and both runs must render the same files, log the
same warnings, export the same values, or fail with the same error. Each test also checks which
path ran, so that a fast path that silently never runs cannot pass for one that agrees.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, PROJECT, ROOT
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from pulumi_kubernetes.core.v1 import ServiceSpecType
from test_fuzz import ROUTERS, any_name, deployment_args, hosts, node_port_mixes, paths, port_specs, profiles, targets

from kubexpose import ExposedDeployment, ExternalAlias, StackProfile
from kubexpose.engine.fast import to_wire
from kubexpose.engine.run import ClusterMocks, ProgramRun, run_program
from kubexpose.render.build import render_run, run_stack
from kubexpose.stackfiles import Project

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def outcome(result: ProgramRun | BaseException) -> tuple[Any, ...]:
    """What a user sees of a run: the render's files, warnings and exports (a resource by its class), or the error."""
    if isinstance(result, BaseException):
        return ("error", type(result).__name__, str(result))
    rendered = render_run(result, "test")
    return ("ok", rendered.files, result.warnings, _shown(result.exports))


def _shown(value: Any) -> Any:
    if isinstance(value, pulumi.Resource):
        return f"<{type(value).__module__}.{type(value).__name__}>"
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


def attempt(program: Callable[[], Any], fast: bool, **kwargs: Any) -> ProgramRun | BaseException:
    try:
        return run_program(program, fast=fast, **kwargs)
    except Exception as err:
        return err


def both_ways(program: Callable[[], Any], **kwargs: Any) -> ProgramRun | BaseException:
    """Run `program` both ways, assert that a user sees the same, and return the fast run."""
    load_balancer = kwargs.pop("load_balancer", "ip")
    fast = attempt(program, True, mocks=ClusterMocks(load_balancer), **kwargs)
    slow = attempt(program, False, mocks=ClusterMocks(load_balancer), **kwargs)
    assert outcome(fast) == outcome(slow)
    if currently_in_test_context():  # a generated program: say which outcome it had
        failed = isinstance(fast, BaseException)
        event("both failed with the same message" if failed else f"both rendered; fast components: {fast_count(fast)}")
    return fast


def fast_count(result: ProgramRun | BaseException) -> int:
    if isinstance(result, BaseException) or not result.path or not result.path[0].startswith("fast path: "):
        return 0
    return int(result.path[0].split()[2])


# -- the projects of this repository ------------------------------------------------------------
PROJECTS = [(PROJECT, stack) for stack in PROJECT.stacks()] + [
    (Project.load(ROOT / "examples" / "consumer-stack"), stack)
    for stack in Project.load(ROOT / "examples" / "consumer-stack").stacks()
]


@pytest.mark.parametrize(("project", "stack"), PROJECTS, ids=lambda p: p if isinstance(p, str) else p.name)
def test_every_stack_of_the_example_projects_renders_the_same_bytes_on_both_paths(project: Project, stack: str) -> None:
    fast, config = run_stack(project, stack, fast=True)
    slow, _ = run_stack(project, stack, fast=False)
    assert render_run(fast, stack, config.values).files == render_run(slow, stack, config.values).files
    assert (fast.warnings, fast.exports) == (slow.warnings, slow.exports)
    if stack == "fleet":  # every component has a provider: the SDK path (a provider is an Output to serialize)
        assert fast_count(fast) == 0 and all("provider" in line for line in fast.path[1:]), fast.path
    else:
        assert fast_count(fast) >= 2, fast.path  # the examples' plain components take it
    assert slow.path == []


def test_the_render_command_says_which_path_ran_with_verbose(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "kubexpose", "render", "--stack", "dev", "--program", str(ROOT), "--verbose"]
    fast = subprocess.run([*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, check=True)
    slow = subprocess.run(
        [*command, "--sdk-path", "--out", str(tmp_path / "b")], capture_output=True, text=True, check=True
    )
    assert "path: fast path: 3 of 5 components built without SDK registration" in fast.stderr
    assert "path: SDK path for ExposedDeployment 'frontend': an input is an Output" in fast.stderr
    assert "path: SDK path for every component (--sdk-path)" in slow.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


# -- generated programs ---------------------------------------------------------------------------
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(name=any_name, args=deployment_args(), profile=profiles)
def test_a_generated_exposed_deployment_renders_or_fails_the_same_on_both_paths(
    name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    both_ways(lambda: ExposedDeployment(name, args, profile=profile))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    name=any_name,
    target=targets,
    ports=st.one_of(st.none(), st.lists(port_specs(), min_size=1, max_size=2)),
    profile=profiles,
    field=st.sampled_from(["target", "addresses"]),
)
def test_a_generated_external_alias_renders_or_fails_the_same_on_both_paths(
    name, target, ports, profile, field
) -> None:
    args = {field: target} if ports is None else {field: target, "ports": ports}
    both_ways(lambda: ExternalAlias(name, args, profile=profile))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(apps=node_port_mixes(), load_balancer=st.sampled_from(["ip", "hostname", "pending"]))
def test_several_public_apps_allocate_the_same_node_ports_and_urls_on_both_paths(apps, load_balancer) -> None:
    profiles = [StackProfile(public_service_type=t) for t in (ServiceSpecType.NODE_PORT, ServiceSpecType.LOAD_BALANCER)]

    def program() -> None:
        for i, (name, ports) in enumerate(apps):
            app = ExposedDeployment(
                name, {"image": IMAGE, "exposure": "public", "ports": ports}, profile=profiles[i % 2]
            )
            pulumi.export(f"{name}-url", app.url)
            pulumi.export(f"{name}-endpoint", app.endpoint)

    result = both_ways(program, load_balancer=load_balancer)
    assert isinstance(result, BaseException) or fast_count(result) == len(apps)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    profile=st.sampled_from(ROUTERS),
    http=st.fixed_dictionaries({"host": hosts}, optional={"path": paths, "port": st.sampled_from([80, "http", 1234])}),
    exposure=st.sampled_from(["internal", "public"]),
)
def test_a_generated_routed_app_renders_or_fails_the_same_on_both_paths(profile, http, exposure) -> None:
    ports = [{"port": 80, "target_port": 8080, "name": "http"}]
    args = {"image": IMAGE, "ports": ports, "http": http, "exposure": exposure}

    def program() -> None:
        app = ExposedDeployment("web", args, profile=profile)
        pulumi.export("url", app.url)

    both_ways(program)


def test_the_outputs_of_a_fast_component_are_those_of_the_sdk_path() -> None:
    def program() -> None:
        for service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
            app = ExposedDeployment(
                f"web-{service_type.lower()}",
                {"image": IMAGE, "port": 8080, "service_type": service_type, "namespace": "shop"},
            )
            for key in ("service_name", "cluster_dns", "endpoint", "url", "port_forward"):
                pulumi.export(f"{service_type}-{key}", getattr(app, key))
        alias = ExternalAlias("external-service", {"target": "api.acmecorp.com", "port": 9000})
        pulumi.export("alias", pulumi.Output.all(alias.target, alias.endpoint, alias.cluster_dns))

    result = both_ways(program)
    assert isinstance(result, ProgramRun) and fast_count(result) == 4
    assert result.exports["NodePort-url"].startswith("http://localhost:3")
    assert result.exports["LoadBalancer-url"].startswith("http://203.0.113.")


# -- when the fast path steps aside -----------------------------------------------------------------
def _app(name: str = "web", **extra: Any) -> ExposedDeployment:
    return ExposedDeployment(name, {"image": IMAGE, "port": 8080, **extra}, profile=LOCAL)


@pytest.mark.parametrize(
    ("touch", "reason"),
    [
        (
            lambda app: pulumi.export("ip", app.service.spec.cluster_ip),
            "ExposedDeployment 'web''s Service 'web-service'",
        ),
        (
            lambda app: pulumi.export("deployment", {"d": app.deployment}),
            "the program exported (as 'deployment') ExposedDeployment 'web''s Deployment 'web-deployment'",
        ),
        (
            lambda app: k8s.core.v1.ConfigMap("c", opts=pulumi.ResourceOptions(depends_on=[app.service])),
            "the program gave ExposedDeployment 'web''s Service 'web-service' to Pulumi (as a dependency",
        ),
        (
            lambda app: (
                _app("other", labels={"tier": "x"}, **{"namespace": "shop"})
                and ExposedDeployment(
                    "third", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(depends_on=[app.service_account])
                )
            ),
            "made ExposedDeployment 'web''s ServiceAccount 'web-service-account' a dependency",
        ),
        (
            lambda app: app.service.metadata.apply(lambda meta: pulumi.export("name", meta.name)),
            "the program read ExposedDeployment 'web''s Service",
        ),
    ],
    ids=["reads an output", "exports a child", "depends on a child", "component depends on a child", "inside apply"],
)
def test_a_program_that_touches_a_child_runs_again_on_the_sdk_path(touch, reason: str) -> None:
    def program() -> None:
        touch(_app())

    result = both_ways(program)
    assert isinstance(result, ProgramRun), result
    assert len(result.path) == 1 and reason in result.path[0], result.path
    assert result.path[0].endswith("the program ran again on the SDK path")


@pytest.mark.parametrize(
    ("declare", "reason"),
    [
        (lambda: _app(namespace=pulumi.Output.from_input("shop")), "an input is an Output"),
        (lambda: _app(env={"TOKEN": pulumi.Output.secret("t0ken")}), "an input is an Output"),
        (
            lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(protect=True)),
            "its opts set protect",
        ),
        (
            lambda: ExposedDeployment(
                "web", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(transformations=[lambda a: None])
            ),
            "its opts set transformations",
        ),
        (
            lambda: ExposedDeployment(
                "web",
                {"image": IMAGE, "port": 80},
                pulumi.ResourceOptions(parent=pulumi.ComponentResource("acme:index:Shop", "shop")),
            ),
            "its opts set parent",
        ),
        (
            lambda: pulumi.runtime.register_stack_transformation(lambda a: None) or _app(),
            "a stack transformation is registered",
        ),
        (
            lambda: ExposedDeployment(
                "web", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(transforms=[lambda a: None])
            ),
            "its opts set transforms",
        ),
        (
            lambda: pulumi.runtime.register_resource_transform(lambda a: None) or _app(),
            "a stack transform is registered",
        ),
        (
            lambda: ExposedDeployment(
                "web",
                {"image": IMAGE, "port": 80, "http": {"host": "web.example.com"}},
                profile=StackProfile(gateway=__import__("kubexpose").profile.GatewaySettings("shared", "gateways")),
            ),
            "its HTTPRoute is a custom resource",
        ),
    ],
    ids=[
        "output namespace",
        "secret env value",
        "protect",
        "transformations",
        "parent",
        "stack transformation",
        "transforms",
        "stack transform",
        "httproute",
    ],
)
def test_a_component_the_fast_path_cannot_build_exactly_takes_the_sdk_path_and_says_why(declare, reason: str) -> None:
    result = both_ways(declare)
    assert isinstance(result, ProgramRun), result
    assert result.path[0] == "fast path: 0 of 1 components built without SDK registration", result.path
    assert reason in result.path[1]


def test_a_component_depending_on_a_resource_takes_the_fast_path() -> None:
    def program() -> None:
        namespace = k8s.core.v1.Namespace("shop", metadata={"name": "shop"})
        _app(namespace="shop", opts=None) if False else ExposedDeployment(
            "web", {"image": IMAGE, "port": 80, "namespace": "shop"}, pulumi.ResourceOptions(depends_on=[namespace])
        )

    result = both_ways(program)
    assert isinstance(result, ProgramRun) and fast_count(result) == 1, result


def test_a_child_touched_after_the_run_says_it_was_never_built() -> None:
    apps: list[ExposedDeployment] = []
    result = run_program(lambda: apps.append(_app()), fast=True)
    assert fast_count(result) == 1
    assert isinstance(apps[0].service, k8s.core.v1.Service)
    with pytest.raises(
        RuntimeError, match=r"the program read ExposedDeployment 'web''s Service 'web-service' \(\.spec\)"
    ):
        apps[0].service.spec  # noqa: B018


def test_a_program_that_swallows_the_abandonment_still_runs_again() -> None:
    def program() -> None:
        app = _app()
        with contextlib.suppress(Exception):  # what a careless program does
            app.service.spec  # noqa: B018

    result = both_ways(program)
    assert isinstance(result, ProgramRun) and "ran again on the SDK path" in result.path[0]


def test_validation_errors_are_the_same_on_both_paths() -> None:
    for args in (
        {"image": IMAGE, "port": 80, "service_type": "NodePort", "node_port": 40000},
        {"image": IMAGE},
        {"image": "nginx latest", "port": 80},
        {"image": IMAGE, "port": 80, "replicas": -1},
    ):
        result = both_ways(lambda args=args: ExposedDeployment("web", args, profile=LOCAL))
        assert isinstance(result, BaseException)
    clash = both_ways(lambda: (_app(), _app()))
    assert isinstance(clash, BaseException) and "web" in str(clash)


# -- the wire form ---------------------------------------------------------------------------------
def test_the_wire_form_translates_names_keeps_map_keys_and_normalizes_numbers() -> None:
    from pulumi_kubernetes.core.v1 import ServiceArgs

    wire = to_wire(
        {
            "metadata": {"name": "a", "labels": {"app_name": "x"}, "annotations": {"some_key": "v"}},
            "spec": {"cluster_ip": "None", "ports": ({"port": 80.0, "target_port": "http", "node_port": None},)},
        },
        ServiceArgs,
    )
    assert wire == {
        "metadata": {"name": "a", "labels": {"app_name": "x"}, "annotations": {"some_key": "v"}},
        "spec": {"clusterIP": "None", "ports": [{"port": 80, "targetPort": "http", "nodePort": None}]},
    }


def test_an_sdk_without_what_the_fast_path_reads_renders_everything_on_the_sdk_path(monkeypatch) -> None:
    import kubexpose.engine.run as engine

    def missing() -> None:
        raise AttributeError("module 'pulumi._types' has no attribute 'input_type_types'")

    monkeypatch.setattr(engine, "fast_internals", missing)
    result = both_ways(lambda: _app())
    assert isinstance(result, ProgramRun)
    assert result.path == [
        "SDK path for every component: the installed pulumi SDK lacks what the fast path reads "
        "(module 'pulumi._types' has no attribute 'input_type_types')"
    ]


@pytest.mark.parametrize("unknown", ["Service", "ServiceAccount"])
def test_a_child_the_fast_path_cannot_build_is_registered_through_the_sdk_under_the_fast_component(
    monkeypatch, unknown: str
) -> None:
    import kubexpose.engine.fast as fast

    known = fast.kind_of
    monkeypatch.setattr(fast, "kind_of", lambda cls: None if cls.__name__ == unknown else known(cls))

    def program() -> None:
        app = ExposedDeployment("web", {"image": IMAGE, "port": 8080, "exposure": "public"}, profile=LOCAL)
        pulumi.export("url", app.url)
        # A child registered through the SDK is a real resource: reading it needs no second run.
        child = app.service if unknown == "Service" else app.service_account
        pulumi.export("name", child.metadata.apply(lambda meta: meta.name))

    result = both_ways(program)
    assert isinstance(result, ProgramRun) and fast_count(result) == 1, result.path
    assert result.exports["name"] == "web"
    registered = {r.name: r.urn for r in result.registrations}
    assert registered[f"web-{unknown.lower().replace('serviceaccount', 'service-account')}"].endswith(
        f"kubexpose:index:ExposedDeployment$kubernetes:core/v1:{unknown}::web-"
        + unknown.lower().replace("serviceaccount", "service-account")
    )


def test_a_child_input_the_wire_form_cannot_hold_is_registered_through_the_sdk(monkeypatch) -> None:
    import kubexpose.engine.fast as fast

    real = fast.to_wire

    def refuse_deployments(value: Any, typ: Any) -> Any:
        if isinstance(value, dict) and value.get("kind") == "Deployment":
            raise fast.NotPlainError("holds something new")
        return real(value, typ)

    monkeypatch.setattr(fast, "to_wire", refuse_deployments)
    result = both_ways(lambda: _app())
    assert isinstance(result, ProgramRun) and fast_count(result) == 1


def test_a_component_that_gives_declare_no_inputs_takes_the_sdk_path() -> None:
    from kubexpose.claims import Claim
    from kubexpose.components._parts.base import KubexposeComponent

    class Bare(KubexposeComponent):
        kind = "Bare"
        type_token = "kubexpose:index:Bare"

        def __init__(self, name: str) -> None:
            check = self.checker(name)
            child = self.declare(check, name, None, Claim("default", name, (), ()))
            self.child(k8s.core.v1.ConfigMap, f"{name}-config", child, metadata={"name": name}, data={"a": "b"})
            self.finish({})

    result = both_ways(lambda: Bare("bare"))
    assert isinstance(result, ProgramRun)
    assert result.path == [
        "fast path: 0 of 1 components built without SDK registration",
        "SDK path for Bare 'bare': it gives declare() no inputs to check",
    ]
