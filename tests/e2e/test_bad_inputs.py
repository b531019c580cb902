"""Every bad input gets the right 4xx naming the offending field, and stores nothing."""
from __future__ import annotations

import copy
import json
import random
import re
import socket
import time
from typing import Any, Callable

import pytest

from harness import specs
from harness.checks import assert_error, snapshot
from harness.tower import Api

REGISTRY = "127.0.0.1:5000"  # nothing runs in these tests; the image is never pulled
SITE = "north-1"
APP = "shop"


@pytest.fixture
def seeded(tower, api: Api) -> Api:
    """A tower holding one site, one application version and one deployment."""
    status, body = api.post("/v1/sites", {"name": SITE, "labels": {"region": "north"}, "vars": {"WEB_PORT": "18081"}})
    assert status == 201, f"{status} {body}"
    status, body = api.post("/v1/applications", specs.application(APP, "1.0.0", REGISTRY))
    assert status == 201, f"{status} {body}"
    status, body = api.post("/v1/deployments", specs.deployment(APP, APP, "1.0.0", "region = north"))
    assert status == 201, f"{status} {body}"
    return api


def expect_rejected(api: Api, method: str, path: str, body: Any, status: int, *, code: str | None = None,
                    field: str | None = None, content_type: str | None = None,
                    headers: dict | None = None) -> dict:
    before = snapshot(api)
    got_status, got_body = api.request(method, path, body, content_type=content_type, headers=headers)
    error = assert_error(got_status, got_body, status, code, field)
    assert snapshot(api) == before, f"{method} {path} was rejected but changed the store"
    return error


# --- malformed documents -----------------------------------------------------------------------

MALFORMED = [
    ("json-site", "/v1/sites", '{"name": "south-1", "labels": {', "application/json"),
    ("json-apply", "/v1/apply", '{"kind": "application", "name": "cart", "services": [', "application/json"),
    ("json-application", "/v1/applications", '{"kind": "application", "name": "cart",,}', "application/json"),
    ("yaml-apply", "/v1/apply", "kind: application\nname: cart\nservices: [\n  {name: web\n", "application/yaml"),
    ("yaml-tabs", "/v1/apply", "kind: application\nname: cart\n\tversion: 1.0.0\n", "application/yaml"),
    ("yaml-deployment", "/v1/deployments", "kind: deployment\nname: [cart\n", "application/yaml"),
]


@pytest.mark.parametrize("path,body,content_type", [case[1:] for case in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_document_is_400(seeded, path, body, content_type):
    expect_rejected(seeded, "POST", path, body, 400, code="bad_request", content_type=content_type)


# --- well-formed but wrong specifications ------------------------------------------------------

def app_doc(change: Callable[[dict], Any]) -> dict:
    doc = specs.application("cart", "1.0.0", REGISTRY)
    change(doc)
    return doc


def deployment_doc(change: Callable[[dict], Any]) -> dict:
    doc = specs.deployment("cart", APP, "1.0.0", "region = north")
    change(doc)
    return doc


def container(doc: dict) -> dict:
    return doc["services"][0]["containers"][0]


INVALID_SPECS = [
    ("unknown-field", app_doc(lambda d: container(d).update(imagee="x")), "services[0].containers[0].imagee"),
    ("unknown-top-level-field", app_doc(lambda d: d.update(verison="1.0.0")), "verison"),
    ("missing-version", app_doc(lambda d: d.pop("version")), "version"),
    ("missing-image", app_doc(lambda d: container(d).pop("image")), "services[0].containers[0].image"),
    ("image-wrong-type", app_doc(lambda d: container(d).update(image=42)), "services[0].containers[0].image"),
    ("replicas-wrong-type", app_doc(lambda d: d["services"][1].update(replicas="three")), "services[1].replicas"),
    ("invalid-app-name", app_doc(lambda d: d.update(name="Cart_Web")), "name"),
    ("invalid-service-name", app_doc(lambda d: d["services"][0].update(name="web service")), "services[0].name"),
    ("bad-label-expression", deployment_doc(lambda d: d["placement"].update(sites="region in (north")),
     "placement.sites"),
    ("unknown-application", deployment_doc(lambda d: d.update(application="nowhere")), "application"),
    ("unknown-version", deployment_doc(lambda d: d.update(version="9.9.9")), "version"),
    ("invalid-deployment-name", deployment_doc(lambda d: d.update(name="-cart")), "name"),
]


def direct_endpoint(doc: dict) -> str:
    return "/v1/applications" if doc["kind"] == "application" else "/v1/deployments"


@pytest.mark.parametrize("via", ["apply-yaml", "endpoint-json"])
@pytest.mark.parametrize("doc,field", [case[1:] for case in INVALID_SPECS], ids=[c[0] for c in INVALID_SPECS])
def test_invalid_spec_is_422_naming_the_field(seeded, doc, field, via):
    if via == "apply-yaml":
        error = expect_rejected(seeded, "POST", "/v1/apply", specs.to_yaml(doc), 422, code="invalid", field=field,
                                content_type="application/yaml")
    else:
        error = expect_rejected(seeded, "POST", direct_endpoint(doc), doc, 422, code="invalid", field=field)
    if field == "placement.sites":
        # A parse error says where: the expression contains no digit, so a digit is a position.
        assert re.search(r"\d", error["message"]), f"no position in {error['message']!r}"


SITE_BODIES = [
    ("invalid-name", {"name": "North_1"}, "name"),
    ("name-wrong-type", {"name": 42}, "name"),
    ("missing-name", {"labels": {"region": "north"}}, "name"),
    ("unknown-field", {"name": "south-1", "labelz": {}}, "labelz"),
    ("label-value-wrong-type", {"name": "south-1", "labels": {"region": ["north"]}}, "labels.region"),
]


@pytest.mark.parametrize("body,field", [case[1:] for case in SITE_BODIES], ids=[c[0] for c in SITE_BODIES])
def test_invalid_site_is_422_naming_the_field(seeded, body, field):
    expect_rejected(seeded, "POST", "/v1/sites", body, 422, code="invalid", field=field)


# --- conflicts -----------------------------------------------------------------------------------

def test_duplicate_site_is_409(seeded):
    expect_rejected(seeded, "POST", "/v1/sites", {"name": SITE, "labels": {"region": "south"}}, 409,
                    code="already_exists")


def test_changed_application_version_is_immutable(seeded):
    changed = specs.application(APP, "1.0.0", REGISTRY, image_version="2.0.0")
    expect_rejected(seeded, "POST", "/v1/applications", changed, 409, code="immutable")


def test_stale_if_match_on_put_deployment_is_412(seeded):
    status, current = seeded.get(f"/v1/deployments/{APP}")
    assert status == 200, current
    stale = current["revision"]
    moved = specs.deployment(APP, APP, "1.0.0", "region = south")
    status, body = seeded.put(f"/v1/deployments/{APP}", moved, headers={"If-Match": str(stale)})
    assert status == 200, f"PUT with the current revision: {status} {body}"
    assert body["revision"] != stale

    back = specs.deployment(APP, APP, "1.0.0", "region = west")
    expect_rejected(seeded, "PUT", f"/v1/deployments/{APP}", back, 412, code="revision_mismatch",
                    headers={"If-Match": str(stale)})
    status, body = seeded.get(f"/v1/deployments/{APP}")
    assert body["placement"]["sites"].replace(" ", "") == "region=south", body


def test_stale_if_match_on_patch_site_is_412(seeded):
    status, current = seeded.get(f"/v1/sites/{SITE}")
    assert status == 200, current
    stale = current["revision"]
    status, body = seeded.patch(f"/v1/sites/{SITE}", {"labels": {"tier": "gold"}}, headers={"If-Match": str(stale)})
    assert status == 200, f"PATCH with the current revision: {status} {body}"

    expect_rejected(seeded, "PATCH", f"/v1/sites/{SITE}", {"labels": {"tier": "silver"}}, 412,
                    code="revision_mismatch", headers={"If-Match": str(stale)})
    status, body = seeded.get(f"/v1/sites/{SITE}")
    assert body["labels"].get("tier") == "gold" and body["labels"].get("region") == "north", body


def test_multi_document_apply_with_one_bad_document_stores_none(seeded):
    good_app = specs.application("cart", "1.0.0", REGISTRY)
    good_deployment = specs.deployment("cart", "cart", "1.0.0", "region = north")
    bad_deployment = specs.deployment("cart-canary", "cart", "1.0.0", "region in (north")
    site = {"kind": "site", "name": "south-1", "labels": {"region": "south"}}
    stream = specs.to_yaml(site, good_app, bad_deployment, good_deployment)
    expect_rejected(seeded, "POST", "/v1/apply", stream, 422, code="invalid", field="placement.sites",
                    content_type="application/yaml")
    for path in ("/v1/applications/cart", "/v1/deployments/cart", "/v1/sites/south-1"):
        status, body = seeded.get(path)
        assert status == 404, f"GET {path} after a rejected apply: {status} {body}"


# --- fuzz ------------------------------------------------------------------------------------------

FUZZ_TARGETS = [
    ("POST", "/v1/sites"), ("POST", "/v1/apply"), ("POST", "/v1/applications"), ("POST", "/v1/deployments"),
    ("POST", f"/v1/sites/{SITE}/tokens"), ("POST", "/v1/enroll"), ("PATCH", f"/v1/sites/{SITE}"),
    ("PUT", f"/v1/deployments/{APP}"),
]


def mutate_leaf(rng: random.Random, node: Any) -> Any:
    """Replaces one random leaf of a JSON document with a value of a random other type."""
    odd_values = [None, True, -1, 1e308, "", "x" * 5000, [], {}, "${", "\u0000", "../../etc", [[[[]]]]]
    if isinstance(node, dict) and node:
        key = rng.choice(list(node))
        node[key] = mutate_leaf(rng, node[key]) if rng.random() < 0.7 else rng.choice(odd_values)
        return node
    if isinstance(node, list) and node:
        index = rng.randrange(len(node))
        node[index] = mutate_leaf(rng, node[index]) if rng.random() < 0.7 else rng.choice(odd_values)
        return node
    return rng.choice(odd_values)


def fuzz_bodies(rng: random.Random) -> list[tuple[str, bytes | str, str]]:
    app = specs.application("fuzz", "1.0.0", REGISTRY)
    app_json = json.dumps(app)
    app_yaml = specs.to_yaml(app, specs.deployment("fuzz", "fuzz", "1.0.0", "region = north"))
    bodies: list[tuple[str, bytes | str, str]] = [
        ("deep-json-array", "[" * 100_000, "application/json"),
        ("deep-json-object", '{"a":' * 50_000, "application/json"),
        ("deep-yaml-flow", "a: " + "[" * 50_000, "application/yaml"),
        ("deep-yaml-block", "".join("  " * i + "- \n" for i in range(2_000)), "application/yaml"),
        # Aliases expand when converted to JSON: 9^6 leaves, enough to notice, small enough to be
        # harmless on a shared machine if the tower does expand them.
        ("yaml-alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(5)),
         "application/yaml"),
        ("empty", "", "application/json"),
        ("null", "null", "application/json"),
        ("number", "42", "application/json"),
        ("nul-bytes", b"\x00" * 64, "application/json"),
        ("invalid-utf8", b'{"name": "\xff\xfe\xfd"}', "application/json"),
        ("yaml-document-markers", "---\n---\n...\n---\n", "application/yaml"),
        ("yaml-huge-int", "kind: application\nname: fuzz\nversion: 1.0.0\nservices: [{name: web, replicas: "
         "99999999999999999999999999, containers: [{name: web, image: x}]}]\n", "application/yaml"),
    ]
    for i in range(14):
        cut = rng.randrange(1, len(app_json))
        bodies.append((f"truncated-json-{i}", app_json[:cut], "application/json"))
    for i in range(8):
        cut = rng.randrange(1, len(app_yaml))
        bodies.append((f"truncated-yaml-{i}", app_yaml[:cut], "application/yaml"))
    for i in range(10):
        bodies.append((f"random-bytes-{i}", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))),
                       rng.choice(["application/json", "application/yaml", "application/octet-stream"])))
    for i in range(16):
        doc = mutate_leaf(rng, copy.deepcopy(app))
        bodies.append((f"mutated-{i}", json.dumps(doc), "application/json"))
    return bodies


def test_fuzzed_bodies_never_get_a_5xx_and_the_tower_stays_up(seeded, tower):
    rng = random.Random(20_26_11_23)  # fixed: a failure reproduces
    bodies = fuzz_bodies(rng)
    assert len(bodies) >= 50
    failures = []
    for name, body, content_type in bodies:
        method, path = rng.choice(FUZZ_TARGETS)
        try:
            status, answer = seeded.request(method, path, body, content_type=content_type, timeout=30)
        except OSError as error:  # the connection died: the worst answer of all
            failures.append(f"{name} -> {method} {path}: {type(error).__name__}: {error}")
            continue
        if status >= 500 or status < 200:
            failures.append(f"{name} -> {method} {path}: {status} {str(answer)[:200]}")
        elif status >= 400 and not (isinstance(answer, dict) and "error" in answer):
            failures.append(f"{name} -> {method} {path}: {status} without an error object: {str(answer)[:200]}")
    assert tower.daemon.alive(), f"the tower died:\n{tower.log_tail()}"
    status, body = seeded.get("/v1/ca")
    assert status == 200, f"tower stopped answering: {status} {body}"
    assert not failures, "\n".join(failures)


def test_a_connection_that_never_starts_its_tls_handshake_is_dropped_and_holds_nobody_up(tower, api: Api):
    silent = socket.create_connection((tower.host, tower.port), timeout=30)
    try:
        started = time.monotonic()
        # The tower serves others while this connection's handshake waits on its deadline.
        status, body = api.get("/v1/sites")
        assert status == 200, f"{status} {body}"
        assert silent.recv(1) == b"", "the tower closes a connection whose handshake never came"
        waited = time.monotonic() - started
        assert 10 < waited < 30, f"closed after {waited:.1f} s; the handshake deadline is 15 s"
    finally:
        silent.close()
