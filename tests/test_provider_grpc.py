"""The component provider driven as the engine drives it, without the Pulumi CLI.

The plugin's entry point starts as the Python language host starts a plugin (`python provider/
<engine address>`; it prints its port). This test serves the resource monitor and the engine over gRPC
(the SDK's own protobuf services) and calls `GetSchema` and `Construct` the way the engine does when a
TypeScript, Go or YAML program declares a kubexpose component. Over the wire every number is a float
and the stack's config comes in the request.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from conftest import ROOT
from google.protobuf import empty_pb2, json_format

from kubexpose import _sdk

try:
    _sdk.require_provider_sdk()
except _sdk.UnsupportedSdkError as err:
    pytest.skip(f"{err} (run by `make test-provider-floor`)", allow_module_level=True)

from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
"""How the wire marks a secret value (`{sig: secret, value: ...}`)."""
SECRET_OUTPUT = {"4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4", "secret": True}
"""How the engine sends a secret nested in an input to a provider that takes output values (`{sig: output value,
value: ..., secret: true}`): the secret stays on that one value."""
STACK_URN = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"


@dataclass
class Registered:
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    request: Any = None
    """The RegisterResourceRequest itself (its resource options)."""


@dataclass
class Cluster(resource_pb2_grpc.ResourceMonitorServicer, engine_pb2_grpc.EngineServicer):
    """The resource monitor and engine a real `pulumi up` serves the provider: it records what the
    provider registers and answers as a cluster would (a custom resource's outputs are its inputs)."""

    registered: list[Registered] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _urn(self, parent: str, type_: str, name: str) -> str:
        chain = type_
        if parent and parent != STACK_URN:
            chain = parent.split("::")[2] + "$" + type_
        return f"urn:pulumi:dev::shop::{chain}::{name}"

    def SupportsFeature(self, request, context):  # noqa: N802 (gRPC method names)
        # As the engine, except output values (as Pulumi's own MockMonitor): inputs then arrive as plain data.
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id != "outputValues")

    def RegisterResource(self, request, context):  # noqa: N802
        urn = self._urn(request.parent, request.type, request.name)
        with self.lock:
            self.registered.append(
                Registered(
                    request.type,
                    request.name,
                    request.parent,
                    request.custom,
                    json_format.MessageToDict(request.object),
                    list(request.dependencies),
                    {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                    request,
                )
            )
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=f"{request.name}-id", object=request.object)

    def RegisterResourceOutputs(self, request, context):  # noqa: N802
        return empty_pb2.Empty()

    def Log(self, request, context):  # noqa: N802
        with self.lock:
            self.logs.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=STACK_URN)

    def SetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.SetRootResourceResponse()

    def get(self, type_: str, name: str) -> Registered:
        found = [r for r in self.registered if r.type == type_ and r.name == name]
        assert len(found) == 1, f"{type_} {name}: {[(r.type, r.name) for r in self.registered]}"
        return found[0]


@dataclass
class Provider:
    cluster: Cluster
    address: str
    stub: provider_pb2_grpc.ResourceProviderStub

    def construct(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        config: dict[str, str] | None = None,
        dependencies: dict[str, list[str]] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """`options`: ConstructRequest fields (the component's resource options, e.g. `retainOnDelete=True`)."""
        self.cluster.registered.clear()
        request = provider_pb2.ConstructRequest(
            project="shop",
            stack="dev",
            config=config or {},
            dryRun=False,
            parallel=4,
            monitorEndpoint=self.address,
            type=type_,
            name=name,
            parent=STACK_URN,
            organization="acme",
            **options,
        )
        request.inputs.update(inputs)
        for key, urns in (dependencies or {}).items():
            request.inputDependencies[key].urns.extend(urns)
        response = self.stub.Construct(request, timeout=60)
        return {"urn": response.urn, **json_format.MessageToDict(response.state)}


@contextlib.contextmanager
def started_provider() -> Iterator[Provider]:
    """A test monitor and engine, and the provider started against them as the language host starts it."""
    cluster = Cluster()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(cluster, server)
    engine_pb2_grpc.add_EngineServicer_to_server(cluster, server)
    address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    server.start()
    # As `pulumi-language-python` runs a plugin without a pyproject: `python <plugin dir> <engine address>`.
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "provider"), address],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), (
            f"the provider printed {port!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        )
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield Provider(cluster, address, provider_pb2_grpc.ResourceProviderStub(channel))
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.stop(None)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with started_provider() as started:
        yield started


def test_get_schema_serves_the_committed_schema(provider: Provider) -> None:
    response = provider.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
    assert json.loads(response.schema) == json.loads((ROOT / "provider" / "schema.json").read_text())


APP = {
    "image": "ghcr.io/acme/orders:1.4.2",
    "ports": [{"port": 80.0, "targetPort": 8080.0, "name": "http"}],
    "exposure": "public",
    "replicas": 2.0,
    "env": {"MODE": "live", "WORKERS": "4"},
    "writablePaths": ["/tmp"],
}


def test_construct_builds_the_component_with_the_stacks_config_and_as_python(provider: Provider) -> None:
    config = {"kubexpose:publicServiceType": "NodePort", "kubexpose:namespace": "shop"}
    state = provider.construct("kubexpose:index:ExposedDeployment", "web", APP, config)

    assert state["urn"] == "urn:pulumi:dev::shop::kubexpose:index:ExposedDeployment::web"
    assert state["endpoint"] == "web:80"  # not web:80.0: the component saw ints
    assert state["portForward"] == "kubectl port-forward -n shop service/web 8080:80"
    assert state["clusterDns"] == "web.shop.svc.cluster.local"
    cluster = provider.cluster
    component = cluster.get("kubexpose:index:ExposedDeployment", "web")
    assert component.parent == STACK_URN and not component.custom
    service = cluster.get("kubernetes:core/v1:Service", "web-service")
    assert service.parent == state["urn"]
    assert service.inputs["spec"]["type"] == "NodePort"  # the stack's config, from the Construct request
    assert service.inputs["spec"]["ports"] == [{"port": 80, "targetPort": 8080, "protocol": "TCP", "name": "http"}]
    deployment = cluster.get("kubernetes:apps/v1:Deployment", "web-deployment")
    assert deployment.inputs["spec"]["replicas"] == 2
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "MODE", "value": "live"}, {"name": "WORKERS", "value": "4"}]
    assert container["ports"] == [{"containerPort": 8080, "protocol": "TCP", "name": "http"}]
    assert {r.type for r in cluster.registered} == {
        "kubexpose:index:ExposedDeployment",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:policy/v1:PodDisruptionBudget",  # 2 replicas
    }


def test_map_inputs_reach_the_component_in_the_order_of_their_names() -> None:
    """Found by the TypeScript consumer through the real engine: `env: {MODE, DB_PASSWORD}` reached Construct in the
    program's order, so the Pod template's env was not the one the README promises (by name)."""
    from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType

    from kubexpose.provider import _as_python

    env = PropertyDefinition(
        type=PropertyType.OBJECT, additional_properties=PropertyDefinition(type=PropertyType.STRING)
    )
    assert list(_as_python({"WORKERS": "4", "MODE": "live", "A_FLAG": "1"}, env)) == ["A_FLAG", "MODE", "WORKERS"]


def test_a_cloud_stack_gives_a_load_balancer(provider: Provider) -> None:
    provider.construct("kubexpose:index:ExposedDeployment", "web", APP, {"kubexpose:publicServiceType": "LoadBalancer"})
    service = provider.cluster.get("kubernetes:core/v1:Service", "web-service")
    assert service.inputs["spec"]["type"] == "LoadBalancer"
    assert service.inputs["metadata"]["namespace"] == "default"


def test_an_input_from_another_resource_carries_its_dependency_to_the_children(provider: Provider) -> None:
    build = "urn:pulumi:dev::shop::docker-build:index:Image::orders"
    provider.construct("kubexpose:index:ExposedDeployment", "web", APP, dependencies={"image": [build]})
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment")
    assert build in deployment.dependencies
    assert deployment.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/orders:1.4.2"


def test_a_secret_env_value_reaches_the_pod_through_the_components_secret(provider: Provider) -> None:
    inputs = {**APP, "env": {"DB_PASSWORD": {**SECRET_SIG, "value": "hunter2"}}}
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment")
    assert "hunter2" not in json.dumps(deployment.inputs)
    assert deployment.inputs["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "DB_PASSWORD"}}}
    ]
    secret = provider.cluster.get("kubernetes:core/v1:Secret", "web-env")
    assert secret.inputs["stringData"] == {**SECRET_SIG, "value": {"DB_PASSWORD": "hunter2"}}


def test_grpc_probes_and_probe_headers_reach_the_pod_from_another_language(provider: Provider) -> None:
    """Online Boutique's probes, as a TypeScript, Go or YAML program sends them (the schema's Grpc and HttpHeader)."""
    inputs = {
        **APP,
        "livenessProbe": {"grpc": {"port": 9555.0, "service": "health"}, "periodSeconds": 5.0},
        "startupProbe": {"tcpSocket": {"port": 8080.0}, "failureThreshold": 60.0},
        "revisionHistoryLimit": 3.0,
        "ports": [{"port": 80.0, "targetPort": 8080.0, "name": "http", "appProtocol": "kubernetes.io/h2c"}],
        "readinessProbe": {
            "httpGet": {
                "port": 8080.0,
                "path": "/_healthz",
                "httpHeaders": [{"name": "Cookie", "value": "shop_session-id=x-readiness-probe"}],
            }
        },
    }
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    container = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"][
        "spec"
    ]["containers"][0]
    assert container["livenessProbe"] == {"grpc": {"port": 9555, "service": "health"}, "periodSeconds": 5}
    assert container["startupProbe"] == {"tcpSocket": {"port": 8080}, "failureThreshold": 60}
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment")
    assert deployment.inputs["spec"]["revisionHistoryLimit"] == 3
    service = provider.cluster.get("kubernetes:core/v1:Service", "web-service")
    assert service.inputs["spec"]["ports"][0]["appProtocol"] == "kubernetes.io/h2c"
    assert container["readinessProbe"]["httpGet"] == {
        "port": 8080,
        "path": "/_healthz",
        "httpHeaders": [{"name": "Cookie", "value": "shop_session-id=x-readiness-probe"}],
    }


def test_a_components_timeouts_and_retention_from_another_language_reach_its_children(provider: Provider) -> None:
    """A TypeScript `{customTimeouts: {create: "3m"}, retainOnDelete: true}` on an ExposedDeployment: the CLI sends
    them in the ConstructRequest; the children are registered with them."""
    timeouts = provider_pb2.ConstructRequest.CustomTimeouts(create="3m")
    provider.construct("kubexpose:index:ExposedDeployment", "web", APP, customTimeouts=timeouts, retainOnDelete=True)
    children = [r for r in provider.cluster.registered if r.type.startswith("kubernetes:")]
    assert {r.type for r in children} >= {"kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"}
    for child in children:
        assert child.request.customTimeouts.create == "3m", child.type
        assert child.request.retainOnDelete, child.type


def test_a_sidecar_and_an_init_step_reach_the_pod_from_another_language(provider: Provider) -> None:
    """`sidecars` / `initContainers` as TypeScript, Go or YAML send them; a sidecar's secret env value goes into the
    app's Secret under its own key."""
    inputs = {
        **APP,
        "sidecars": [
            {
                "name": "shipper",
                "image": "fluent/fluent-bit:3.1",
                "env": {"TOKEN": {**SECRET_OUTPUT, "value": "t0ken"}, "MODE": "ship"},
                "containerPorts": [{"containerPort": 2020.0, "name": "metrics"}],
                "writablePaths": ["/tmp"],
            }
        ],
        "initContainers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.0", "args": ["up"]}],
        "memoryPaths": {"/dev/shm": "0.5Gi"},
    }
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    pod = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"]["spec"]
    shipper, migrate = pod["initContainers"]
    assert {"name": "mem-dev-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "512Mi"}} in pod["volumes"]
    assert (shipper["name"], shipper["restartPolicy"], migrate["name"]) == ("shipper", "Always", "migrate")
    assert shipper["ports"] == [{"containerPort": 2020, "protocol": "TCP", "name": "metrics"}]
    assert shipper["env"] == [  # a map from another language comes in the order of its names
        {"name": "MODE", "value": "ship"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "shipper.TOKEN"}}},
    ]
    assert migrate["args"] == ["up"] and "restartPolicy" not in migrate
    assert "t0ken" not in json.dumps(pod)
    secret = provider.cluster.get("kubernetes:core/v1:Secret", "web-env")
    assert secret.inputs["stringData"] == {**SECRET_SIG, "value": {"shipper.TOKEN": "t0ken"}}


def test_scheduling_reaches_the_pod_from_another_language(provider: Provider) -> None:
    """A TypeScript, Go or YAML program's scheduling fields (camelCase on the wire); label keys stay as written."""
    requirement = {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}
    inputs = {
        **APP,
        "nodeSelector": {"node_pool": "prod"},
        "tolerations": [{"key": "pool", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30.0}],
        "nodeAffinity": {"preferred": [{"weight": 10.0, "matchExpressions": [requirement]}]},
        "podAntiAffinity": [{"labels": {"team_name": "shop"}, "topologyKey": "topology.kubernetes.io/zone"}],
        "priorityClassName": "business-critical",
    }
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    pod = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"node_pool": "prod"}
    assert pod["tolerations"] == [{"key": "pool", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]
    assert pod["affinity"] == {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": {"matchExpressions": [requirement]}}
            ]
        },
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"team_name": "shop"}}, "topologyKey": "topology.kubernetes.io/zone"}
            ]
        },
    }
    assert pod["priorityClassName"] == "business-critical"


def test_the_drain_grace_period_and_rollout_reach_the_deployment_from_another_language(provider: Provider) -> None:
    """Online Boutique's 5 s grace period without a drain, and a Recreate rollout, as another language sends them;
    the `logs` output comes back in the component's state."""
    inputs = {**APP, "drainSeconds": 0.0, "terminationGracePeriodSeconds": 5.0, "rollout": {"strategy": "Recreate"}}
    state = provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    spec = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]
    assert spec["strategy"] == {"type": "Recreate"}
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] == 5
    assert "lifecycle" not in spec["template"]["spec"]["containers"][0]
    assert state["logs"] == (
        "kubectl logs -n default --selector app.kubernetes.io/name=web --all-containers --prefix --tail 100"
    )
    inputs = {**APP, "drainSeconds": 10.0, "rollout": {"maxSurge": 2.0, "maxUnavailablePercent": 10.0}}
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    spec = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": "10%"}}
    assert spec["template"]["spec"]["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": 10}}}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {**APP, "ports": [{"port": 70000.0}]},
            "ExposedDeployment 'web': ports[0].port 70000 is outside 1-65535; give a port number from 1 to 65535",
        ),
        (
            {**APP, "readinessProbe": {"httpGet": {"port": 80.0, "httpHeaders": [{"name": "a b", "value": "1"}]}}},
            "ExposedDeployment 'web': readiness_probe.http_get.http_headers[0].name 'a b' is not an HTTP header name",
        ),
        (
            {**APP, "replicas": 1.5},
            "ExposedDeployment 'web': replicas 1.5 is not a whole number >= 0; give the number of Pods, e.g. replicas=2",
        ),
        (
            {**APP, "sessionAffinity": "ClientIP", "sessionAffinityTimeoutSeconds": 86401.0},
            "ExposedDeployment 'web': session_affinity_timeout_seconds 86401 is not an integer in 1-86400",
        ),
    ],
)
def test_a_bad_input_is_an_invalid_property_naming_component_field_and_value(
    provider: Provider, inputs: dict[str, Any], message: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith(message)
    assert "Traceback" not in caught.value.details() and "File " not in caught.value.details()
    assert [r for r in provider.cluster.registered if r.custom] == []
    # The engine prints the message, then each property's reason: the reason says what is wrong, not all again.
    ((path, reason),) = property_errors(caught.value)
    assert path and (f" {reason};" in message or message.endswith(f" {reason}"))
    assert "ExposedDeployment" not in reason


def property_errors(error: grpc.RpcError) -> list[tuple[str, str]]:
    """The `(property path, reason)` pairs of an InvalidArgument status, as the engine reads them."""
    from pulumi.runtime.proto import errors_pb2, status_pb2

    metadata = dict(error.trailing_metadata() or ())  # type: ignore[attr-defined]
    status = status_pb2.Status.FromString(metadata["grpc-status-details-bin"])
    details = errors_pb2.InputPropertiesError()
    assert status.details[0].Unpack(details)
    return [(e.property_path, e.reason) for e in details.errors]


def test_a_value_checked_when_known_fails_the_construct_with_its_message() -> None:
    # An image from another resource is checked once known: the error comes from the registration. (The
    # engine ends the update on a failed Construct, so this provider process is not used again.)
    build = "urn:pulumi:dev::shop::docker-build:index:Image::orders"
    inputs = {**APP, "image": "ghcr.io/acme/orders 1.4.2"}
    with started_provider() as provider, pytest.raises(grpc.RpcError) as caught:
        provider.construct("kubexpose:index:ExposedDeployment", "web", inputs, dependencies={"image": [build]})
    assert "ExposedDeployment 'web': image 'ghcr.io/acme/orders 1.4.2' is not an image reference" in (
        caught.value.details()
    )


def test_property_paths_are_named_as_other_languages_name_them() -> None:
    from kubexpose.provider import _schema_path

    assert _schema_path("ports[0].node_port") == "ports[0].nodePort"
    assert _schema_path("session_affinity_timeout_seconds") == "sessionAffinityTimeoutSeconds"
    assert _schema_path("image") == "image"


def test_an_alias_to_addresses_gets_its_endpoint_slice(provider: Provider) -> None:
    state = provider.construct(
        "kubexpose:index:ExternalAlias", "orders-db", {"addresses": ["10.0.0.5"], "port": 5432.0}
    )
    assert state["endpoint"] == "orders-db:5432"
    assert state["target"] == "10.0.0.5"
    slice_ = provider.cluster.get("kubernetes:discovery.k8s.io/v1:EndpointSlice", "orders-db-ipv4")
    assert slice_.inputs["ports"] == [{"name": "", "port": 5432, "protocol": "TCP"}]
    assert provider.cluster.get("kubernetes:core/v1:Service", "orders-db-service").inputs["spec"]["type"] == "ClusterIP"


def test_a_stack_alias_for_a_component_another_construct_declares_is_not_an_error(provider: Provider) -> None:
    # One Construct shows one component: the whole-program alias check cannot run in a provider.
    config = {"kubexpose:aliases": json.dumps({"external-service": "sandbox.api.example.com"})}
    state = provider.construct("kubexpose:index:ExposedDeployment", "web", APP, config)
    assert state["endpoint"] == "web:80"
    alias = provider.construct(
        "kubexpose:index:ExternalAlias", "external-service", {"target": "api.example.com", "port": 443.0}, config
    )
    assert alias["target"] == "sandbox.api.example.com"


def test_production_fields_and_a_route_arrive_typed_from_another_language(provider: Provider) -> None:
    inputs = {
        **APP,
        "exposure": "internal",
        "replicas": None,
        "autoscaling": {"minReplicas": 2.0, "maxReplicas": 6.0, "cpuUtilization": 70.0},
        "disruptionBudget": {"maxUnavailablePercent": 25.0},
        "mounts": [{"configMap": "settings", "path": "/etc/app", "items": {"app.yaml": "app.yaml"}}],
        "podAnnotations": {"prometheus.io/scrape": "true"},
        "imagePullSecrets": ["registry"],
        "allowedCallers": ["web"],
        "http": {"host": "shop.example.com", "path": "/", "portName": "http"},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080.0}},
    }
    inputs = {k: v for k, v in inputs.items() if v is not None}
    config = {"kubexpose:ingress": json.dumps({"className": "nginx", "tlsSecret": "shop-tls"})}
    state = provider.construct("kubexpose:index:ExposedDeployment", "web", inputs, config)
    assert state["url"] == "https://shop.example.com/"
    cluster = provider.cluster
    hpa = cluster.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "web-autoscaler").inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    assert (
        cluster.get("kubernetes:policy/v1:PodDisruptionBudget", "web-disruption-budget").inputs["spec"][
            "maxUnavailable"
        ]
        == "25%"
    )
    pod = cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"]
    assert pod["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}
    assert pod["spec"]["volumes"][-1] == {
        "name": "m0-configmap-settings",
        "configMap": {"name": "settings", "items": [{"key": "app.yaml", "path": "app.yaml"}]},
    }
    assert pod["spec"]["containers"][0]["readinessProbe"] == {"httpGet": {"path": "/healthz", "port": 8080}}
    assert cluster.get("kubernetes:networking.k8s.io/v1:Ingress", "web-ingress").inputs["spec"]["tls"] == [
        {"hosts": ["shop.example.com"], "secretName": "shop-tls"}
    ]


def test_files_reach_the_pod_from_another_language_a_secret_one_through_the_secret(provider: Provider) -> None:
    """`files` as TypeScript, Go or YAML send it: a map whose secret leaf arrives as an engine output value; the plain
    file goes into the ConfigMap, the secret one into the Secret, both under one volume."""
    token = {**SECRET_OUTPUT, "value": "t0ken"}
    inputs = {**APP, "files": {"/etc/app/config.yaml": "level: info\n", "/etc/app/token": token}}
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    config = provider.cluster.get("kubernetes:core/v1:ConfigMap", "web-files")
    assert config.inputs["data"] == {"etc-app-config.yaml": "level: info\n"}
    secret_files = provider.cluster.get("kubernetes:core/v1:Secret", "web-secret-files")
    assert secret_files.inputs["stringData"] == {**SECRET_SIG, "value": {"etc-app-token": "t0ken"}}
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment")
    assert "t0ken" not in json.dumps(deployment.inputs)
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert pod["volumes"][-1]["projected"]["sources"] == [
        {"configMap": {"name": "web-files"}},
        {"secret": {"name": "web-files"}},
    ]
    assert "kubexpose.dev/files-sha256" in deployment.inputs["spec"]["template"]["metadata"]["annotations"]


def test_files_another_language_marks_secret_as_a_whole_all_go_into_the_secret(provider: Provider) -> None:
    """A map holding a secret value (not an output value) arrives secret as a whole: every file goes into the Secret
    (none into the ConfigMap), the paths stay readable in the Deployment."""
    inputs = {
        **APP,
        "files": {"/etc/app/config.yaml": "level: info\n", "/etc/app/token": {**SECRET_SIG, "value": "t0"}},
    }
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    assert not [r for r in provider.cluster.registered if r.type == "kubernetes:core/v1:ConfigMap"]
    secret_files = provider.cluster.get("kubernetes:core/v1:Secret", "web-secret-files")
    assert secret_files.inputs["stringData"] == {
        **SECRET_SIG,
        "value": {"etc-app-config.yaml": "level: info\n", "etc-app-token": "t0"},
    }
    pod = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"]["spec"]
    assert pod["volumes"][-1] == {"name": "files", "secret": {"secretName": "web-files"}}
    assert [m["mountPath"] for m in pod["containers"][0]["volumeMounts"]][-2:] == [
        "/etc/app/config.yaml",
        "/etc/app/token",
    ]


def test_a_patch_reaches_the_object_from_another_language(provider: Provider) -> None:
    """`patches` as TypeScript, Go or YAML send it: the value is any data, its whole numbers as floats."""
    ops = [
        {"op": "add", "path": "/spec/minReadySeconds", "value": 5.0},
        {"op": "add", "path": "/spec/template/spec/hostAliases", "value": [{"ip": "10.0.0.1", "hostnames": ["db"]}]},
    ]
    provider.construct("kubexpose:index:ExposedDeployment", "web", {**APP, "patches": {"Deployment": ops}})
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs
    assert deployment["spec"]["minReadySeconds"] == 5
    assert deployment["spec"]["template"]["spec"]["hostAliases"] == [{"ip": "10.0.0.1", "hostnames": ["db"]}]
    assert deployment["metadata"]["annotations"]["kubexpose.dev/patched"] == (
        "add /spec/minReadySeconds; add /spec/template/spec/hostAliases"
    )


def test_a_stateful_app_reaches_its_objects_from_another_language(provider: Provider) -> None:
    """`ExposedStatefulSet` as TypeScript, Go or YAML send it: its inherited inputs (ports, env) and its volumes."""
    inputs = {
        "image": "redis:7.4-alpine",
        "ports": [{"port": 6379.0, "name": "redis"}],
        "replicas": 2.0,
        "volumes": [{"name": "data", "path": "/data", "size": "0.5Gi", "storageClass": "fast"}],
        "retention": {"whenScaled": "Delete"},
        "env": {"MODE": "cache"},
    }
    provider.construct("kubexpose:index:ExposedStatefulSet", "cache", inputs)
    stateful = provider.cluster.get("kubernetes:apps/v1:StatefulSet", "cache-stateful-set").inputs["spec"]
    assert stateful["replicas"] == 2 and stateful["serviceName"] == "cache-pods"
    assert stateful["volumeClaimTemplates"][0]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "512Mi"}},
        "storageClassName": "fast",
        "volumeMode": "Filesystem",
    }
    assert stateful["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Delete"}
    headless = provider.cluster.get("kubernetes:core/v1:Service", "cache-pods-service").inputs["spec"]
    assert headless["clusterIP"] == "None"


def test_a_worker_reaches_its_objects_from_another_language(provider: Provider) -> None:
    """`Worker` as TypeScript, Go or YAML send it: a Deployment and a NetworkPolicy admitting no one, no Service (a
    served-app input such as `port` is no property of its schema: those languages cannot give it)."""
    inputs = {"image": "ghcr.io/acme/loadgen:1.0", "replicas": 2.0, "env": {"TARGET": "http://frontend:80"}}
    state = provider.construct("kubexpose:index:Worker", "loadgen", inputs)
    kinds = sorted(r.type.split(":")[-1] for r in provider.cluster.registered if r.custom)
    assert kinds == ["Deployment", "NetworkPolicy", "PodDisruptionBudget", "ServiceAccount"]
    policy = provider.cluster.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "loadgen-network-policy")
    assert "ingress" not in policy.inputs["spec"]
    assert state["logs"].startswith("kubectl logs -n default --selector app.kubernetes.io/name=loadgen")


def test_mounts_of_a_claim_and_of_one_config_file_arrive_from_another_language(provider: Provider) -> None:
    inputs = {
        "image": "ghcr.io/acme/web:1.0",
        "port": 8080.0,
        "rollout": {"strategy": "Recreate"},
        "mounts": [
            {"claim": "uploads", "path": "/srv/uploads"},
            {"configMap": "nginx", "path": "/etc/nginx/nginx.conf", "subPath": "nginx.conf", "defaultMode": 288.0},
            {"secret": "tls", "path": "/etc/tls", "optional": True},
        ],
    }
    provider.construct("kubexpose:index:ExposedDeployment", "web", inputs)
    spec = provider.cluster.get("kubernetes:apps/v1:Deployment", "web-deployment").inputs["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["m0-claim-uploads"] == {
        "name": "m0-claim-uploads",
        "persistentVolumeClaim": {"claimName": "uploads"},
    }
    assert volumes["m1-configmap-nginx"]["configMap"] == {"name": "nginx", "defaultMode": 288}
    assert volumes["m2-secret-tls"]["secret"] == {"secretName": "tls", "optional": True}
    assert {"name": "m1-configmap-nginx", "mountPath": "/etc/nginx/nginx.conf", "readOnly": True,
            "subPath": "nginx.conf"} in spec["containers"][0]["volumeMounts"]  # fmt: skip


def test_a_workers_scheduled_and_run_once_jobs_arrive_from_another_language(provider: Provider) -> None:
    """`jobs` as another language sends it (a map of the `Job` type, numbers as floats): a CronJob and a Job."""
    report = {"command": ["./report"], "schedule": "0 3 * * *", "timeZone": "Etc/UTC", "keepSucceeded": 1.0}
    inputs = {"image": "ghcr.io/acme/mailer:1.0", "jobs": {"report": report, "seed": {"command": ["./seed"]}}}
    provider.construct("kubexpose:index:Worker", "mailer", inputs)
    cron = provider.cluster.get("kubernetes:batch/v1:CronJob", "mailer-job-report").inputs["spec"]
    assert (cron["schedule"], cron["timeZone"], cron["successfulJobsHistoryLimit"]) == ("0 3 * * *", "Etc/UTC", 1)
    seed = provider.cluster.get("kubernetes:batch/v1:Job", "mailer-job-seed").inputs["spec"]
    assert seed["template"]["spec"]["containers"][0]["command"] == ["./seed"]


def test_versions_and_their_weights_arrive_from_another_language(provider: Provider) -> None:
    """`versions` as another language sends it (a map of the `Version` type): a Deployment per version, the app's
    Service over all, the Deployments in the `deployments` output."""
    versions = {
        "v1": {"replicas": 3.0},
        "v2": {"image": "ghcr.io/acme/reviews:2.0", "replicas": 1.0, "env": {"C": "red"}},
    }
    inputs = {"image": "ghcr.io/acme/reviews:1.0", "port": 9080.0, "versions": versions}
    state = provider.construct("kubexpose:index:ExposedDeployment", "reviews", inputs)
    for version, replicas in (("v1", 3), ("v2", 1)):
        spec = provider.cluster.get("kubernetes:apps/v1:Deployment", f"reviews-{version}-deployment").inputs["spec"]
        assert (spec["replicas"], spec["selector"]["matchLabels"]["kubexpose.dev/version"]) == (replicas, version)
    service = provider.cluster.get("kubernetes:core/v1:Service", "reviews-service").inputs["spec"]
    assert service["selector"] == {"app.kubernetes.io/name": "reviews"}
    assert len(state["deployments"]) == 2


def test_the_apps_name_in_the_cluster_arrives_from_another_language(provider: Provider) -> None:
    """`name` apart from the component's name: the objects are `api`, the children's Pulumi names `api-east-*`."""
    inputs = {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "port": 8080.0}
    state = provider.construct("kubexpose:index:ExposedDeployment", "api-east", inputs)
    deployment = provider.cluster.get("kubernetes:apps/v1:Deployment", "api-east-deployment")
    assert deployment.inputs["metadata"]["name"] == "api"
    assert state["clusterDns"] == "api.default.svc.cluster.local"
