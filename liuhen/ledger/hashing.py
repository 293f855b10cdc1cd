"""How a ledger entry is hashed. Pure (no Django): shared by services, verify and the package verifier."""

from __future__ import annotations

from typing import Any

from liuhen.core.canonical import canonical_json, sm3, tagged
from liuhen.ledger.merkle import leaf_hash, node_hash

GENESIS_PREV_HASH = "0" * 64
HEADER_FIELDS = (
    "seq",
    "recorded_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "payload_digest",
    "prev_hash",
)


def payload_digest(payload_json: str) -> str:
    return tagged("sm3", payload_json.encode("utf-8"))


def entry_hash(header: dict[str, Any]) -> str:
    """SM3 leaf hash (RFC 6962: H(0x00 || data)) over the canonical JSON of the header fields."""
    data = canonical_json({name: header[name] for name in HEADER_FIELDS})
    return leaf_hash(data).hex()


class MerkleFrontier:
    """Streaming RFC 6962 root: keeps the roots of the perfect subtrees (at most log2(n) hashes),
    so the root of every prefix is available while leaves arrive in one pass."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing

    def add(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            node = node_hash(left, node)
            height += 1
        self._stack.append((height, node))
        self.size += 1

    def root(self) -> bytes:

        if not self._stack:
            return sm3(b"")
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node
