"""A Terraform root outside this repository protects its own function through `apis`, planned against
the session's emulator (moto).

The root is examples/own-api copied to a temporary folder, with its module source pointed at this
repository by absolute path and a provider override that sends every call to moto. Its function zip is
its own: built from its own folder by scripts/build_zip.py --source (orders.py at the zip's root).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local_edge.stack import REPO_ROOT, Settings, StackInfo, host_architecture, plugin_dir

pytestmark = pytest.mark.e2e

PROVIDER_OVERRIDE = """
provider "aws" {
  region                      = "%(region)s"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    acm            = "%(endpoint)s"
    cloudwatch     = "%(endpoint)s"
    cloudwatchlogs = "%(endpoint)s"
    cognitoidp     = "%(endpoint)s"
    dynamodb       = "%(endpoint)s"
    ec2            = "%(endpoint)s"
    elbv2          = "%(endpoint)s"
    iam            = "%(endpoint)s"
    kms            = "%(endpoint)s"
    lambda         = "%(endpoint)s"
    secretsmanager = "%(endpoint)s"
    sns            = "%(endpoint)s"
    sts            = "%(endpoint)s"
  }
}
"""


def run_terraform(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # never real credentials
    env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null"})
    return subprocess.run(
        ["terraform", f"-chdir={root}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def own_root(tmp_path_factory: pytest.TempPathFactory, local_stack: tuple[Settings, StackInfo]) -> Path:
    settings, _ = local_stack
    root = tmp_path_factory.mktemp("own-root")
    assert not root.resolve().is_relative_to(REPO_ROOT)
    for tf in (REPO_ROOT / "examples" / "own-api").glob("*.tf"):
        text = tf.read_text()
        (root / tf.name).write_text(text.replace('source = "../.."', f'source = "{REPO_ROOT}"'))
    shutil.copytree(REPO_ROOT / "examples" / "own-api" / "orders", root / "orders")  # the link's content
    (root / "provider_override.tf").write_text(
        PROVIDER_OVERRIDE % {"region": settings.region, "endpoint": settings.aws_endpoint}
    )
    version = "{}.{}".format(*sys.version_info[:2])
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build_zip.py"), "--source", str(root / "orders"),
         "--arch", host_architecture(), "--python-version", version, "--out", str(root / "orders.zip")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    mirror = plugin_dir(settings)
    init = run_terraform(
        root, "init", "-input=false", "-no-color", *([f"-plugin-dir={mirror}"] if mirror else [])
    )
    assert init.returncode == 0, init.stderr[-3000:]
    return root


def plan(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    layer = REPO_ROOT / "dist" / "host" / "verifier-layer.zip"
    version = "{}.{}".format(*sys.version_info[:2])
    return run_terraform(
        root, "plan", "-input=false", "-no-color", "-out=own.tfplan",
        f"-var=verifier_layer_zip_path={layer}", f"-var=rotation_zip_path={layer.with_name('rotation.zip')}",
        f"-var=lambda_architecture={host_architecture()}",
        f"-var=lambda_runtime=python{version}", *extra,
    )  # fmt: skip


def test_a_root_outside_the_repository_plans_its_own_function_behind_the_load_balancer(
    own_root: Path,
) -> None:
    planned = plan(own_root)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    shown = run_terraform(own_root, "show", "-json", "own.tfplan")
    (own_root / "own.tfplan").unlink()
    assert shown.returncode == 0, shown.stderr
    changes = {c["address"]: c["change"]["after"] for c in json.loads(shown.stdout)["resource_changes"]}
    function = changes['module.m2m.module.api_function["orders"].aws_lambda_function.this']
    assert function["function_name"] == "orders-orders"
    assert function["handler"] == "orders.handler"
    assert (own_root / function["filename"]).resolve() == own_root / "orders.zip"  # its own zip
    # Its environment (the pool id, ROUTE_SCOPES) is known only after apply: terraform test checks it.
    assert "module.m2m.module.verifier_layer.aws_lambda_layer_version.this" in changes
    rule = changes['module.m2m.module.alb.aws_lb_listener_rule.this["orders"]']
    assert rule["condition"][0]["path_pattern"][0]["values"] == ["/orders", "/orders/*", "/tenants/*"]
    assert not [a for a in changes if "client_function" in a or 'api_function["resource"]' in a]  # no demo


def test_a_route_scope_that_no_resource_server_defines_fails_that_plan(own_root: Path) -> None:
    (own_root / "bad_override.tf").write_text(
        'module "m2m" {\n  apis = { orders = { zip_path = "./orders.zip", handler = "orders.handler",'
        ' routes = { "GET /orders" = ["orders/admin"] } } }\n}\n'
    )
    try:
        planned = plan(own_root)
    finally:
        (own_root / "bad_override.tf").unlink()
    assert planned.returncode != 0
    assert "apis routes require scopes that no resource server defines: orders/admin" in planned.stderr
