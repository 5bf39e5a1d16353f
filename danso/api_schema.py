"""The OpenAPI schema's shared parts: the error answers every operation may give.

drf-spectacular documents the success of each operation; a client (and Schemathesis)
must also know the refusals: 400 (what was sent is wrong: ``{"field": ["why"]}``,
``["why"]`` or ``{"detail": "why"}``), 401/403 (not logged in, or not allowed), 404
(nothing there, or outside the caller's units — the same answer on purpose) and 429 (too
many attempts).  Added to every operation by a post-processing hook
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERRORS = {
    "400": "The request is wrong: the answer says which field and why.",
    "401": "Not authenticated.",
    "403": "Not allowed: no login, or the caller's role does not allow it.",
    "404": "Not found, or outside the caller's units (the same answer on purpose).",
    "429": "Too many attempts: wait and try again.",
}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular post-processing hook: document ``ERRORS`` on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = {
        "description": "A refusal, with the reason in the reader's language.",
        "oneOf": [
            {"type": "object", "additionalProperties": True},
            {"type": "array", "items": {"type": "string"}},
        ],
    }
    error = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": error}},
                    },
                )
    return result
