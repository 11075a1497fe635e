"""Who is asking: the principal of a request, what its role may do, and which units it may see.

dashboard/auth.py decides the principal of each request and keeps it in flask.g; everything else
asks here. Outside a request (the CLI, cron briefs, tests calling functions) the principal is the
system, which sees everything: the command line is for those who already hold the database.
"""
from __future__ import annotations

import dataclasses

import flask

@dataclasses.dataclass(frozen=True)
class Principal:
    """A signed-in user, a wall screen's token, the demo mode, or the system."""

    name: str
    role: str  # one of data/accounts.py ROLES, or wall
    township: str | None = None  # the one township a township user may see (with its villages)
    kind: str = "user"  # user | wall | demo | system

    @property
    def can_export(self) -> bool:
        """CSV and PNG briefs, the missing-report list and templates: everyone but viewers and walls."""
        return self.role in ("admin", "city", "township")

    def can_upload(self, township_upload: bool = False) -> bool:
        """Monthly files through the browser: admins, and township users when the setting allows it."""
        return self.role == "admin" or (township_upload and self.role == "township")

    @property
    def is_wall(self) -> bool:
        """A wall screen's token: the wall page and its own callbacks only."""
        return self.kind == "wall"

    @property
    def label(self) -> str:
        """The name the audit log gives this principal."""
        return f"wall:{self.name}" if self.is_wall else self.name


SYSTEM = Principal("system", "admin", kind="system")
DEMO = Principal("demo", "admin", kind="demo")


def current() -> Principal | None:
    """The principal of the request being served; the system outside a request."""
    if not flask.has_request_context():
        return SYSTEM
    return flask.g.get("principal")


def current_township() -> str | None:
    """The township the current principal is limited to; None when it may see every unit.

    A request without a principal never gets this far (dashboard/auth.py refuses it); should one
    slip through, it sees nothing rather than everything.
    """
    principal = current()
    if principal is None:
        return NOBODY
    return principal.township


NOBODY = "-"  # a township code no unit has: the scope of a request with no principal
