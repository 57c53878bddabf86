"""No secret in plain state (issue 35, point 8): pulumi-kubernetes stores every field of an object in plain text in
the state except what goes into a Secret; a secret value anywhere but `env` (which the component routes into its own
Secret) is refused with where it belongs, and its value is never shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError
from kubexpose.engine.run import run_program

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
SECRET = "hunter2-s3cret"


def secret(value: Any = SECRET) -> pulumi.Output[Any]:
    return pulumi.Output.secret(value)


def app(**args: Any) -> Callable[[], None]:
    return lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80, **args})


@pytest.mark.parametrize(
    ("program", "field", "fix"),
    [
        (app(image=secret(IMAGE)), "image", "registry credentials go in image_pull_secrets"),
        (app(args=["--token", secret()]), "args", "env={'TOKEN': secret}, args=['--token=$(TOKEN)']"),
        (app(command=secret(["app", SECRET])), "command", "refer to it as $(NAME)"),
        (app(labels={"team": secret()}), "labels['team']", "labels are readable by anyone"),
        (app(service_annotations={"note": secret()}), "service_annotations['note']", "annotations are readable"),
        (app(pod_annotations={"note": secret()}), "pod_annotations['note']", "annotations are readable"),
        (app(namespace=secret("shop")), "namespace", "give it as a plain value"),
        (app(replicas=secret(2)), "replicas", "give it as a plain value"),
        (lambda: ExternalAlias("db", {"target": secret("db.example.com"), "port": 5432}), "target", "plain value"),
        (lambda: ExternalAlias("db", {"addresses": ["10.0.0.5"], "port": secret(5432)}), "ports", "plain value"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_a_secret_outside_env_is_refused_with_where_it_belongs(
    program: Callable[[], None], field: str, fix: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        run_program(program)
    message = str(refused.value)
    assert message.startswith(f"{message.split(':', 1)[0]}: {field} [secret] is a secret, which pulumi-kubernetes "
                              "would store in plain text in the state; "), message  # fmt: skip
    assert fix in message
    assert SECRET not in message and "db.example.com" not in message


def test_a_secret_env_value_still_reaches_the_pod_through_the_components_secret_and_args_refer_to_it() -> None:
    run = run_program(app(env={"TOKEN": secret()}, args=["--token=$(TOKEN)"]))
    deployment = run.get("Deployment", "web").inputs
    assert SECRET not in str(deployment)
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"] == ["--token=$(TOKEN)"]
    assert run.get("Secret", "web-env").inputs["stringData"] == {"TOKEN": SECRET}


def test_a_value_made_plain_on_purpose_is_taken() -> None:
    run = run_program(app(image=pulumi.Output.unsecret(secret(IMAGE)), labels={"team": pulumi.Output.from_input("a")}))
    assert run.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
