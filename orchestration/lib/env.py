"""Environment handling for child processes started through libraries that read `os.environ` themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def scoped_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Sets `values` in `os.environ` for the duration of the block, then restores every variable as it was.

    dagster-dbt's DbtCliResource builds the dbt process's environment from `os.environ` when it starts the
    process; wrapping that call hands dbt the CDP_* settings the step resolved, absolute, without leaking them
    into the rest of the process.
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
