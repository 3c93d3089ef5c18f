"""A small named registry, the pattern behind endpoints, featurizers, learners and job kinds.

Menus, CLI choices and API enums are read from a registry, so they cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from actives.errors import ActivesError, NotFoundError


class Registry[T]:
    """Items by id; an unknown id raises ``error`` naming what was asked for and what exists."""

    def __init__(self, kind: str, code: str, error: type[ActivesError] = NotFoundError) -> None:
        self.kind = kind
        self.code = code
        self.error = error
        self._items: dict[str, T] = {}

    def add(self, item_id: str, item: T) -> T:
        """Register ``item``; registering something else under a used id is an error."""
        existing = self._items.get(item_id)
        if existing is not None and existing != item:
            raise ValueError(f"{self.kind} {item_id!r} is already registered differently")
        self._items[item_id] = item
        return item

    def get(self, item_id: str) -> T:
        """The item with this id."""
        try:
            return self._items[item_id]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise self.error(
                f"Unknown {self.kind} {item_id!r}; known: {known}.", code=self.code
            ) from None

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[k] for k in sorted(self._items))

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items
