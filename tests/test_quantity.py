"""Container resources are checked as the API server checks them (found by the e2e suite: `cpu: lots`
was written out and refused at apply time). Both sides of every rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import Runner
from test_validation import assert_rejected
from test_workloads import pod, web

from kubexpose.k8s.quantity import canonical, parse_quantity


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("0", Decimal(0)),
        ("250m", Decimal("0.25")),
        ("0.5", Decimal("0.5")),
        (".5", Decimal("0.5")),
        ("1.", Decimal(1)),
        ("+1", Decimal(1)),
        ("128Mi", Decimal(128 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("1k", Decimal(1000)),
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("2Ei", Decimal(2 * 2**60)),
        (2, Decimal(2)),
        (0.5, Decimal("0.5")),
    ],
)
def test_quantities_the_api_server_accepts_are_parsed(text: Any, amount: Decimal) -> None:
    assert parse_quantity(text) == amount


@pytest.mark.parametrize(
    "text", ["lots", "", "1 Gi", "1GB", "1mi", "Mi", "1.2.3", "--1", "1e", "1Ki2", "0x10", True, None]
)
def test_quantities_the_api_server_refuses_are_not(text: Any) -> None:
    assert parse_quantity(text) is None


@pytest.mark.parametrize(
    ("resources", "match"),
    [
        ({"limits": {"cpu": "lots"}}, r"resources.limits.cpu 'lots' is not a Kubernetes quantity; write a number"),
        ({"requests": {"memory": "1GB"}}, r"resources.requests.memory '1GB' is not a Kubernetes quantity"),
        ({"requests": {"cpu": "-100m"}}, r"resources.requests.cpu '-100m' is negative; give zero or more"),
        (
            {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}},
            r"resources.requests.cpu '2' is more than the limit '1'; raise the limit or lower the request",
        ),
        (
            {"requests": {"memory": "257Mi"}, "limits": {"memory": "256Mi"}},
            r"resources.requests.memory '257Mi' is more than the limit '256Mi'",
        ),
        ({"requests": {"gpu": "1"}}, r"resources.requests 'gpu' is not a resource Kubernetes knows; use cpu, memory"),
        ({"limits": {"nvidia.com/gpu": "0.5"}}, r"resources.limits.nvidia.com/gpu '0.5' is not a whole number"),
        (
            {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "2"}},
            r"resources.requests.nvidia.com/gpu '1' differs from the limit '2'",
        ),
        ({"requests": {"hugepages-2Mi": "2Mi"}}, r"resources.requests.hugepages-2Mi '2Mi' has no limit"),
        ({"limits": {"hugepages-2Mi": "0.5"}}, r"resources.limits.hugepages-2Mi '0.5' is not a whole number of bytes"),
    ],
)
def test_resources_the_api_server_refuses_are_refused_before_registration(
    resources: dict[str, Any], match: str
) -> None:
    assert_rejected({"port": 8080, "resources": resources}, match)


@pytest.mark.parametrize(
    "resources",
    [
        {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}},  # a request equal to its limit
        {"requests": {"cpu": "999m"}, "limits": {"cpu": "1"}},
        {"requests": {"memory": "256Mi"}, "limits": {"memory": "268435456"}},  # the same amount, written two ways
        {"requests": {"cpu": "0"}},
        {"requests": {"cpu": "2"}},  # no limit: no bound
        {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "1"}},
        {"limits": {"hugepages-2Mi": "4Mi", "memory": "64Mi"}, "requests": {"hugepages-2Mi": "4Mi", "memory": "64Mi"}},
        {"requests": {"ephemeral-storage": "1Gi", "cpu": "500m"}},
    ],
)
def test_resources_the_api_server_accepts_are_written_as_given(run: Runner, resources: dict[str, Any]) -> None:
    (container,) = pod(run(web(resources=resources)))["containers"]
    assert container["resources"] == resources


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("0.5", "500m"),  # decimal SI: mantissa and an exponent that is a multiple of 3
        ("0.25", "250m"),
        ("1.5", "1500m"),
        ("1.0", "1"),
        ("2000m", "2"),
        ("1000", "1k"),
        ("0100m", "0100m"),  # leading zeros are dropped before the check, so the text is kept (as the server does)
        ("0.0000000001", "1n"),  # rounded up to nano units
        ("1.5Gi", "1536Mi"),  # binary SI: whole bytes in the largest exact suffix
        ("1024Mi", "1Gi"),
        ("1.5Ki", "1536"),
        ("0.5Ki", "512"),  # under 1Ki: decimal
        ("1.5e3", "1500"),  # exponent
        ("0.5e-3", "500e-6"),
        ("250m", "250m"),  # already canonical for their format: kept as written
        ("129e6", "129e6"),
        ("1e0", "1e0"),
        ("3Ki", "3Ki"),
        ("268435456", "268435456"),
        ("+1", "+1"),
        ("0", "0"),
        ("lots", "lots"),  # not a quantity: left to validation
    ],
)
def test_a_quantity_is_written_as_the_api_server_stores_it(text: str, stored: str) -> None:
    """apimachinery's `ParseQuantity(text).String()`; e2e/test_server_agreement.py asks the server for each of these."""
    assert canonical(text) == stored


@pytest.mark.parametrize(
    ("text", "stored"),
    [("0.5e-3", "1e-3"), ("0.0000000001", "1m"), ("1.0001", "1001m"), ("0.5", "500m"), ("100m", "100m")],
)
def test_a_request_or_limit_is_rounded_up_to_thousandths_as_the_server_defaults_it(text: str, stored: str) -> None:
    assert canonical(text, milli=True) == stored


def test_resources_are_rendered_in_the_form_the_server_stores(run: Runner) -> None:
    given = {"requests": {"cpu": "0.5", "memory": "1.5Gi"}, "limits": {"cpu": "1.0", "memory": "2048Mi"}}
    (container,) = pod(run(web(resources=given)))["containers"]
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "1536Mi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }


def test_an_empty_env_value_is_left_out_as_the_server_leaves_it_out(run: Runner) -> None:
    import pulumi

    (container,) = pod(run(web(env={"EMPTY": "", "LATER": pulumi.Output.from_input(""), "SET": "x"})))["containers"]
    assert container["env"] == [{"name": "EMPTY"}, {"name": "LATER"}, {"name": "SET", "value": "x"}]
