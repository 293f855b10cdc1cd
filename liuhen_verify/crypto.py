"""SM3, RFC 6962 hashing and inclusion proofs, the checkpoint message and SM2 verification.

Written from the specifications (GB/T 32905 SM3, RFC 6962 / RFC 9162, GM/T 0003 SM2), not imported
from the application, so the application's own code is not what vouches for its output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
CHECKPOINT_HEADER = "liuhen-checkpoint/v1"
SIGNATURE_ALGORITHM = "sm2-sm3"


def _has_hashlib_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


_HASHLIB_SM3 = _has_hashlib_sm3()


class _GmSm3:
    """``hashlib``-like wrapper of gmalglib's SM3, for Pythons whose OpenSSL lacks SM3."""

    def __init__(self) -> None:
        from gmalglib.sm3 import SM3

        self._h = SM3()

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return bytes(self._h.copy().digest())

    def hexdigest(self) -> str:
        return self.digest().hex()


def new_sm3() -> Any:
    return hashlib.new("sm3") if _HASHLIB_SM3 else _GmSm3()


def sm3(data: bytes) -> bytes:
    h = new_sm3()
    h.update(data)
    return bytes(h.digest())


def leaf_hash(data: bytes) -> bytes:
    return sm3(LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sm3(NODE_PREFIX + left + right)


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from leaf ``index`` of a tree of ``size`` to ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8 (what the ledger hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def checkpoint_message(origin: str, tree_size: int, root_hash: bytes, timestamp: str) -> bytes:
    return f"{CHECKPOINT_HEADER}\n{origin}\n{tree_size}\n{root_hash.hex()}\n{timestamp}\n".encode()


def key_id_of(public_key: bytes) -> str:
    return sm3(public_key).hex()[:16]


def sm2_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """SM2 signature (r||s, 64 bytes) over ``message`` with SM3 and the default user id."""
    if len(public_key) != 65 or public_key[0] != 4 or len(signature) != 64:
        return False
    from gmalglib import sm2

    try:
        return bool(sm2.SM2(pk=public_key).verify(message, signature))
    except (ValueError, TypeError, RuntimeError):
        return False
