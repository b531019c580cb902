"""The CLI as a user meets it: output formats, server messages, and its exit codes
(0 ok, 1 user error or the server's refusal, 2 tower unreachable)."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from harness import specs
from harness.checks import items_of, snapshot

REGISTRY = "127.0.0.1:5000"  # nothing runs in these tests


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_table(text: str, names: list[str]) -> None:
    rows = table_rows(text)
    assert rows and re.search(r"\bNAME\b", rows[0], re.IGNORECASE), f"no header row:\n{text}"
    for name in names:
        assert any(row.split()[0] == name for row in rows[1:]), f"no row for {name}:\n{text}"


@pytest.fixture
def stocked(cli):
    """Two sites, and an application with a deployment, all made through the CLI."""
    cli.ok("sites", "create", "north-1", "--label", "region=north", "--label", "tier=gold", "--var", "WEB_PORT=18081")
    cli.ok("sites", "create", "south-1", "--label", "region=south")
    stream = specs.to_yaml(specs.application("shop", "1.0.0", REGISTRY),
                           specs.deployment("shop", "shop", "1.0.0", "region = north"))
    result = cli.ok("apply", "-f", "-", input=stream)
    assert "shop" in result.out, result
    return cli


def test_get_sites_as_json_yaml_and_table(stocked):
    cli = stocked
    as_json = items_of(json.loads(cli.ok("get", "sites", "-o", "json").out))
    assert sorted(site["name"] for site in as_json) == ["north-1", "south-1"]
    north = next(site for site in as_json if site["name"] == "north-1")
    assert north["labels"].get("region") == "north" and north["labels"].get("tier") == "gold"
    assert north["vars"] == {"WEB_PORT": "18081"}

    as_yaml = items_of(yaml.safe_load(cli.ok("get", "sites", "-o", "yaml").out))
    assert sorted(site["name"] for site in as_yaml) == ["north-1", "south-1"]

    assert_table(cli.ok("get", "sites").out, ["north-1", "south-1"])
    assert_table(cli.ok("get", "sites", "-o", "table").out, ["north-1", "south-1"])


def test_get_applications_deployments_and_instances(stocked):
    cli = stocked
    apps = items_of(json.loads(cli.ok("get", "applications", "-o", "json").out))
    assert [(a["name"], a["version"]) for a in apps] == [("shop", "1.0.0")]
    deployments = items_of(json.loads(cli.ok("get", "deployments", "-o", "json").out))
    assert [(d["name"], d["application"], d["version"]) for d in deployments] == [("shop", "shop", "1.0.0")]
    assert items_of(json.loads(cli.ok("get", "instances", "-o", "json").out)) == []
    assert_table(cli.ok("get", "applications").out, ["shop"])
    assert_table(cli.ok("get", "deployments").out, ["shop"])


def test_describe_deployment_in_every_format(stocked):
    cli = stocked
    described = json.loads(cli.ok("describe", "deployment", "shop", "-o", "json").out)
    as_yaml = yaml.safe_load(cli.ok("describe", "deployment", "shop", "-o", "yaml").out)
    for document in (described, as_yaml):
        text = json.dumps(document)
        assert "shop" in text and "1.0.0" in text and "region" in text, document
    table = cli.ok("describe", "deployment", "shop").out
    assert "shop" in table and "1.0.0" in table, table


def test_sites_label_sets_and_removes_labels(stocked, api):
    stocked.ok("sites", "label", "north-1", "zone=a", "tier-")
    status, site = api.get("/v1/sites/north-1")
    assert status == 200, site
    assert site["labels"].get("zone") == "a"
    assert "tier" not in site["labels"]
    assert site["labels"].get("region") == "north"


def test_bad_apply_exits_1_with_the_server_message(stocked, api, tmp_path):
    broken = specs.application("cart", "1.0.0", REGISTRY)
    broken["services"][0]["containers"][0]["image"] = 42
    path = tmp_path / "broken.yaml"
    path.write_text(specs.to_yaml(broken))
    before = snapshot(api)
    result = stocked("apply", "-f", path)
    assert result.rc == 1, result
    assert "services[0].containers[0].image" in result.out + result.err, f"server message missing: {result}"
    assert snapshot(api) == before


@pytest.mark.parametrize("args", [
    ("apply", "-f", "/nonexistent/spec.yaml"),
    ("describe", "deployment", "no-such-deployment"),
    ("sites", "create", "North_1"),
    ("get", "sites", "--no-such-flag"),
], ids=["missing-file", "unknown-deployment", "invalid-site-name", "unknown-flag"])
def test_user_errors_exit_1_with_a_message(stocked, args):
    result = stocked(*args)
    assert result.rc == 1, result
    assert result.err.strip(), f"no message on stderr: {result}"


def test_tower_down_exits_2(stocked, tower, tmp_path):
    tower.stop()
    spec = tmp_path / "spec.yaml"
    spec.write_text(specs.to_yaml(specs.application("cart", "1.0.0", REGISTRY)))
    for args in (("get", "sites"), ("apply", "-f", spec), ("sites", "create", "east-1")):
        result = stocked(*args, timeout=60)
        assert result.rc == 2, f"`outpost {' '.join(map(str, args))}` with the tower down: {result}"
        assert result.err.strip(), f"no message on stderr: {result}"
