"""The `with` query parameter: `[a,b.[c,d],e]` or `a.b` → a tree of relations to expand."""

from __future__ import annotations

from boxoffice.server.errors import InvalidInput

Tree = dict[str, "Tree"]


def parse_with(value: str | None) -> Tree:
    """Parse Tickethead's relation syntax; commas may also separate repeated parameters."""
    if not value:
        return {}
    text = value.strip()
    pos = 0

    def items(closing: str | None) -> Tree:
        nonlocal pos
        tree: Tree = {}
        while pos < len(text):
            if text[pos] == "[":
                pos += 1
                tree.update(items("]"))
                continue
            if closing and text[pos] == closing:
                pos += 1
                return tree
            if text[pos] in ", ":
                pos += 1
                continue
            start = pos
            while pos < len(text) and text[pos] not in ",[].":
                pos += 1
            name = text[start:pos].strip()
            if not name:
                raise InvalidInput(
                    f"Cannot read with={value!r}.", code="invalid_with", field="with"
                )
            child: Tree = {}
            if pos < len(text) and text[pos] == ".":
                pos += 1
                if pos < len(text) and text[pos] == "[":
                    pos += 1
                    child = items("]")
                else:
                    child = items_one()
            tree.setdefault(name, {}).update(child)
        if closing:
            raise InvalidInput(
                f"Unbalanced brackets in with={value!r}.", code="invalid_with", field="with"
            )
        return tree

    def items_one() -> Tree:
        nonlocal pos
        start = pos
        while pos < len(text) and text[pos] not in ",[].":
            pos += 1
        name = text[start:pos]
        child: Tree = {}
        if pos < len(text) and text[pos] == ".":
            pos += 1
            if pos < len(text) and text[pos] == "[":
                pos += 1
                child = items("]")
            else:
                child = items_one()
        return {name: child} if name else {}

    return items(None)
