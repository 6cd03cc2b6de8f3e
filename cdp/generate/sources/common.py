"""Small helpers the source generators share."""

from __future__ import annotations

import numpy as np

NO_PERSON = -1


def money(values: np.ndarray) -> np.ndarray:
    """Amounts as text with two decimals."""
    return np.char.mod("%.2f", np.asarray(values, dtype=float)).astype(object)


def text(values: np.ndarray) -> np.ndarray:
    """Integers as text."""
    return np.asarray(values, dtype=np.int64).astype(str).astype(object)


def blank_unless(mask: np.ndarray, values: np.ndarray, blank: object = None) -> np.ndarray:
    """`values` where `mask`, else `blank` (an absent optional field)."""
    out = np.asarray(values, dtype=object).copy()
    out[~mask] = blank
    return out


def nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def join_keys(*parts: np.ndarray) -> np.ndarray:
    """Composite natural key `a|b|c` per record."""
    out = np.asarray(parts[0], dtype=object).astype(str)
    for p in parts[1:]:
        out = np.strings.add(np.strings.add(out, "|"), np.asarray(p, dtype=object).astype(str))
    return out.astype(object)


def is_known(values: np.ndarray) -> np.ndarray:
    """True where a value is present (not None)."""
    return np.fromiter((v is not None for v in values.tolist()), dtype=bool, count=len(values))
