"""PII protection: AES-256-GCM for stored personal data, keyed HMAC-SHA256 for lookups on it.

A NIK has too little entropy for a plain hash (area + birth date leave <= 9,999 serials), so lookups
use an HMAC whose key lives in configuration, never in the database.

Key rotation (``registry.service_layer.key_rotation``, docs/operations.md): a ciphertext names its key
(``0x01`` + the first 8 bytes of SHA-256 of the key, then nonce + AES-GCM), so the rows still under an older key
are found with SQL and a rotation can stop and resume anywhere. Ciphertexts written before key ids existed (nonce +
AES-GCM alone) are still read: each known key is tried, and GCM's tag says which one is right. While a rotation
runs the service holds the new keys and the previous ones: it writes with the new, reads with either, and looks a
NIK up under both HMACs (``nik_macs``).
"""

import base64
import binascii
import contextlib
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"  # a ciphertext that names its key
KEY_ID_BYTES = 8


def _aes_key(encryption_key_b64: str, name: str) -> bytes:
    try:
        key = base64.b64decode(encryption_key_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} must be base64") from None
    if len(key) != 32:
        raise ValueError(f"{name} must decode to 32 bytes")
    return key


def _mac_key(hmac_key: str, name: str) -> bytes:
    if len(hmac_key) < 32:
        raise ValueError(f"{name} must be at least 32 characters")
    return hmac_key.encode()


def key_id(key: bytes) -> bytes:
    """8 bytes naming an AES key in its ciphertexts (SHA-256 prefix: names the key, reveals nothing of it)."""
    return hashlib.sha256(b"berdaya-registry-key-id|" + key).digest()[:KEY_ID_BYTES]


class PiiCipher:
    """``encryption_key_b64``/``hmac_key``: the current keys (REGISTRY_NIK_ENCRYPTION_KEY, REGISTRY_NIK_HMAC_KEY);
    ``previous_*``: the keys being rotated away from, kept for reading and lookups until the rotation is done.
    Raises ValueError for a key of the wrong shape."""

    def __init__(self, encryption_key_b64: str, hmac_key: str, *, previous_encryption_key_b64: str | None = None,
                 previous_hmac_key: str | None = None) -> None:
        key = _aes_key(encryption_key_b64, "REGISTRY_NIK_ENCRYPTION_KEY")
        self._mac_key = _mac_key(hmac_key, "REGISTRY_NIK_HMAC_KEY")
        self._aead = AESGCM(key)
        self.key_id = key_id(key)
        self.prefix = VERSION + self.key_id  # what every ciphertext under the current key starts with
        self._keys: dict[bytes, AESGCM] = {self.key_id: self._aead}
        if previous_encryption_key_b64:
            old = _aes_key(previous_encryption_key_b64, "REGISTRY_NIK_PREVIOUS_ENCRYPTION_KEY")
            self._keys.setdefault(key_id(old), AESGCM(old))
        self._previous_mac_keys = [_mac_key(previous_hmac_key, "REGISTRY_NIK_PREVIOUS_HMAC_KEY")] \
            if previous_hmac_key and previous_hmac_key != hmac_key else []

    @property
    def rotating(self) -> bool:
        """Previous keys are configured: rows may still be under them."""
        return len(self._keys) > 1 or bool(self._previous_mac_keys)

    def encrypt(self, value: str | None, *, context: bytes) -> bytes | None:
        """Ciphertext = 0x01 + key id (8 bytes) + 12-byte nonce + AES-GCM; ``context`` binds it to its column."""
        if value is None:
            return None
        nonce = os.urandom(12)
        return self.prefix + nonce + self._aead.encrypt(nonce, value.encode(), context)

    def decrypt(self, blob: bytes | None, *, context: bytes) -> str | None:
        """The clear text, under whichever known key wrote it; InvalidTag when none did (or it was altered)."""
        if blob is None:
            return None
        blob = bytes(blob)
        head = len(self.prefix)
        named = self._keys.get(blob[1:head]) if blob[:1] == VERSION else None
        if named is not None:
            with contextlib.suppress(InvalidTag):  # 2^-64: an old ciphertext whose nonce looks like a key id
                return named.decrypt(blob[head:head + 12], blob[head + 12:], context).decode()
        for aead in self._keys.values():  # written before ciphertexts named their key
            with contextlib.suppress(InvalidTag):
                return aead.decrypt(blob[:12], blob[12:], context).decode()
        raise InvalidTag("no configured key opens this ciphertext")

    def mac(self, value: str) -> bytes:
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).digest()

    def macs(self, value: str) -> list[bytes]:
        """The HMAC under the current key, then under the previous one while rotating (lookups try both)."""
        return [self.mac(value)] + [hmac.new(k, value.encode(), hashlib.sha256).digest()
                                    for k in self._previous_mac_keys]

    def nik_mac(self, nik: str) -> bytes:
        return self.mac("nik|" + nik)

    def name_tokens(self, parts: list[str]) -> tuple[bytes, ...]:
        """The blind-index tokens of a name's normalised parts (``domain.women.name_parts``): a keyed HMAC each,
        so the index tells nothing without the key."""
        return tuple(self.mac("name|" + part) for part in parts)

    @property
    def audit_key(self) -> bytes:
        """The key of the audit trail's fingerprints (berdaya_shared.audit.fingerprint), derived from the HMAC key
        in configuration: the trail's fingerprints cannot be matched with the NIK lookups."""
        return self.mac("audit-fingerprint")

    def nik_macs(self, nik: str) -> list[bytes]:
        return self.macs("nik|" + nik)


NIK = b"women.nik"
NAME = b"women.name"
PHONE = b"women.phone"
CASE_NOTE = b"aid.case_note"
