"""Settings: one frozen value read from the environment in one place."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

DEFAULT_VAR_DIR = Path.cwd() / "var"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the app, the CLI and the engine may be configured with."""

    database_url: str = ""
    var_dir: Path = DEFAULT_VAR_DIR
    cache_url: str = ""  # empty: in-process cache; redis://... : shared Redis cache
    cache_timeout: int = 600
    secret_key: str = ""
    debug: bool = False
    log_level: str = "INFO"
    # Status rules (README "How a status is decided").
    at_risk_ratio: float = 0.95  # projected reaches this share of the target: at risk, not off track
    trend_months: int = 12  # months of history the linear projection is fitted on
    min_trend_points: int = 3  # fewer points than this: no projection
    # Reporting deadline: a month's report is on time up to this day of the next month.
    deadline_day: int = 10
    default_lang: str = "zh"
    # Production: `env = production` (the shipped gunicorn config sets it) refuses unsafe settings.
    env: str = "development"
    db_timeout: int = 5  # seconds: connect, pool checkout and statement limit, so no request hangs
    db_retry_after: int = 5  # seconds to serve the last good data before trying the database again
    # Access control (dashboard/auth.py). Off only for the demo quickstart: the pages then say so.
    auth: bool = True
    session_hours: float = 8  # a sign-in lasts this long, then the user signs in again
    cookie_secure: bool = False  # send cookies over HTTPS only (set it when TLS terminates in front)
    login_max_failures: int = 5  # failed sign-ins per address or user name in the window, then 429
    login_window_minutes: int = 15
    township_upload: bool = False  # township users may upload their own township's monthly files
    upload_max_mb: float = 5  # browser uploads larger than this are refused unread
    upload_max_rows: int = 20000  # ... and files with more data rows than this
    # Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (nginx: 1). The client's
    # address then comes from that header: sign-in rate limits and the audit log need the real one.
    proxies: int = 0

    def problems(self) -> list[str]:
        """Why these settings are unsafe to serve in production (empty when they are fine)."""
        if self.env != "production":
            return []
        found = []
        if len(self.secret_key) < 32:
            found.append("KPI_SECRET_KEY must be set to a random string of at least 32 characters "
                         "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
        if not self.auth:
            found.append("KPI_AUTH must be on in production: without it anyone on the network sees every figure")
        if self.debug:
            found.append("KPI_DEBUG must be off in production (it exposes tracebacks and the dev tools)")
        return found

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under var/."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'kpi.sqlite3'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read KPI_* variables; keyword overrides win (tests pass explicit values)."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for field in dataclasses.fields(cls):
            key = "KPI_" + field.name.upper()
            if key in env and env[key] != "":
                values[field.name] = _coerce(field.type, env[key], key)
        values.update(overrides)
        return cls(**values)


def _coerce(type_name, raw: str, key: str):
    """Turn an environment string into the field's type, naming the variable on error."""
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", str(type_name))
    try:
        if kind == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
    except ValueError:
        raise SystemExit(f"{key}={raw!r} is not a valid {kind}") from None
    return raw
