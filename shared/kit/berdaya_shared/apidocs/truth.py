"""Make a service's OpenAPI document say what the service answers (applied by ``secure_openapi`` to every service).

- The error body: ``Kesalahan`` (``{pesan, detail, kesalahan?}``, see ``berdaya_shared.errors.Refusal.body`` and
  ``http.install_error_handlers``) with ``KesalahanIsian`` items replaces FastAPI's ``HTTPValidationError``
  (``{"detail": [...]}``), which no Berdaya route ever answers.
- Each operation documents the refusals it can answer, with the error body and an example:
  401 and 403 where a token is needed (``auth.enforce``), 404 where the path names something, 400/404/409/413 on
  writes (an unreadable body; a reference in the body to nothing, e.g. a business of an unknown woman; an
  ``Idempotency-Key`` reused or still running, or a rule of the domain; a body over a limit),
  422 where there is input to check, 503 wherever the database is used (``http`` answers it when the database is
  unreachable; ``/ready`` when a dependency is down). Descriptions a route already gives are kept.
- Field titles in Bahasa Indonesia from the glossary (``titles.TITLES``) instead of pydantic's generated English
  ("Full Name"); a field the glossary lacks loses its generated title (``title_fields`` names it; a test fails on it).
"""

from typing import Any

from ..auth import WRITE_METHODS, Policy
from .titles import TITLES

ERROR = "Kesalahan"
FIELD_ERROR = "KesalahanIsian"
_REF = {"$ref": f"#/components/schemas/{ERROR}"}

ERROR_SCHEMAS: dict[str, Any] = {
    ERROR: {
        "title": ERROR,
        "type": "object",
        "description": "Badan jawaban setiap penolakan (4xx) dan gangguan (503) dari semua layanan Berdaya.",
        "required": ["pesan", "detail"],
        "properties": {
            "pesan": {"type": "string", "title": "Pesan", "description": "Alasan penolakan untuk pengguna, "
                      "dalam Bahasa Indonesia"},
            "detail": {"title": "Detail", "description": "Alasan teknis dalam bahasa Inggris (untuk log dan "
                       "pengembang); bisa berupa teks atau struktur"},
            "kesalahan": {"type": "array", "title": "Kesalahan per isian",
                          "items": {"$ref": f"#/components/schemas/{FIELD_ERROR}"}},
        },
        # A refusal may add facts a client can use (``person_ref`` of an already registered NIK, the missing scope).
        "additionalProperties": True,
    },
    FIELD_ERROR: {
        "title": FIELD_ERROR,
        "type": "object",
        "required": ["field", "pesan", "detail"],
        "properties": {
            "field": {"type": "string", "title": "Isian", "description": "Nama isian seperti dikirim klien "
                      "(bertitik untuk isian bersarang)"},
            "pesan": {"type": "string", "title": "Pesan", "description": "Masalahnya, dalam Bahasa Indonesia"},
            "detail": {"type": "string", "title": "Detail", "description": "Masalahnya, dalam bahasa Inggris"},
        },
    },
}

# status -> (description, example body)
REFUSALS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Permintaan tidak dapat dibaca (isi atau header rusak)",
          {"pesan": "Permintaan tidak dapat dibaca (isi atau formatnya rusak)", "detail": "malformed request"}),
    401: ("Tanpa token akses yang sah (header `Authorization: Bearer <token>`)",
          {"pesan": "Silakan masuk terlebih dahulu", "detail": "missing bearer token"}),
    403: ("Token sah tetapi tidak memberi izin untuk tindakan atau data ini",
          {"pesan": "Anda tidak memiliki izin untuk tindakan ini", "detail": "missing scope",
           "scope": "women:write"}),
    404: ("Yang disebut di alamat atau di isi permintaan tidak ditemukan",
          {"pesan": "Data tidak ditemukan", "detail": "not found"}),
    409: ("Bertentangan dengan keadaan saat ini, atau Idempotency-Key dipakai untuk permintaan lain",
          {"pesan": "NIK ini sudah terdaftar", "detail": "already registered"}),
    413: ("Permintaan atau berkas melebihi batas ukuran",
          {"pesan": "Permintaan terlalu besar", "detail": "request too large"}),
    422: ("Data tidak valid atau ditolak aturan; `kesalahan` menyebut setiap isian dan alasannya",
          {"pesan": "Data yang dikirim tidak valid", "detail": "validation failed", "kesalahan": [
              {"field": "nik", "pesan": "formatnya tidak sesuai", "detail": "string_pattern_mismatch"}]}),
    503: ("Basis data atau broker sedang tidak tersedia; kirim ulang sebentar lagi (header `Retry-After`)",
          {"pesan": "Basis data sedang tidak tersedia; silakan kirim ulang sebentar lagi",
           "detail": "database unavailable: ConnectionDoesNotExistError"}),
}

# Routes that touch no database: no 503 from them.
WITHOUT_DATABASE = frozenset({"/health", "/asyncapi"})


def refusals_of(method: str, path: str, operation: dict[str, Any], secured: bool) -> set[int]:
    """The refusal statuses an operation can answer (the module docstring says why each)."""
    statuses = {int(s) for s in operation.get("responses", {}) if s.isdigit() and int(s) >= 400}
    if secured:
        statuses |= {401, 403}
    if "{" in path:
        statuses |= {404}
    if method.upper() in WRITE_METHODS:
        statuses |= {400, 404, 409, 413}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses |= {422}
    if path not in WITHOUT_DATABASE:
        statuses |= {503}
    return statuses


def document_refusals(schema: dict[str, Any], policy: Policy) -> None:
    """Replace FastAPI's validation-error schemas by the error body and document each operation's refusals."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(ERROR_SCHEMAS)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rule = policy.rule_for(method.upper(), path)
            secured = not (rule is not None and rule.public)
            responses = operation.setdefault("responses", {})
            for status in sorted(refusals_of(method, path, operation, secured)):
                description, example = REFUSALS.get(status, ("Penolakan", {"pesan": "", "detail": ""}))
                answer = responses.setdefault(str(status), {})
                if not answer.get("description") or answer.get("description") == "Validation Error":
                    answer["description"] = description
                answer["content"] = {"application/json": {"schema": _REF, "example": example}}
            for answer in responses.values():
                if answer.get("description") == "Successful Response":  # FastAPI's default
                    answer["description"] = "Berhasil"
                # FastAPI's generated "Response Get Funnel Api Funnel Get"
                for media in (answer.get("content") or {}).values():
                    if str(media.get("schema", {}).get("title", "")).startswith("Response "):
                        del media["schema"]["title"]
            operation["responses"] = dict(sorted(responses.items()))


def _title_properties(node: Any, untitled: set[str]) -> None:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                _retitle(prop, name, untitled)
        for value in node.values():
            _title_properties(value, untitled)
    elif isinstance(node, list):
        for value in node:
            _title_properties(value, untitled)


def _retitle(target: dict[str, Any], name: str, untitled: set[str]) -> None:
    title = TITLES.get(name)
    if title is not None:
        target["title"] = title
    elif target.get("title"):
        untitled.add(name)
        del target["title"]


def title_fields(schema: dict[str, Any]) -> set[str]:
    """Indonesian titles on every property and parameter (``titles.TITLES``); returns the names without one."""
    untitled: set[str] = set()
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name.startswith("Body_"):  # FastAPI's generated "Body_upload_women_imports_post" (a form's fields)
            component["title"] = "Isi formulir"
        if name not in ERROR_SCHEMAS:
            _title_properties(component, untitled)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if isinstance(parameter.get("schema"), dict):
                    _retitle(parameter["schema"], parameter["name"], untitled)
    return untitled


def tell_the_truth(schema: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """The document with the error body, each operation's refusals and Indonesian field titles (in place)."""
    document_refusals(schema, policy)
    title_fields(schema)
    return schema
