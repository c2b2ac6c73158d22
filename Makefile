# Build, test and run the Cognito client-credentials stack. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Target of the Lambda bundles: must match Terraform's `architecture` and `runtime` (python$(PYTHON_VERSION)).
ARCH ?= arm64
PYTHON_VERSION ?= 3.13

VENV ?= .venv
PY := $(VENV)/bin/python
# The plans the security policies and the AWS contracts judge (make plans).
POLICY_OUT ?= build/policy
# The interpreter that creates the virtualenvs: 3.13, else 3.12 (scripts/find-python.sh says why it fails).
# Looked up only when a virtualenv is created; BOOTSTRAP_PYTHON=/path/to/python3.x overrides it.
FIND_PYTHON = $(or $(BOOTSTRAP_PYTHON),$$(scripts/find-python.sh $(PYTHON_VERSION)))
# A filesystem mirror of hashicorp/aws, found once per make run (and inherited by sub-makes): used when
# found, else `terraform init` downloads the provider as usual.
ifeq ($(origin TF_PLUGIN_DIR),undefined)
TF_PLUGIN_DIR := $(shell scripts/find-tf-plugins.sh)
endif
export TF_PLUGIN_DIR
HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
TF_INIT := terraform init -input=false -backend=false $(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR))

FUNCTION_SOURCES = $(shell find src/common src/$(1) -name '*.py' -not -path '*/__pycache__/*') src/$(1)/requirements.txt scripts/build_zip.py

.PHONY: help venv build build-host lint typecheck pytest test clean

help: ## list the targets (make local and make test first)
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
	  '{ line = sprintf("  make %-16s %s", $$1, $$2) } $$1 == "local" { a = line; next } $$1 == "test" { b = line; next } { rest = rest line "\n" } END { print a; print b; printf "%s", rest }'

$(VENV)/.installed: requirements-dev.txt src/resource/requirements.txt src/client/requirements.txt src/rotation/requirements.txt
	@test -x $(PY) || { python="$(FIND_PYTHON)" && [ -n "$$python" ] && "$$python" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## create the virtualenv with the pinned dev tools

# ---- Lambda bundles -------------------------------------------------------------------------
dist/resource.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,resource)
	$(PY) scripts/build_zip.py --function resource --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@
dist/client.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,client)
	$(PY) scripts/build_zip.py --function client --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@

# The verifier library and its dependencies as a Lambda layer (python/...), for functions of your own.
dist/rotation.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,rotation) $(call FUNCTION_SOURCES,client)
	$(PY) scripts/build_zip.py --function rotation --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@
dist/verifier-layer.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,resource)
	$(PY) scripts/build_zip.py --function resource --layer --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@

# examples/own-api's function (examples/local/orders/orders.py) for Lambda: your own zip, no dependencies.
examples/own-api/orders.zip: $(VENV)/.installed $(wildcard examples/local/orders/*.py) scripts/build_zip.py
	$(PY) scripts/build_zip.py --source examples/own-api/orders --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@

# The example pre-token-generation trigger (examples/token-trigger): token_customization's zip_path.
dist/token-trigger.zip: $(VENV)/.installed $(wildcard examples/token-trigger/*.py) scripts/build_zip.py
	$(PY) scripts/build_zip.py --source examples/token-trigger --arch $(ARCH) --python-version $(PYTHON_VERSION) --out $@

build: dist/resource.zip dist/client.zip dist/rotation.zip dist/verifier-layer.zip dist/token-trigger.zip ## build dist/{resource,client,rotation,verifier-layer,token-trigger}.zip for Lambda (ARCH=arm64, PYTHON_VERSION=3.13 by default)

# The same bundles for this machine (its CPU and the venv's Python): what tests and `make local` run.
HOST_PY_VERSION = $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
dist/host/resource.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,resource)
	$(PY) scripts/build_zip.py --function resource --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@
dist/host/client.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,client)
	$(PY) scripts/build_zip.py --function client --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@

dist/host/rotation.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,rotation) $(call FUNCTION_SOURCES,client)
	$(PY) scripts/build_zip.py --function rotation --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@
dist/host/verifier-layer.zip: $(VENV)/.installed $(call FUNCTION_SOURCES,resource)
	$(PY) scripts/build_zip.py --function resource --layer --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@

# examples/local's orders API: a function of your own (one file), which the verifier layer serves.
dist/host/orders.zip: $(VENV)/.installed $(wildcard examples/local/orders/*.py) scripts/build_zip.py
	$(PY) scripts/build_zip.py --source examples/local/orders --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@

# examples/local's token trigger: the example pre-token-generation trigger.
dist/host/token-trigger.zip: $(VENV)/.installed $(wildcard examples/token-trigger/*.py) scripts/build_zip.py
	$(PY) scripts/build_zip.py --source examples/token-trigger --arch $(HOST_ARCH) --python-version $(HOST_PY_VERSION) --pyc-python $(PY) --out $@

build-host: dist/host/resource.zip dist/host/client.zip dist/host/rotation.zip dist/host/verifier-layer.zip dist/host/orders.zip dist/host/token-trigger.zip ## build the bundles for this machine (dist/host/)

# ---- Python checks --------------------------------------------------------------------------
lint: $(VENV)/.installed ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed ## mypy --strict on each function's code
	$(VENV)/bin/mypy src/resource/app.py src/resource/cognito_m2m_verifier
	$(VENV)/bin/mypy src/client/app.py src/client/cognito_m2m_client
	MYPYPATH=src/client $(VENV)/bin/mypy src/rotation/app.py src/rotation/cognito_m2m_rotation

pytest: $(VENV)/.installed build-host $(POLICY_OUT)/plans.stamp ## pytest with line coverage of src/ (the AWS contracts read make plans' plans; the policies run in make policy)
	POLICY_OUT=$(POLICY_OUT) $(PY) -m pytest --cov --cov-report=term --ignore=tests/policy $(PYTEST_ARGS)

# ---- Terraform ------------------------------------------------------------------------------
# The repository root is the module. `tf-check` proves it offline: fmt, validate (root and examples),
# `terraform test` against a mocked provider, README tables up to date. `deploy`/`destroy` use your own
# AWS credentials and region (AWS_PROFILE / AWS_REGION ...); TF_APPLY_ARGS=-auto-approve skips the prompt.
TF_EXAMPLES := examples/minimal examples/complete examples/local examples/own-api
TF_DEPLOY_INIT := terraform init -input=false $(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR))
# `make deploy` is the demo: it asks for the GET /client endpoint, which the module leaves off by default.
TF_BUILD_VARS := -var=lambda_architecture=$(ARCH) -var=lambda_runtime=python$(PYTHON_VERSION) -var=enable_client_endpoint=true
TF_APPLY_ARGS ?=

.PHONY: tf-check tf-fmt tf-validate tf-test docs docs-check deploy destroy

tf-fmt: ## terraform fmt -check -recursive
	terraform fmt -check -recursive -diff

tf-validate: ## terraform validate at the root and in every example
	@for d in . $(TF_EXAMPLES); do \
	  echo "terraform validate $$d"; \
	  (cd $$d && $(TF_INIT) >/dev/null && terraform validate -no-color) || exit 1; \
	done

# A zip with no build manifest next to it (one built elsewhere), for the runs that deploy it as given.
build/tftest/unlabelled.zip: dist/resource.zip
	@mkdir -p $(@D) && cp $< $@

tf-test: build build/tftest/unlabelled.zip ## terraform test (tests/terraform, mocked provider) after make build
	$(TF_INIT) -test-directory=tests/terraform >/dev/null
	terraform test -test-directory=tests/terraform -no-color $(TF_TEST_ARGS)

docs-check: $(VENV)/.installed ## fail when README's Terraform tables differ from the .tf files
	$(PY) scripts/tfdocs.py --check

tf-check: tf-fmt tf-validate tf-test docs-check ## Terraform: fmt, validate root + examples, terraform test, README tables current

docs: $(VENV)/.installed ## regenerate the README's Terraform inputs/outputs tables from the .tf files
	$(PY) scripts/tfdocs.py

deploy: build ## build the zips, terraform apply the module to your AWS account, print its outputs
	$(TF_DEPLOY_INIT)
	terraform apply $(TF_BUILD_VARS) $(TF_APPLY_ARGS)
	@terraform output
	@echo
	@echo "Call it:  curl -s $$(terraform output -raw client_url)"

destroy: build ## terraform destroy what `make deploy` created
	$(TF_DEPLOY_INIT)
	terraform destroy $(TF_BUILD_VARS) $(TF_APPLY_ARGS)

# ---- Plans: security policies and AWS contracts --------------------------------------------
# JSON plans made without AWS: each root is applied to its own moto server on 127.0.0.1 and planned again,
# so that every value (ARNs inside IAM policies, generated names) is known. terraform-compliance judges
# the root (default inputs plus the demo endpoint, as `make deploy` applies it) and examples/complete;
# tests/contract checks those and examples/minimal, examples/own-api, an edge and a scale plan against
# AWS's documented rules, and follows a deployment over time (lifecycle). terraform-compliance lives in
# its own virtualenv: it pins radish-bdd and IPython, which we keep out of .venv.
POLICY_VENV ?= .venv-policy
POLICY_RUNNER := tests/policy/policy_runner.py
POLICY_PLAN_INPUTS = $(wildcard *.tf modules/*/*.tf examples/complete/*.tf examples/minimal/*.tf examples/own-api/*.tf) $(POLICY_RUNNER)

.PHONY: plans policy policy-plans contract

$(POLICY_VENV)/.installed: requirements-policy.txt
	@test -x $(POLICY_VENV)/bin/python || { python="$(FIND_PYTHON)" && [ -n "$$python" ] && "$$python" -m venv $(POLICY_VENV); }
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-policy.txt
	@touch $@

$(POLICY_OUT)/plans.stamp: $(VENV)/.installed dist/resource.zip dist/client.zip dist/rotation.zip dist/verifier-layer.zip dist/token-trigger.zip examples/own-api/orders.zip $(POLICY_PLAN_INPUTS)
	$(PY) $(POLICY_RUNNER) plans --out $(POLICY_OUT)
	@touch $@

plans: $(POLICY_OUT)/plans.stamp ## every plan the policies and contracts judge (each root applied to moto on loopback, no AWS; about 4 minutes)

policy-plans: plans

policy: $(POLICY_VENV)/.installed $(POLICY_OUT)/plans.stamp ## security policies (terraform-compliance) on the root and complete plans; each fails on its fixture
	POLICY_OUT=$(POLICY_OUT) $(PY) -m pytest -q -p no:cacheprovider tests/policy

contract: $(POLICY_OUT)/plans.stamp ## AWS's documented rules on every plan, and the lifecycle (tests/contract; also part of make pytest)
	POLICY_OUT=$(POLICY_OUT) $(PY) -m pytest -q -p no:cacheprovider tests/contract

test: policy

# ---- Local stack ----------------------------------------------------------------------------
# State (pids, logs, terraform state, unpacked zips) lives in .local/stack/ (LOCAL_STATE_DIR); ports:
# LOCAL_AWS_PORT (4566, moto), LOCAL_ALB_PORT (8080), LOCAL_AUTH_PORT (8081).
LOCAL_EDGE := PYTHONPATH=local $(PY) -m local_edge
.PHONY: local local-down local-token local-rotate local-metrics typecheck-local

# One timed step of `make local`: prints "==> <title> ...", runs the command, then "    done in N s".
define timed
	@echo "==> $(1) ..."; t0=$$(date +%s%N); $(2) && \
	  awk -v ns=$$(( $$(date +%s%N) - t0 )) 'BEGIN { printf "    done in %.1f s\n", ns / 1e9 }'
endef

local: ## run the whole flow here: moto, terraform apply of examples/local, local ALB + token endpoint, GET /client
	$(call timed,virtualenv $(VENV) (pinned packages; the first time about a minute),$(MAKE) --no-print-directory -s $(VENV)/.installed)
	@$(LOCAL_EDGE) ports
	@mkdir -p .local
	$(call timed,host zips (make build-host; log .local/build-host.log),{ $(MAKE) --no-print-directory -s build-host >.local/build-host.log 2>&1 || { tail -n 20 .local/build-host.log; false; }; })
	@$(LOCAL_EDGE) up

local-down: ## stop every process `make local` started and remove its state (.local/stack/)
	@$(LOCAL_EDGE) down

local-token: ## print an access token (CLIENT=<key of clients>, default demo; SCOPE=... to choose), for curl -H "Authorization: Bearer ..."
	@$(LOCAL_EDGE) token $(if $(CLIENT),--client "$(CLIENT)") $(if $(SCOPE),--scope "$(SCOPE)")

local-rotate: ## rotate a client's secret now, as Secrets Manager would (CLIENT=<key of clients>, default demo)
	@$(LOCAL_EDGE) rotate $(if $(CLIENT),--client "$(CLIENT)")

local-metrics: ## print the functions' metrics (their embedded-metric records in the stack's logs) and chart requests by outcome (.local/stack/metrics.png)
	@$(LOCAL_EDGE) metrics

typecheck-local: $(VENV)/.installed ## mypy --strict on the local edge
	$(VENV)/bin/mypy local/local_edge

typecheck: typecheck-local

# ---- Benchmarks -----------------------------------------------------------------------------
.PHONY: bench bench-node
$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

# aws-jwt-verify (Node) into bench/node_modules (git-ignored), only where node and npm exist.
bench-node: ## install aws-jwt-verify for the benchmark (where node and npm exist)
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  if [ ! -f bench/node_modules/.installed ] || [ bench/package-lock.json -nt bench/node_modules/.installed ]; then \
	    (cd bench && npm ci --no-audit --no-fund --loglevel=error) && touch bench/node_modules/.installed; \
	  fi; \
	else echo "bench: node/npm not found: the aws-jwt-verify case is skipped"; fi

bench: $(VENV)/.bench-installed build build-host bench-node ## measure verifier, token client, cold imports, zip sizes (bench/results.json, docs/performance.md)
	$(PY) -m bench.run $(BENCH_ARGS)

# ---- Reliability ----------------------------------------------------------------------------
# `make test` runs the reliability suite with the bounded Hypothesis profile "ci" and a short soak;
# these run it longer. SOAK_ARGS passes options to the soak (e.g. SOAK_ARGS="--requests 20000").
.PHONY: fuzz soak
FUZZ_FILES := tests/reliability/test_hostile_fuzz.py tests/reliability/test_hostile_corpus.py tests/reliability/test_token_endpoint_faults.py

fuzz: $(VENV)/.installed ## hostile-token fuzzing with many more examples (Hypothesis profile "fuzz")
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider $(FUZZ_FILES) --hypothesis-show-statistics

soak: $(VENV)/.installed build-host ## load + soak through the local stack (starts it if needed): 16 callers, 5,000 requests
	@$(LOCAL_EDGE).soak --check 2>/dev/null || $(LOCAL_EDGE) up
	$(LOCAL_EDGE).soak $(SOAK_ARGS)

# ---- Everything -----------------------------------------------------------------------------
test: lint typecheck pytest tf-check ## everything CI runs: lint, types, unit + e2e tests, Terraform and policy checks

clean: ## remove build outputs (not the venv)
	rm -rf dist build .pytest_cache .mypy_cache .ruff_cache .coverage
