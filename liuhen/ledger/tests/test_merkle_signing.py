"""RFC 6962 Merkle hashing with SM3 and SM2 checkpoint signatures (AC-4: alteration is detected)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuhen.ledger import merkle, signing


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 written literally (recursive split at the largest power of two < n)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


LEAVES = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(40)]


def test_empty_tree_root_is_hash_of_nothing() -> None:
    assert merkle.root([]) == merkle.empty_root()


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.leaf_hash(a + b) != merkle.node_hash(a, b)


@given(st.integers(min_value=1, max_value=40))
def test_root_matches_rfc6962_definition(n: int) -> None:
    assert merkle.root(LEAVES[:n]) == _reference_root(LEAVES[:n])


@given(st.integers(min_value=1, max_value=40), st.data())
def test_inclusion_and_consistency_proofs_verify(n: int, data: st.DataObject) -> None:
    tree = LEAVES[:n]
    root = merkle.root(tree)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = merkle.inclusion_proof(tree, index)
    assert merkle.verify_inclusion(tree[index], index, n, proof, root)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, n, proof, root)
    old = data.draw(st.integers(min_value=1, max_value=n))
    consistency = merkle.consistency_proof(tree, old)
    assert merkle.verify_consistency(old, n, merkle.root(tree[:old]), root, consistency)
    if old < n:
        assert not merkle.verify_consistency(old, n, merkle.leaf_hash(b"rewritten"), root, consistency)


def test_agency_key_is_created_once_and_private(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    key = signing.load_or_create_key(keys)
    assert signing.load_or_create_key(keys) == key
    assert stat.S_IMODE(os.stat(keys / signing.PRIVATE_KEY_FILE).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o700
    assert signing.load_public_key(keys / signing.PUBLIC_KEY_FILE) == key.public_key


def test_signature_verifies_and_detects_changes(tmp_path: Path) -> None:
    key = signing.load_or_create_key(tmp_path)
    message = signing.checkpoint_message("liuhen", 7, merkle.root(LEAVES[:7]), "2026-11-25T00:00:00Z")
    signature = key.sign(message)
    assert signing.verify_signature(key.public_key, message, signature)
    assert not signing.verify_signature(key.public_key, message.replace(b"\n7\n", b"\n8\n"), signature)
    forged = bytes([signature[0] ^ 1]) + signature[1:]
    assert not signing.verify_signature(key.public_key, message, forged)
    other = signing.load_or_create_key(tmp_path / "other")
    assert not signing.verify_signature(other.public_key, message, signature)
    assert not signing.verify_signature(key.public_key, message, signature, "rsa")


def test_lost_private_key_is_not_silently_replaced(tmp_path: Path) -> None:
    signing.load_or_create_key(tmp_path)
    (tmp_path / signing.PRIVATE_KEY_FILE).unlink()
    with pytest.raises(signing.MissingPrivateKey):
        signing.load_or_create_key(tmp_path)
