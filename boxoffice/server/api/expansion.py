"""The `with` query parameter: `[a,b.[c,d],e]` or `a.b` → a tree of relations to expand."""

from __future__ import annotations

from boxoffice.server.errors import InvalidInput

Tree = dict[str, "Tree"]


def parse_with(value: str | None) -> Tree:
    """Parse Tickethead's relation syntax (`items := item (',' item)*`,
    `item := '[' items ']' | name ('.' item)?`)."""
    if not value:
        return {}
    return _Parser(value).items(closing=None)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self.pos = 0

    def _fail(self, why: str) -> InvalidInput:
        return InvalidInput(
            f"Cannot read with={self.text!r}: {why}.", code="invalid_with", field="with"
        )

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def items(self, closing: str | None) -> Tree:
        tree: Tree = {}
        while True:
            while self._peek() in (",", " "):
                self.pos += 1
            char = self._peek()
            if not char:
                if closing:
                    raise self._fail("a bracket is not closed")
                return tree
            if char == closing:
                self.pos += 1
                return tree
            _merge(tree, self.item())

    def item(self) -> Tree:
        if self._peek() == "[":
            self.pos += 1
            return self.items(closing="]")
        start = self.pos
        while self._peek() and self._peek() not in ",[].":
            self.pos += 1
        name = self.text[start : self.pos].strip()
        if not name:
            raise self._fail(f"a name is missing at position {start}")
        child: Tree = {}
        if self._peek() == ".":
            self.pos += 1
            child = self.item()
        return {name: child}


def _merge(into: Tree, other: Tree) -> None:
    for name, child in other.items():
        _merge(into.setdefault(name, {}), child)
