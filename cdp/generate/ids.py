"""Vectorised identifiers: UUIDs, random codes, increasing numbers."""

from __future__ import annotations

import numpy as np

HEX = b"0123456789abcdef"
HEX_UPPER = b"0123456789ABCDEF"
BASE62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LOWER_ALNUM = b"0123456789abcdefghijklmnopqrstuvwxyz"
DIGITS = b"0123456789"

_UUID_HEX_POSITIONS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])


def _bytes_to_text(chars: np.ndarray) -> np.ndarray:
    """Rows of ASCII codes (n x width, uint8) to an object array of str."""
    width = chars.shape[1]
    return np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(f"U{width}").astype(object)


def codes(rng: np.random.Generator, n: int, length: int, alphabet: bytes = BASE62, prefix: str = "") -> np.ndarray:
    """`n` random codes of `length` characters of `alphabet`, each after `prefix`."""
    table = np.frombuffer(alphabet, dtype=np.uint8)
    body = table[rng.integers(0, len(table), size=(n, length))]
    if prefix:
        head = np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (n, len(prefix)))
        body = np.concatenate([head, body], axis=1)
    return _bytes_to_text(body)


def uuids(rng: np.random.Generator, n: int, upper: bool = False) -> np.ndarray:
    """`n` random version-4 UUIDs as text."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    table = np.frombuffer(HEX_UPPER if upper else HEX, dtype=np.uint8)
    digits = np.empty((n, 32), dtype=np.uint8)
    digits[:, 0::2] = table[raw >> 4]
    digits[:, 1::2] = table[raw & 0x0F]
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    text[:, _UUID_HEX_POSITIONS] = digits
    return _bytes_to_text(text)


def increasing(rng: np.random.Generator, n: int, start: int, max_step: int = 20) -> np.ndarray:
    """`n` distinct increasing integers from `start`, with random gaps (ids handed out over time)."""
    return start + np.cumsum(rng.integers(1, max_step + 1, size=n, dtype=np.int64))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """`prefix` + zero-padded number, e.g. ORD-0001234."""
    text = np.strings.zfill(np.asarray(numbers, dtype=np.int64).astype(str), width)
    return np.strings.add(prefix, text).astype(object)
