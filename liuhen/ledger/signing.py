"""The agency's SM2 key (GM/T 0003, via gmalglib) and the checkpoint message it signs.

The key pair is created on first use under ``LIUHEN_KEYS_DIR``: the private key readable by the
owner only (0600, directory 0700), the public key beside it so verifiers need nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import gmalglib
from gmalglib import sm2

from liuhen.core.canonical import sm3

ALGORITHM = "sm2-sm3"
PRIVATE_KEY_FILE = "agency-sm2.key"
PUBLIC_KEY_FILE = "agency-sm2.pub"
CHECKPOINT_HEADER = "liuhen-checkpoint/v1"


class MissingPrivateKey(RuntimeError):
    pass


@dataclass(frozen=True)
class AgencyKey:
    private_key: bytes
    public_key: bytes
    algorithm: str = ALGORITHM

    @property
    def key_id(self) -> str:
        """Short, stable name of the public key (first 16 hex digits of its SM3)."""
        return key_id_of(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return bytes(sm2.SM2(sk=self.private_key, pk=self.public_key).sign(message))


def key_id_of(public_key: bytes) -> str:
    return sm3(public_key).hex()[:16]


def _read_hex(path: Path) -> bytes:
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def load_public_key(path: str | os.PathLike[str]) -> bytes:
    key = _read_hex(Path(path))
    if len(key) != 65 or key[0] != 4:
        raise ValueError("not an uncompressed SM2 public key")
    return key


def load_or_create_key(keys_dir: str | os.PathLike[str]) -> AgencyKey:
    directory = Path(keys_dir)
    private_path, public_path = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    if private_path.exists():
        private_key = _read_hex(private_path)
        public_key = load_public_key(public_path)
        return AgencyKey(private_key=private_key, public_key=public_key)
    if public_path.exists():
        # Never silently replace a lost key: every earlier checkpoint would stop verifying
        # against the agency key. Restore the key from backup (or move the .pub away on purpose).
        raise MissingPrivateKey(
            f"机关私钥缺失：{private_path}（公钥仍在）。请从备份恢复私钥。"
            f" / agency private key missing while its public key exists; restore it from backup"
        )
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    private_key, public_key = gmalglib.sm2_generate_keypair()
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_key(directory)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(bytes(private_key).hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp = public_path.with_suffix(".tmp")
    tmp.write_text(bytes(public_key).hex() + "\n", encoding="ascii")
    os.replace(tmp, public_path)
    return AgencyKey(private_key=bytes(private_key), public_key=bytes(public_key))


def verify_signature(public_key: bytes, message: bytes, signature: bytes, algorithm: str = ALGORITHM) -> bool:
    if algorithm != ALGORITHM or len(public_key) != 65 or len(signature) != 64:
        return False
    try:
        return bool(sm2.SM2(pk=public_key).verify(message, signature))
    except (ValueError, TypeError, RuntimeError):
        return False


def checkpoint_message(origin: str, tree_size: int, root_hash: bytes, timestamp: str) -> bytes:
    """What a checkpoint signature covers, in the spirit of the transparency-log checkpoint note."""
    return f"{CHECKPOINT_HEADER}\n{origin}\n{tree_size}\n{root_hash.hex()}\n{timestamp}\n".encode()
