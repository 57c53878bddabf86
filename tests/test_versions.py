"""Versions behind one Service (issue 37, point 2): a Deployment per version, one Service selecting them all, the split
by replicas or by the weights of the stack's Gateway route; `kubexpose diff` shows the shift of traffic."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Runner
from test_fast_path import both_ways, fast_count
from test_routes import GATEWAY, INGRESS, web
from upstream import validate_http_route

from kubexpose import ExposedDeployment, StackProfile, ValidationError
from kubexpose.engine.run import ProgramRun, run_program
from kubexpose.render.manifests import manifests

IMAGE = "ghcr.io/acme/reviews:1.0"
VERSIONS = {"v1": {}, "v2": {"image": "ghcr.io/acme/reviews:2.0", "replicas": 1, "env": {"STAR_COLOR": "red"}}}


def reviews(versions: Any = VERSIONS, profile: StackProfile | None = None, **extra: Any):
    def program() -> None:
        args = {"image": IMAGE, "port": 9080, "replicas": 2, "env": {"STAR_COLOR": "black", "MODE": "live"}}
        given = {**args, "versions": versions, **extra}
        ExposedDeployment("reviews", {k: v for k, v in given.items() if v is not None}, profile=profile)

    return program


def test_each_version_is_a_deployment_and_the_service_selects_them_all(run: Runner) -> None:
    result = run(reviews())
    assert sorted(str(d.object_name) for d in result.k8s("Deployment")) == ["reviews-v1", "reviews-v2"]
    service = result.get("Service", "reviews").inputs["spec"]
    assert service["selector"] == {"app.kubernetes.io/name": "reviews"}
    for version, image, replicas, color in (("v1", IMAGE, 2, "black"), ("v2", "ghcr.io/acme/reviews:2.0", 1, "red")):
        spec = result.get("Deployment", f"reviews-{version}").inputs["spec"]
        selector = {"app.kubernetes.io/name": "reviews", "kubexpose.dev/version": version}
        assert spec["selector"] == {"matchLabels": selector}
        labels = spec["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items() and service["selector"].items() <= labels.items()
        (container,) = spec["template"]["spec"]["containers"]
        assert (container["image"], spec["replicas"]) == (image, replicas)
        # a version's value replaces the app's in its place; the app's others stay
        assert container["env"] == [{"name": "STAR_COLOR", "value": color}, {"name": "MODE", "value": "live"}]
    budget = result.get("PodDisruptionBudget", "reviews").inputs["spec"]
    assert budget["selector"] == {"matchLabels": {"app.kubernetes.io/name": "reviews"}}  # 3 Pods in all: a budget
    policy = result.get("NetworkPolicy", "reviews").inputs["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "reviews"}}


def test_the_outputs_name_every_versions_deployment() -> None:
    captured: dict[str, Any] = {}

    def program() -> None:
        app = ExposedDeployment("reviews", {"image": IMAGE, "port": 9080, "versions": VERSIONS})
        captured["app"] = app

    run_program(program)
    app = captured["app"]
    assert [d._name for d in app.deployments] == ["reviews-v1-deployment", "reviews-v2-deployment"]
    assert app.deployment is app.deployments[0]


def test_weights_route_through_a_service_per_version_on_a_gateway(run: Runner) -> None:
    weighted = {"v1": {"weight": 90}, "v2": {"image": "ghcr.io/acme/reviews:2.0", "weight": 10}}
    result = run(web(GATEWAY, versions=weighted))
    route = result.get("HTTPRoute", "web")
    validate_http_route(manifests(result)[[o["kind"] for o in manifests(result)].index("HTTPRoute")])
    backends = route.inputs["spec"]["rules"][0]["backendRefs"]
    assert [(b["name"], b["port"], b["weight"]) for b in backends] == [("web-v1", 80, 90), ("web-v2", 80, 10)]
    for version in ("v1", "v2"):
        service = result.get("Service", f"web-{version}").inputs["spec"]
        assert service["type"] == "ClusterIP"
        assert service["selector"] == {"app.kubernetes.io/name": "web", "kubexpose.dev/version": version}
        assert [p["port"] for p in service["ports"]] == [80, 9090]
    assert result.get("Service", "web").inputs["spec"]["selector"] == {"app.kubernetes.io/name": "web"}


def test_versions_without_weights_keep_one_backend(run: Runner) -> None:
    result = run(web(GATEWAY, versions={"v1": {}, "v2": {}}))
    backends = result.get("HTTPRoute", "web").inputs["spec"]["rules"][0]["backendRefs"]
    assert [b["name"] for b in backends] == ["web"]
    assert [str(s.object_name) for s in result.k8s("Service")] == ["web"]


def test_the_render_writes_the_versions_on_both_paths() -> None:
    fast = both_ways(reviews())
    assert isinstance(fast, ProgramRun) and fast_count(fast) == 1
    assert [o["metadata"]["name"] for o in manifests(fast) if o["kind"] == "Deployment"] == ["reviews-v1", "reviews-v2"]


def test_a_patch_reaches_every_versions_deployment(run: Runner) -> None:
    patch = {"op": "add", "path": "/spec/minReadySeconds", "value": 5}
    result = run(reviews(patches={"Deployment": [patch]}))
    assert [d.inputs["spec"]["minReadySeconds"] for d in result.k8s("Deployment")] == [5, 5]


def test_the_policy_pack_passes_an_app_with_versions() -> None:
    from kubexpose.policy_pack import check_manifests

    assert check_manifests([dict(o) for o in manifests(run_program(reviews()))]) == []


@pytest.mark.parametrize(
    ("program", "field", "words"),
    [
        (reviews({}), "versions", "not a mapping of versions"),
        (reviews({"1": {}}), "versions key", "start with a letter"),
        (reviews({"V1": {}}), "versions key", "'V1'"),
        (reviews({"v" * 60: {}}), "versions key", "longer than 63"),
        (reviews({"v1": {"replica": 2}}), "versions['v1']", "replica"),
        (reviews({"v1": {"replicas": -1}}), "versions['v1'].replicas", "whole number"),
        (reviews({"v1": {"image": "Bad Image"}}), "versions['v1'].image", ""),
        (reviews({"v1": {"env": {"1X": "a"}}}), "versions['v1'].env key", "environment variable"),
        (reviews({"v1": {"weight": 50}}), "versions['v1'].weight", "no `http` route"),
        (
            reviews(replicas=None, autoscaling={"min_replicas": 2, "max_replicas": 4}),
            "autoscaling",
            "each version its replicas",
        ),
        (web(INGRESS, versions={"v1": {"weight": 1}, "v2": {"weight": 1}}), "versions['v1'].weight", "Ingress"),
        (web(GATEWAY, versions={"v1": {"weight": 1}, "v2": {}}), "versions['v2']", "has no weight"),
        (web(GATEWAY, versions={"v1": {"weight": 0}, "v2": {"weight": 0}}), "versions", "weigh 0 in all"),
        (web(GATEWAY, versions={"v1": {"weight": 1_000_001}}), "versions['v1'].weight", "above 1000000"),
        (
            web(GATEWAY, versions={"v1": {"weight": 1}, "v2": {"weight": 1, "replicas": 0}}),
            "versions['v2'].weight",
            "no Pods",
        ),
    ],
)
def test_a_bad_version_is_refused_before_anything_is_registered(
    run: Runner, program: Any, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        run(program)
    message = str(error.value)
    assert message.split(": ", 1)[1].startswith(field), message
    assert words in message, message


def test_a_secret_in_a_versions_env_is_refused(run: Runner) -> None:
    import pulumi

    with pytest.raises(ValidationError, match=r"versions\['v2'\].env\['TOKEN'\] .* belongs in the app's env"):
        run(reviews({"v1": {}, "v2": {"env": {"TOKEN": pulumi.Output.secret("t")}}}))


def _objects(program: Any) -> dict[Any, Any]:
    from kubexpose.render.risk import namespace_of

    return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in manifests(run_program(program))}


def _shifts(before: Any, after: Any) -> list[str]:
    from kubexpose.render.diff import diff

    return [f"{f.obj}: {f.reason}" for f in diff(_objects(before), _objects(after)).findings if "traffic" in f.reason]


def test_kubexpose_diff_shows_a_shift_of_traffic_between_versions() -> None:
    canary = {"v1": {"replicas": 3}, "v2": {"replicas": 1}}
    assert _shifts(reviews(canary), reviews(canary, env={"STAR_COLOR": "black", "MODE": "test"})) == []
    assert _shifts(reviews(canary), reviews({"v1": {"replicas": 2}, "v2": {"replicas": 2}})) == [
        "Service default/reviews: traffic by Pods: reviews-v1 75% -> 50%, reviews-v2 25% -> 50%"
    ]
    assert _shifts(reviews(canary), reviews({"v2": {"replicas": 2}})) == [
        "Service default/reviews: traffic by Pods: reviews-v1 75% -> none, reviews-v2 25% -> 100%"
    ]
    plain = reviews(None)
    assert _shifts(plain, reviews(canary)) == [
        "Service default/reviews: traffic by Pods: reviews 100% -> none, reviews-v1 none -> 75%, reviews-v2 none -> 25%"
    ]


def test_kubexpose_diff_shows_a_shift_of_routed_traffic_by_weight() -> None:
    before = web(GATEWAY, versions={"v1": {"weight": 90}, "v2": {"weight": 10}})
    after = web(GATEWAY, versions={"v1": {"weight": 50}, "v2": {"weight": 50}})
    assert _shifts(before, after) == [
        "HTTPRoute shop/web: routed traffic by weight: web-v1 90% -> 50%, web-v2 10% -> 50%"
    ]


def test_a_versions_name_taken_by_another_app_is_refused(run: Runner) -> None:
    def program() -> None:
        ExposedDeployment("reviews-v2", {"image": IMAGE, "port": 80})
        reviews()()

    with pytest.raises(ValidationError, match=r"ExposedDeployment 'reviews': name 'reviews-v2' is already the Service"):
        run(program)


def test_a_shift_is_counted_within_the_services_namespace_and_only_for_a_split() -> None:
    def two(replicas: int, plain: int) -> Any:
        def program() -> None:
            versions = {"v1": {"replicas": replicas}, "v2": {"replicas": 1}}
            ExposedDeployment("reviews", {"image": IMAGE, "port": 9080, "namespace": "b", "versions": versions})
            ExposedDeployment("reviews", {"image": IMAGE, "port": 9080, "namespace": "a", "replicas": plain})

        return program

    assert _shifts(two(1, 2), two(1, 5)) == []  # one Deployment behind its Service: no split to shift
    assert _shifts(reviews(None), reviews({"v1": {}})) == []  # all of it still goes to the one Deployment
    assert _shifts(two(1, 2), two(3, 2)) == [
        "Service b/reviews: traffic by Pods: reviews-v1 50% -> 75%, reviews-v2 50% -> 25%"
    ]
