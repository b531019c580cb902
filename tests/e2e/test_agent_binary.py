"""`outpost-agent`, the agent alone that edge hosts install: it takes the same flags as
`outpost agent`, enrolls with a join token and runs what the tower places on its site."""
from __future__ import annotations

import subprocess

from harness.fleet import wait_site_serves
from harness.sites import SiteFactory
from harness.specs import example_spec, site_ports
from harness.waiting import free_port


def test_the_agent_binary_enrolls_and_serves_the_application(outpost_bin, tower, cli, api, engine, images, registry,
                                                             tmp_path):
    agent_binary = outpost_bin.parent / "outpost-agent"
    assert agent_binary.is_file(), f"{agent_binary} is built beside {outpost_bin}"
    factory = SiteFactory(outpost_bin, tower, cli, api, engine, tmp_path, agent_binary=agent_binary)
    try:
        site = factory("edge-1", {"region": "north"}, site_ports(free_port))
        assert factory.agents[0].argv[0] == str(agent_binary)
        (tmp_path / "app.yaml").write_text(example_spec(registry.address))
        cli.ok("apply", "-f", tmp_path / "app.yaml")
        wait_site_serves(site, "1.0.0")
        services = sorted(c["Labels"]["outpost.service"] for c in engine.site_containers(site.name, running_only=True))
        assert services == ["web", "worker"]
    finally:
        factory.stop_all()
        engine.remove_owned_containers()


def test_the_agent_binary_refuses_a_missing_data_directory_with_a_clear_error(outpost_bin):
    result = subprocess.run([outpost_bin.parent / "outpost-agent", "--tower", "https://127.0.0.1:1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--data is required" in result.stderr, result.stderr
