"""What a synthesised IAM policy lets a principal do, evaluated as IAM does for one policy:
an explicit Deny wins, otherwise a matching Allow allows, otherwise the request is denied.

Enough of IAM for the stack's own policies (Action and Resource lists, `*` and `?` wildcards,
StringLike and StringEquals conditions); anything else raises, so a policy this cannot judge
fails its test rather than passing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Statement = Mapping[str, Any]


def allows(
    statements: list[Statement],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
    *,
    arns: Mapping[str, str],
) -> bool:
    """Whether the policy allows `action` on `resource` (an ARN). `arns` resolves the
    template's `Fn::GetAtt [<logical id>, Arn]` to concrete ARNs."""
    applying = [s for s in statements if _applies(s, action, resource, context or {}, arns)]
    if any(s["Effect"] == "Deny" for s in applying):
        return False
    return any(s["Effect"] == "Allow" for s in applying)


def _applies(
    statement: Statement,
    action: str,
    resource: str,
    context: Mapping[str, str],
    arns: Mapping[str, str],
) -> bool:
    unsupported = set(statement) - {"Effect", "Action", "Resource", "Condition", "Sid"}
    if unsupported:
        raise ValueError(f"cannot evaluate {sorted(unsupported)} in {statement}")
    actions = _as_list(statement["Action"])
    resources = [_resolve(r, arns) for r in _as_list(statement["Resource"])]
    return (
        any(_matches(pattern, action, case_sensitive=False) for pattern in actions)
        and any(_matches(pattern, resource, case_sensitive=True) for pattern in resources)
        and _conditions_hold(statement.get("Condition", {}), context)
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resolve(value: Any, arns: Mapping[str, str]) -> str:
    """A template value as a string: literal strings, Fn::Join and Fn::GetAtt ... Arn."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_resolve(part, arns) for part in parts)
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute == "Arn" and logical_id in arns:
            return arns[logical_id]
    raise ValueError(f"cannot resolve {value}")


def _matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM's wildcards: `*` any run of characters (`/` included), `?` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, value, flags | re.DOTALL) is not None


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, tests in conditions.items():
        if operator not in ("StringLike", "StringEquals"):
            raise ValueError(f"cannot evaluate the condition operator {operator}")
        for key, patterns in tests.items():
            if key not in context:
                return False
            value = context[key]
            if operator == "StringLike":
                held = any(_matches(p, value, case_sensitive=True) for p in _as_list(patterns))
            else:
                held = value in _as_list(patterns)
            if not held:
                return False
    return True


def function_ids(resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Logical id of each wired function, by its name (its Powertools service name)."""
    return {
        r["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]: logical_id
        for logical_id, r in of_type(resources, "AWS::Lambda::Function").items()
        if "POWERTOOLS_SERVICE_NAME" in r["Properties"].get("Environment", {}).get("Variables", {})
    }


def of_type(resources: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}
