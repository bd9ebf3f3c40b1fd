"""The navigation bar across the four services and the words for OPDs and scopes, in Bahasa Indonesia.

A link is shown only to a user whose scopes let her do something there (the monitoring dashboard is public, so
everyone sees it); the addresses come from ``UiSettings.service_urls``. Scope descriptions are those of the realm's
``berdaya-scopes`` roles (deploy/keycloak/realm-berdaya.json).
"""

from dataclasses import dataclass

from ..auth import Principal
from .config import UiSettings

OPD_LABELS = {
    "dp3a": "DP3A",
    "diskop_ukm": "Diskop UKM",
    "distransnaker": "Distransnaker",
    "disperindag": "Disperindag",
}

SCOPE_LABELS = {
    "women:write": "Mendaftarkan dan mengubah data perempuan",
    "welfare:write": "Mencatat asesmen kesejahteraan",
    "aid:write": "Mencatat bantuan (hukum, sosial, konseling, rumah aman)",
    "aid_notes:read": "Membaca catatan kasus bantuan",
    "aid_notes:write": "Menulis catatan kasus bantuan",
    "ukm:write": "Mendaftarkan dan melaporkan UKM",
    "coops:write": "Mencatat koperasi dan anggotanya",
    "capital:write": "Mencatat penyaluran modal",
    "personal_data:read": "Membaca data pribadi (NIK, nama, telepon) dengan tujuan yang dicatat",
    "audit:read": "Membaca jejak audit akses data pribadi",
    "courses:write": "Menjadwalkan pelatihan dan mencatat peserta OPD sendiri",
    "placements:write": "Mencatat penempatan kerja",
    "fairs:write": "Menjadwalkan pameran dan membagi stan",
    "listings:write": "Mencatat produk yang dipasarkan",
    "sales:write": "Mencatat penjualan",
    "monitoring:admin": "Mengelola target dan membangun ulang proyeksi pemantauan",
    "public:read": "Membaca data non-pribadi yang dipublikasikan",
    "rounds:write": "Menulis catatan OPD dalam putaran evaluasi",
    "rounds:approve": "Menyetujui putaran evaluasi (DP3A)",
    "figures:internal": "Melihat angka internal tanpa sensor sel kecil (tim evaluasi)",
    "trainee_names:read": "Membaca nama peserta pelatihan OPD sendiri (pelatih)",
    "enrolment_search:read": "Mencari perempuan menurut nama untuk didaftarkan ke pelatihan (pelatih)",
    "duplicates:merge": "Menggabungkan data ganda (DP3A)",
}


@dataclass(frozen=True)
class NavItem:
    service: str
    label: str
    path: str
    scopes: frozenset[str]  # any one of them shows the link; empty: everyone


NAV = (
    NavItem("registry", "Registri", "/beranda", frozenset({
        "women:write", "welfare:write", "aid:write", "aid_notes:read", "personal_data:read", "ukm:write",
        "coops:write", "capital:write", "audit:read", "duplicates:merge"})),
    NavItem("training", "Pelatihan", "/beranda", frozenset({"courses:write", "placements:write",
                                                            "trainee_names:read"})),
    NavItem("marketplace", "Pasar", "/beranda", frozenset({"fairs:write", "listings:write", "sales:write"})),
    NavItem("monitoring", "Pemantauan", "/", frozenset()),
)


def opd_label(opd: str | None) -> str:
    return OPD_LABELS.get(opd or "", opd or "—")


def links(principal: Principal, service: str, settings: UiSettings) -> list[dict[str, object]]:
    """The nav links ``principal`` may follow, the current service's marked."""
    out: list[dict[str, object]] = []
    for item in NAV:
        base = settings.service_urls.get(item.service)
        if base is None or (item.scopes and not item.scopes & principal.scopes):
            continue
        out.append({"label": item.label, "url": base.rstrip("/") + item.path, "current": item.service == service})
    return out


def duties(principal: Principal) -> list[str]:
    """What the user may do, in words, in a stable order."""
    return [label for scope, label in SCOPE_LABELS.items() if principal.has(scope)]
