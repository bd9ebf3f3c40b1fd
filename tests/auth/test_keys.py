"""The development keypair: made once, private key unreadable by others, and usable end to end."""

import stat
from pathlib import Path

from berdaya_shared.auth import AuthSettings, Verifier

from deploy import keys


def test_keys_are_created_once_with_a_private_file_mode(tmp_path: Path) -> None:
    private, public = keys.ensure(tmp_path)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    first = public.read_bytes()
    assert keys.ensure(tmp_path) == (private, public)
    assert public.read_bytes() == first  # not regenerated: issued tokens stay valid across restarts


def test_a_token_signed_with_the_dev_key_verifies_with_its_public_half(tmp_path: Path) -> None:
    from berdaya_shared.auth import mint_token

    private, public = keys.ensure(tmp_path)
    token = mint_token(keys.load_private(private), issuer="berdaya-registry", audience="berdaya",
                       client_id="dev-dp3a", opd="dp3a", scopes={"women:write"})
    settings = AuthSettings(public_key=public.read_text(), issuer="berdaya-registry", audience="berdaya")
    principal = Verifier(settings).verify_cached(token)
    assert (principal.client_id, principal.opd, principal.scopes) == ("dev-dp3a", "dp3a", {"women:write"})
