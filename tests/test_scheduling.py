"""Where an app's Pods run (issue 35, point 1): node selector, tolerations, node affinity, Pod affinity and
anti-affinity, priority class; the stack's defaults (`kubexpose:scheduling`) and an app's own values over them; each
rule the API server applies refused first, with the fix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Runner
from test_exposed_deployment import app, pod_spec

from kubexpose import ConfigError, StackProfile, ValidationError

ARM64 = {"match_expressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}]}
PROD_POOL = {
    "nodeSelector": {"pool": "prod"},
    "tolerations": [{"key": "pool", "value": "prod", "effect": "NoSchedule"}],
}


def test_nothing_is_written_when_nothing_is_asked(run: Runner) -> None:
    pod = pod_spec(run(app({})))
    assert not {"nodeSelector", "tolerations", "affinity", "priorityClassName"} & set(pod)


def test_every_scheduling_field_reaches_the_pod_spec(run: Runner) -> None:
    pod = pod_spec(
        run(
            app(
                {
                    "replicas": 3,
                    "node_selector": {"kubernetes.io/os": "linux"},
                    "tolerations": [
                        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
                        {
                            "key": "node.kubernetes.io/unreachable",
                            "operator": "Exists",
                            "effect": "NoExecute",
                            "toleration_seconds": 30,
                        },
                    ],
                    "node_affinity": {"required": [ARM64], "preferred": [{"weight": 20, **ARM64}]},
                    "pod_affinity": [{"apps": ["cache"], "topology_key": "topology.kubernetes.io/zone", "weight": 80}],
                    "pod_anti_affinity": [{"labels": {"tier": "batch"}, "namespaces": ["jobs"]}],
                    "priority_class_name": "business-critical",
                }
            )
        )
    )
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["tolerations"] == [
        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30},
    ]
    node_term = {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}]}
    assert pod["affinity"] == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [node_term]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 20, "preference": node_term}],
        },
        "podAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 80,
                    "podAffinityTerm": {
                        "labelSelector": {
                            "matchExpressions": [
                                {"key": "app.kubernetes.io/name", "operator": "In", "values": ["cache"]}
                            ]
                        },
                        "topologyKey": "topology.kubernetes.io/zone",
                    },
                }
            ]
        },
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": {"tier": "batch"}},
                    "topologyKey": "kubernetes.io/hostname",
                    "namespaces": ["jobs"],
                }
            ]
        },
    }
    assert pod["priorityClassName"] == "business-critical"
    # Spreading stays as it was: the scheduling fields add to it, they do not replace it.
    assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == ["kubernetes.io/hostname"]


def test_the_stacks_defaults_apply_to_every_app_and_an_app_overrides_them_field_by_field(run: Runner) -> None:
    profile = StackProfile.from_mapping({"scheduling": json.dumps({**PROD_POOL, "priorityClassName": "prod"})})
    pod = pod_spec(run(app({}, profile=profile)))
    assert pod["nodeSelector"] == {"pool": "prod"}
    assert pod["tolerations"] == [{"key": "pool", "value": "prod", "effect": "NoSchedule"}]
    assert pod["priorityClassName"] == "prod"
    pod = pod_spec(run(app({"node_selector": {"pool": "batch"}, "priority_class_name": "low"}, profile=profile)))
    assert pod["nodeSelector"] == {"pool": "batch"}  # replaced, not merged: the app says where it runs
    assert pod["tolerations"] == [{"key": "pool", "value": "prod", "effect": "NoSchedule"}]  # still the stack's
    assert pod["priorityClassName"] == "low"
    pod = pod_spec(run(app({"node_selector": {}, "tolerations": []}, profile=profile)))
    assert "nodeSelector" not in pod and "tolerations" not in pod  # an empty value clears the stack's


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"tolerations": [{"operator": "Equal", "value": "x"}]}, r"tolerations\[0\].operator 'Equal' is not 'Exists' "
         r"for a toleration without a key; give the taint's key"),
        ({"tolerations": [{"key": "pool", "operator": "Exists", "value": "prod"}]},
         r"tolerations\[0\].value 'prod' is given with operator 'Exists'; drop it, or use 'Equal'"),
        ({"tolerations": [{"key": "pool", "effect": "NoSchedul"}]},
         r"tolerations\[0\].effect 'NoSchedul'.*'NoSchedule', 'PreferNoSchedule' or 'NoExecute'"),
        ({"tolerations": [{"key": "pool", "effect": "NoSchedule", "toleration_seconds": 60}]},
         r"tolerations\[0\].toleration_seconds 60 is given for an effect other than 'NoExecute'"),
        ({"tolerations": [{"key": "pool", "operator": "Equals"}]}, r"tolerations\[0\].operator 'Equals'"),
        ({"tolerations": [{"key": "pool", "efect": "NoSchedule"}]}, r"tolerations\[0\].efect .*did you mean effect"),
        ({"tolerations": {"key": "pool"}}, r"tolerations .* is not a list"),
        ({"node_selector": {"pool": "a b"}}, r"node_selector\['pool'\] 'a b' is not a valid label value"),
        ({"node_affinity": {"required": [{"match_expressions": [{"key": "arch", "operator": "In"}]}]}},
         r"node_affinity.required\[0\].match_expressions\[0\].values \[\] is empty for operator 'In'"),
        ({"node_affinity": {"required": [{"match_expressions": [{"key": "arch", "operator": "Exists",
                                                                 "values": ["x"]}]}]}},
         r"node_affinity.required\[0\].match_expressions\[0\].values \['x'\] is given for operator 'Exists'; drop values"),
        ({"node_affinity": {"required": [{"match_expressions": [{"key": "cpus", "operator": "Gt",
                                                                 "values": ["many"]}]}]}},
         r"node_affinity.required\[0\].match_expressions\[0\].values \['many'\] is not one whole number for 'Gt'"),
        ({"node_affinity": {"required": [{"match_expressions": []}]}}, r"node_affinity.required\[0\].match_expressions \[\] is empty: the term would match no node"),
        ({"node_affinity": {"preferred": [{"weight": 0, **ARM64}]}},
         r"node_affinity.preferred\[0\].weight 0 is not a weight from 1 to 100"),
        ({"pod_affinity": [{"apps": ["cache"], "labels": {"a": "b"}}]}, r"pod_affinity\[0\] .* names the Pods neither "
         r"or twice"),
        ({"pod_anti_affinity": [{"labels": {}}]}, r"pod_anti_affinity\[0\].labels \{\} is empty: it would select every"),
        ({"pod_anti_affinity": [{"apps": ["web"], "topology_key": "not a key"}]},
         r"pod_anti_affinity\[0\].topology_key 'not a key' is not a qualified name"),
        ({"pod_affinity": [{"apps": ["cache"]}], "pod_anti_affinity": [{"apps": ["cache"]}]},
         r"pod_anti_affinity .* requires what pod_affinity requires .* no node could ever take the Pods"),
        ({"priority_class_name": "High"}, r"priority_class_name 'High' is not a PriorityClass name"),
    ],
)  # fmt: skip
def test_what_the_api_server_refuses_is_refused_first_with_the_fix(
    run: Runner, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app(args))


def test_a_bad_stack_default_names_the_config_key_and_the_field_as_the_stack_file_writes_it() -> None:
    with pytest.raises(ConfigError, match=r"config 'kubexpose:scheduling' tolerations\[0\].tolerationSeconds 5 is "
                       r"given for an effect other than 'NoExecute'"):  # fmt: skip
        StackProfile.from_mapping({"scheduling": {"tolerations": [{"key": "a", "tolerationSeconds": 5}]}})
    with pytest.raises(ConfigError, match=r"config 'kubexpose:scheduling' .* has the unknown field 'nodeSelectors'"):
        StackProfile.from_mapping({"scheduling": {"nodeSelectors": {"pool": "prod"}}})
    profile = StackProfile.from_mapping({"scheduling": {"nodeSelector": {"team_pool": "a"}}})
    assert profile.scheduling.node_selector == {"team_pool": "a"}  # a label key is never renamed


def test_the_independent_rules_refuse_what_the_api_server_refuses_in_placement() -> None:
    """tests/k8s_rules.py judges the fuzzed renders: its placement rules must fire on what the API server refuses."""
    from k8s_rules import scheduling_violations

    assert scheduling_violations({"tolerations": [{"key": "a", "operator": "Exists", "effect": "NoSchedule"}]}) == []
    for bad in (
        {"tolerations": [{"operator": "Equal"}]},
        {"tolerations": [{"key": "a", "operator": "Exists", "value": "b"}]},
        {"tolerations": [{"key": "a", "effect": "NoSchedule", "tolerationSeconds": 3}]},
        {"nodeSelector": {"a": "b c"}},
        {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "n", "operator": "Gt", "values": ["x"]}]}]}}}},
        {"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]}}},
        {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": ""}]}}},
        {"priorityClassName": "High"},
    ):  # fmt: skip
        assert scheduling_violations(bad), bad
