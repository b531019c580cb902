"""Helpers that drive a real Outpost tower, real agents, a private Podman and a loopback registry."""
