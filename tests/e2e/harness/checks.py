"""Assertions about API answers shared by several test files."""
from __future__ import annotations

from typing import Any

from .tower import Api

COLLECTIONS = ("/v1/sites", "/v1/applications", "/v1/deployments")


def field_matches(reported: str | None, expected: str) -> bool:
    """The tower may prefix a field with the document it came from ("documents[1].version");
    the path inside the document must be exact."""
    return reported is not None and (reported == expected or reported.endswith("." + expected))


def assert_error(status: int, body: Any, expected_status: int, code: str | None = None,
                 field: str | None = None) -> dict:
    """The one error shape: {"error": {"code", "message", "field"}}."""
    assert status == expected_status, f"expected {expected_status}, got {status}: {body}"
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), f"not an error object: {body!r}"
    error = body["error"]
    assert isinstance(error.get("message"), str) and error["message"], f"error without a message: {error}"
    if code is not None:
        assert error.get("code") == code, f"expected code {code!r}: {error}"
    if field is not None:
        assert field_matches(error.get("field"), field), f"expected field {field!r}: {error}"
    return error


def snapshot(api: Api) -> dict[str, Any]:
    """Everything a bad request could have changed: every listing, with revisions, and every
    application's versions."""
    state: dict[str, Any] = {path: api.items(path) for path in COLLECTIONS}
    for app in state["/v1/applications"]:
        path = f"/v1/applications/{app['name']}/versions"
        state[path] = api.items(path)
    return state


def items_of(document: Any) -> list:
    """A list printed by the CLI: either a bare list or the API's {"items": [...]}."""
    if isinstance(document, dict) and "items" in document:
        return document["items"]
    assert isinstance(document, list), f"not a list: {document!r}"
    return document
