"""Facts about the Terraform code that `terraform test` cannot state: provider constraints and the graph.

- Every root and module admits exactly the provider range the code needs: ``>= 5.76`` (``python3.13``
  as a Lambda runtime; ``logging_config`` since 5.32) and ``< 7.0`` (the next major may break it).
- In the network the module creates, the load balancer waits for the internet gateway's route: an
  internet-facing ALB cannot be created in a VPC whose subnets have no route to a gateway, and on destroy
  the route and gateway must outlive the ALB's public addresses. ``terraform graph`` shows the edge.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROVIDER_CONSTRAINT = ">= 5.76, < 7.0"


def _versions_files() -> list[Path]:
    files = [REPO / "versions.tf"]
    files += sorted((REPO / "modules").glob("*/versions.tf"))
    files += sorted((REPO / "examples").glob("*/versions.tf"))
    return files


@pytest.mark.parametrize("path", _versions_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_provider_constraint_admits_only_tested_range(path: Path) -> None:
    text = path.read_text()
    constraints = re.findall(r'(?<![\w])version\s*=\s*"([^"]*)"', text)
    assert constraints == [PROVIDER_CONSTRAINT], f"{path}: hashicorp/aws constraint {constraints}"


def _plugin_dir() -> str | None:
    found = subprocess.run(
        [str(REPO / "scripts" / "find-tf-plugins.sh")], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def _edges(dot: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for src, dst in re.findall(r'"([^"]+)"\s*->\s*"([^"]+)"', dot):
        graph[src].add(dst)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.fixture(scope="module")
def root_graph(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed")
    work = tmp_path_factory.mktemp("graph")
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        shutil.copy(REPO / name, work / name)
    shutil.copytree(REPO / "modules", work / "modules")
    plugin_dir = _plugin_dir()
    init = ["terraform", "init", "-input=false", "-backend=false"]
    if plugin_dir:
        init.append(f"-plugin-dir={plugin_dir}")
    subprocess.run(init, cwd=work, check=True, capture_output=True)
    dot = subprocess.run(["terraform", "graph"], cwd=work, check=True, capture_output=True, text=True)
    return _edges(dot.stdout)


def test_load_balancer_waits_for_the_internet_route(root_graph: dict[str, set[str]]) -> None:
    after = _reachable(root_graph, "module.alb.aws_lb.this")
    for needed in (
        "module.network.aws_route.internet",
        "module.network.aws_route_table_association.public",
        "module.network.aws_internet_gateway.this",
    ):
        assert needed in after, f"the load balancer does not depend on {needed}"
