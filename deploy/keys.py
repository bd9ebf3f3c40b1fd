"""Development signing keys for access tokens, generated once into deploy/.data/keys/ (gitignored).

    python -m deploy.keys            create the keypair if missing, print the paths
    python -m deploy.keys token OPD  print a dev token for OPD with that OPD's default scopes

The registry signs tokens with jwt-private.pem (AUTH_PRIVATE_KEY_FILE); every service verifies them with
jwt-public.pem (AUTH_PUBLIC_KEY_FILE). A deployment with its own identity provider sets AUTH_ISSUER and
AUTH_PUBLIC_KEY(_FILE) or AUTH_JWKS_URL instead and never uses these files.
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


def dev_headers(opds: tuple[str, ...] = ("dp3a", "diskop_ukm", "distransnaker", "disperindag")) -> dict[str, dict[str, str]]:
    """Bearer headers per OPD with that OPD's default scopes, signed with the dev key (demo loader)."""
    from berdaya_shared.auth import AuthSettings, mint_token
    from berdaya_shared.scopes import DEFAULT_SCOPES

    settings = AuthSettings()
    if os.environ.get("AUTH_PRIVATE_KEY"):  # the services were given a key: sign with the same one
        key = serialization.load_pem_private_key(os.environ["AUTH_PRIVATE_KEY"].encode(), password=None)
    else:
        key = load_private(Path(os.environ.get("AUTH_PRIVATE_KEY_FILE") or ensure()[0]))
    return {
        opd: {"Authorization": "Bearer " + mint_token(
            key, issuer=settings.issuer, audience=settings.audience, client_id=f"dev-{opd}", opd=opd,
            scopes=DEFAULT_SCOPES[opd], ttl_s=12 * 3600)}
        for opd in opds
    }


def main(argv: list[str]) -> int:
    private, public = ensure()
    if argv[:1] == ["token"] and len(argv) == 2:
        print(dev_headers((argv[1],))[argv[1]]["Authorization"].removeprefix("Bearer "))
        return 0
    print(f"AUTH_PRIVATE_KEY_FILE={private}\nAUTH_PUBLIC_KEY_FILE={public}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
