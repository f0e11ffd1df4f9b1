"""Domain errors: each carries a message a planner can act on.

The shell maps `GenXSOPError` to `st.error`, the CLI to one line on stderr and exit code 1.
"""
from __future__ import annotations

from dataclasses import dataclass


class GenXSOPError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigurationError(GenXSOPError):
    """The environment asks for something the product cannot do."""


class PermissionDenied(GenXSOPError):
    """The user's roles do not allow the action (checked in the service layer)."""


class Unauthenticated(GenXSOPError):
    """Credentials are missing or do not hold (a wrong password, an unknown, expired or revoked API key)."""


class NotFound(GenXSOPError):
    """A named thing (SKU, user, plan version) does not exist."""


class InvalidInput(GenXSOPError):
    """A parameter is out of range or malformed (not a file: files raise ValidationFailed)."""


class Conflict(GenXSOPError):
    """A write would clash with existing data or with someone else's edit."""


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in an input file, located by file, row and column."""

    file: str
    row: int | None  # 1-based data row as a spreadsheet user counts it (header is row 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ValidationFailed(GenXSOPError):
    """An input is invalid; nothing was written. `issues` lists every problem found."""

    def __init__(self, issues: list[ValidationIssue]):
        self.issues = issues
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"{shown}{more}")
