"""Errors the services raise; each message is written to be shown to a member of staff as it is."""

from __future__ import annotations


class CrmError(Exception):
    """Base class: something the user can be told about plainly."""


class ValidationError(CrmError):
    """Bad input. `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class NotFoundError(CrmError):
    pass


class ConflictError(CrmError):
    """Someone else saved the row since it was loaded; nothing was overwritten."""


class PermissionDenied(CrmError):
    pass
