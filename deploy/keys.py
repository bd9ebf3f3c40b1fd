"""Development signing keys for access tokens, generated once into deploy/.data/keys/ (gitignored).

    python -m deploy.keys            create the keypair if missing, print the paths

Only the registry's retiring token endpoint signs with jwt-private.pem; the services trust Keycloak (AUTH_ISSUER,
OIDC discovery) and read neither file. Tokens for tools come from Keycloak: deploy/keycloak/tokens.py.
"""

import os
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

KEY_DIR = Path(os.environ.get("BERDAYA_DATA_DIR", Path(__file__).resolve().parent / ".data")) / "keys"
PRIVATE = KEY_DIR / "jwt-private.pem"
PUBLIC = KEY_DIR / "jwt-public.pem"


def ensure(key_dir: Path = KEY_DIR) -> tuple[Path, Path]:
    """Create an RSA 2048 keypair in ``key_dir`` unless one is there; return (private, public) paths."""
    private, public = key_dir / PRIVATE.name, key_dir / PUBLIC.name
    if private.exists() and public.exists():
        return private, public
    key_dir.mkdir(parents=True, exist_ok=True)
    from berdaya_shared.auth import new_signing_key, private_pem, public_pem

    key = new_signing_key()
    tmp = private.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private_pem(key))
    public.write_text(public_pem(key))
    tmp.replace(private)
    return private, public


def load_private(path: Path = PRIVATE) -> Any:
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def main(argv: list[str]) -> int:
    private, public = ensure()
    print(f"AUTH_PRIVATE_KEY_FILE={private}\nAUTH_PUBLIC_KEY_FILE={public}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
