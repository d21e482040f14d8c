"""What a long-running process (a `cswo preview` between saves) keeps of pure, costly steps.

A value is kept under a key (:mod:`cswo.cache.keys`) that names everything it was made from, so a
changed input is a new key and never a stale value. Only the most recent values are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
LIMIT = 512
_KEPT: OrderedDict[str, object] = OrderedDict()
_LOCK = threading.Lock()


def remembered(key: str, make: Callable[[], T]) -> T:
    """The value kept under ``key``, made (and kept) the first time it is asked for."""
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]  # type: ignore[return-value]
    value = make()
    with _LOCK:
        _KEPT[key] = value
        while len(_KEPT) > LIMIT:
            _KEPT.popitem(last=False)
    return value


def forget() -> None:
    with _LOCK:
        _KEPT.clear()
