"""PII protection: AES-256-GCM for stored personal data, keyed HMAC-SHA256 for lookups on it.

A NIK has too little entropy for a plain hash (area + birth date leave <= 9,999 serials), so lookups
use an HMAC whose key lives in configuration, never in the database.
"""

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PiiCipher:
    def __init__(self, encryption_key_b64: str, hmac_key: str) -> None:
        try:
            key = base64.b64decode(encryption_key_b64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("REGISTRY_NIK_ENCRYPTION_KEY must be base64") from None
        if len(key) != 32:
            raise ValueError("REGISTRY_NIK_ENCRYPTION_KEY must decode to 32 bytes")
        if len(hmac_key) < 32:
            raise ValueError("REGISTRY_NIK_HMAC_KEY must be at least 32 characters")
        self._aead = AESGCM(key)
        self._mac_key = hmac_key.encode()

    def encrypt(self, value: str | None, *, context: bytes) -> bytes | None:
        """Ciphertext = 12-byte nonce + AES-GCM; ``context`` binds it to its column (no swapping)."""
        if value is None:
            return None
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, value.encode(), context)

    def decrypt(self, blob: bytes | None, *, context: bytes) -> str | None:
        if blob is None:
            return None
        return self._aead.decrypt(blob[:12], blob[12:], context).decode()

    def mac(self, value: str) -> bytes:
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).digest()

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


NIK = b"women.nik"
NAME = b"women.name"
PHONE = b"women.phone"
CASE_NOTE = b"aid.case_note"
