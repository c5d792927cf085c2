"""Registries: canonical names plus explicit aliases, one per kind of building block.

A registry maps every accepted name (canonical or alias) to its entry, so it reads
like the plain dict it replaces, and it builds the "must be one of ..." message
from its canonical names, so the list a user sees is always the list that works.

>>> COLOURS = Registry("colour", {"red": 1, "green": 2}, aliases={"rouge": "red"})
>>> COLOURS.resolve("Rouge", "colour")
1
>>> COLOURS.names
('red', 'green')
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Registry"]


class Registry(dict):
    """``{name: entry}`` for canonical names and aliases; ``names`` lists the canonical ones."""

    def __init__(self, kind: str, entries: Mapping[str, object], aliases: Mapping[str, str] | None = None):
        aliases = dict(aliases or {})
        unknown = [alias for alias, target in aliases.items() if target not in entries]
        if unknown:
            raise ValueError(f"{kind} aliases {unknown} point to no registered name")
        super().__init__({**entries, **{alias: entries[target] for alias, target in aliases.items()}})
        self.kind = kind
        self.names: tuple[str, ...] = tuple(entries)
        self.aliases: dict[str, str] = aliases

    def canonical(self, name: str) -> str:
        """The canonical spelling of ``name`` (an alias gives the name it stands for)."""
        name = name.lower()
        return self.aliases.get(name, name)

    def one_of(self, names=None) -> str:
        """ "a, b or c": the canonical names (or the given subset) for an error message."""
        names = list(self.names if names is None else names)
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    def resolve(self, name, argument: str, names=None):
        """The entry for ``name`` (any case, canonical or alias), else a ValueError naming ``argument``.

        ``names`` narrows the accepted canonical names (and their aliases)."""
        allowed = self.names if names is None else tuple(names)
        if isinstance(name, str) and self.canonical(name) in allowed:
            return self[self.canonical(name)]
        raise ValueError(f"{argument} must be one of {self.one_of(allowed)}; got {name!r}")
