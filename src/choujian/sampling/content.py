"""The exact content of a sampling form that signatures bind to, and its SHA-256 (canonical JSON of ledger-v1)."""

from choujian.core.canonical import digest

# Fields of the form that people sign; editing any of them after a signature voids it.
FORM_FIELDS = (
    "party_name",
    "party_uscc",
    "party_address",
    "party_contact",
    "party_phone",
    "maker_name",
    "maker_address",
    "product_name",
    "brand",
    "model_spec",
    "batch_no",
    "production_date",
    "standard",
    "licence_no",
    "place_kind",
    "place_address",
    "lot_size",
    "lot_unit",
    "test_quantity",
    "backup_portions",
    "backup_quantity",
    "seal_numbers",
    "latitude",
    "longitude",
    "position_accuracy",
    "device_time",
    "paper_matches",
    "paper_note",
    "seller_name",
    "shop_url",
    "order_no",
    "payment_account",
    "buyer_account",
    "delivery_address",
    "remarks",
    "refusal_reason",
)


def form_content(record) -> dict:
    """What a signer attests to: every form field, the samplers, and the SHA-256 of every photo and video."""
    content = {name: getattr(record, name) for name in FORM_FIELDS}
    content["code"] = record.code
    content["task"] = record.task.code
    content["samplers"] = sorted((str(u.public_id), str(u)) for u in record.samplers.all())
    content["evidence"] = sorted(e.sha256 for e in record.evidence.all())
    return content


def form_sha256(record) -> str:
    return digest(form_content(record))


def storage_content(portion, storage_place: str, custodian) -> dict:
    """What the custodian (and, on construction sites, the owner and supervisor) sign when a portion is stored."""
    return {
        "sample": portion.sample.code,
        "portion": portion.number,
        "kind": portion.kind,
        "seal_no": portion.seal_no,
        "storage_place": storage_place,
        "custodian": str(custodian.public_id),
    }
