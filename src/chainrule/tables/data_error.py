"""``DataError``, what every table module raises (importable from ``tables.read`` too)."""

from __future__ import annotations

from ..errors import UserError

__all__ = ["DataError"]


class DataError(UserError, ValueError):
    """The data cannot be used as it is; the message says where and what to do."""
