# Two commands a newcomer needs (both create .venv on first use):
#   make render   - render the dev stack offline into render/dev (no cluster, no Pulumi CLI)
#   make test     - run the test suite (newest and floor versions) and the consumer example's tests (what CI runs)
# and the end-to-end suite (CI runs it after `make test`):
#   make e2e      - the real Pulumi CLI and kubernetes provider against a loopback control plane
PYTHON ?= python3
VENV := .venv
FLOOR := .venv-floor
STACK ?= dev

# What rendering needs (the program's requirements.txt and kubexpose); the test tools come on top.
$(VENV)/.base: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -e .
	touch $@

$(VENV)/.installed: $(VENV)/.base requirements-dev.txt
	$(VENV)/bin/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $@

# The same suite at the oldest pulumi and pulumi-kubernetes kubexpose declares (requirements-floor.txt).
$(FLOOR)/.installed: requirements.txt requirements-dev.txt requirements-floor.txt pyproject.toml
	$(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install --quiet --upgrade pip
	$(FLOOR)/bin/python -m pip install --quiet -r requirements-dev.txt -c requirements-floor.txt -e .
	touch $@

# The component provider's tests at its own floor (requirements-provider-floor.txt).
PROVIDER_FLOOR := .venv-provider-floor
$(PROVIDER_FLOOR)/.installed: requirements.txt requirements-dev.txt requirements-provider-floor.txt pyproject.toml
	$(PYTHON) -m venv $(PROVIDER_FLOOR)
	$(PROVIDER_FLOOR)/bin/python -m pip install --quiet --upgrade pip
	$(PROVIDER_FLOOR)/bin/python -m pip install --quiet -r requirements-dev.txt -c requirements-provider-floor.txt -e .
	touch $@

.PHONY: test test-floor test-provider-floor render lint fuzz bench schema e2e e2e-tools policy
test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest
	$(MAKE) test-floor
	$(MAKE) test-provider-floor
	$(MAKE) -C examples/consumer-stack test PYTHON=$(PYTHON)

test-floor: $(FLOOR)/.installed
	$(FLOOR)/bin/python -c "import importlib.metadata as m; print('floor:', *(f'{d} {m.version(d)}' for d in ('pulumi', 'pulumi-kubernetes', 'PyYAML', 'jsonpatch')))"
	$(FLOOR)/bin/python -m pytest

test-provider-floor: $(PROVIDER_FLOOR)/.installed
	$(PROVIDER_FLOOR)/bin/python -c "import importlib.metadata as m; print('provider floor:', *(f'{d} {m.version(d)}' for d in ('pulumi', 'pulumi-kubernetes')))"
	$(PROVIDER_FLOOR)/bin/python -m pytest tests/test_provider_schema.py tests/test_provider_grpc.py tests/test_consumer_examples.py

render: $(VENV)/.base
	$(VENV)/bin/kubexpose render --stack $(STACK) --out render/$(STACK)

# The component provider's schema and the API reference, both derived from the components' Args types.
schema: $(VENV)/.installed
	$(VENV)/bin/kubexpose schema

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The long property-based run: 3,000 examples per property, 4 properties (about 22 min on 2 cores, measured).
fuzz: $(VENV)/.installed
	HYPOTHESIS_PROFILE=long $(VENV)/bin/python -m pytest tests/test_fuzz.py --hypothesis-show-statistics

# Side-by-side benchmark against raw pulumi_kubernetes, cdk8s-plus (Python) and PyYAML (bench/README.md).
.venv-bench/.installed: requirements.txt bench/requirements.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	cd bench && ../.venv-bench/bin/python -m pip install --quiet -r requirements.txt
	touch $@

bench: .venv-bench/.installed
	JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 .venv-bench/bin/python bench/run.py --json bench/last-run.json --plot bench/results.png

# End to end: the Pulumi CLI, the kubernetes provider and a control plane (etcd, kube-apiserver,
# controller-manager, scheduler, kwok), built from Go modules into ~/.cache/kubexpose/ on first use
# (or a `pulumi` on PATH and envtest binaries in KUBEBUILDER_ASSETS), against programs run inline.
# K8S_VERSION=v1.34.4 runs the suite against another control-plane release (built once into its own cache folder).
K8S_VERSION ?=
e2e-tools: $(VENV)/.installed
	KUBEXPOSE_K8S_VERSION=$(K8S_VERSION) $(VENV)/bin/python -m kubexpose.live.toolchain build
	KUBEXPOSE_K8S_VERSION=$(K8S_VERSION) $(VENV)/bin/python -m kubexpose.live.toolchain where

e2e: e2e-tools policy
	KUBEXPOSE_K8S_VERSION=$(K8S_VERSION) KUBEXPOSE_E2E_REQUIRE=1 $(VENV)/bin/python -m pytest e2e -v -o addopts="-p no:cacheprovider" --durations=15

# The policy pack as a user gets it from the wheel: `kubexpose policy-pack policy/` writes the pack and its
# virtualenv (the Pulumi CLI does not create one for a local pack); `pulumi preview --policy-pack policy/`.
policy/.venv/.installed: $(VENV)/.installed $(wildcard components/kubexpose/policy_pack/*.py components/kubexpose/policy_pack/*.yaml components/kubexpose/policy_pack/*.txt components/kubexpose/policy_pack/*.json)
	$(VENV)/bin/kubexpose policy-pack policy/
	touch $@

policy: policy/.venv/.installed
