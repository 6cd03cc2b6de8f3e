"""Where things live: the environment variables of CONTRACT.md section 1, resolved against the project root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "CDP_LANDING_DIR": "data/landing",
    "CDP_WAREHOUSE": "warehouse/cdp.duckdb",
    "CDP_OUTBOX_DIR": "data/outbox",
}


def _resolve(name: str, env: dict[str, str]) -> Path:
    path = Path(env.get(name) or DEFAULTS[name])
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    outbox_dir: Path
    webhook_url: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            landing_dir=_resolve("CDP_LANDING_DIR", env),
            warehouse=_resolve("CDP_WAREHOUSE", env),
            outbox_dir=_resolve("CDP_OUTBOX_DIR", env),
            webhook_url=env.get("CDP_WEBHOOK_URL") or None,
        )

    def as_env(self) -> dict[str, str]:
        """The variables, absolute, for child processes such as dbt."""
        env = {
            "CDP_LANDING_DIR": str(self.landing_dir),
            "CDP_WAREHOUSE": str(self.warehouse),
            "CDP_OUTBOX_DIR": str(self.outbox_dir),
        }
        if self.webhook_url:
            env["CDP_WEBHOOK_URL"] = self.webhook_url
        return env
