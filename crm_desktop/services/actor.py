"""Who is acting: a member of staff (with a role) or the system (sync, daily jobs)."""

from __future__ import annotations

from dataclasses import dataclass

from crm_desktop.services.errors import PermissionDenied

# What each role may do. `sensitive` covers revealing/exporting bank details and tax ids.
_ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "system": frozenset({"read", "write", "sensitive", "manage_staff", "export"}),
    "admin": frozenset({"read", "write", "sensitive", "manage_staff", "export"}),
    "staff": frozenset({"read", "write", "export"}),
    "viewer": frozenset({"read"}),
}


@dataclass(frozen=True)
class Actor:
    id: str
    role: str = "admin"
    name: str = ""

    @property
    def audit_name(self) -> str:
        """What goes into crm_activity_log.performedBy: 'system' or the staff id."""
        return self.id

    def can(self, right: str) -> bool:
        return right in _ROLE_RIGHTS.get(self.role, frozenset())

    def require(self, right: str) -> None:
        if not self.can(right):
            label = self.name or self.id
            raise PermissionDenied(f"{label} ({self.role}) is not allowed to {right.replace('_', ' ')}.")


SYSTEM = Actor("system", "system", "System")
