"""The tenants of this deployment: one JSON file each in infra/tenants/."""

from __future__ import annotations

from pathlib import Path

from infra import wiring
from tandem.model.tenant import Tenant, TenantFileError, load_tenant

TENANTS_DIR = Path(__file__).parent / "tenants"


def tenant_names() -> list[str]:
    return sorted(path.stem for path in TENANTS_DIR.glob("*.json"))


def tenant(name: str) -> Tenant:
    path = TENANTS_DIR / f"{name}.json"
    if not path.exists():
        known = ", ".join(tenant_names()) or "none"
        raise TenantFileError(f"no tenant named {name!r}: there is no {path} (tenants: {known})")
    tenant = load_tenant(path)
    unknown = sorted(set(tenant.deployment.schedules) - {s.name for s in wiring.SCHEDULES})
    if unknown:
        known = ", ".join(s.name for s in wiring.SCHEDULES)
        raise TenantFileError(
            f"{path}: deployment.schedules: no schedule {', '.join(unknown)} (schedules: {known})"
        )
    return tenant
