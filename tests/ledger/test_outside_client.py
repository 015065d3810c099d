"""An outside auditor: talks to the running site over HTTP only and checks the log with its own code.

Everything below is written from RFC 6962/9162 §2.1 (Merkle tree hashes, inclusion and consistency proofs)
and the C2SP signed-note / tlog-checkpoint formats as described in the ledger spec; nothing is imported
from the platform's ledger package. The platform is only used to make log entries happen.
"""

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from choujian.registry.services import enterprise_create, enterprise_update
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT_PLAIN = "text/plain; charset=utf-8"
EM_DASH = "\u2014"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
OBJECT_REF = re.compile(r"^[a-z][a-z0-9_]*:\S+$")
DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


# ---------------------------------------------------------------- RFC 9162 §2.1: the Merkle tree


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH over already-hashed leaves."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = split_point(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of §2.1.3.1, leaf to root."""
    n = len(leaves)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split_point(n)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """§2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes) -> bool:
    """§2.1.4.2, for 0 < first < second."""
    if not 0 < first < second or not proof:
        return False
    if first & (first - 1) == 0:  # an exact power of two: the old root is the first node
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def flipped(b: bytes, at: int = 0) -> bytes:
    return b[:at] + bytes([b[at] ^ 0x01]) + b[at + 1 :]


# ---------------------------------------------------------------- C2SP signed-note / tlog-checkpoint


@dataclass
class VerifierKey:
    name: str
    key_id: bytes
    public: Ed25519PublicKey


@dataclass
class Checkpoint:
    origin: str
    size: int
    root: bytes
    body: bytes


def key_id_for(name: str, raw_public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + raw_public).digest()[:4]


def parse_verifier_key(text: str) -> VerifierKey:
    name, hex_id, b64 = text.split("+", 2)  # a key name may not contain "+"; base64 may
    assert name and not any(c.isspace() for c in name), f"bad key name {name!r}"
    assert re.fullmatch(r"[0-9a-f]{8}", hex_id), f"key id must be 8 lowercase hex digits, got {hex_id!r}"
    blob = base64.b64decode(b64, validate=True)
    assert len(blob) == 33 and blob[0] == 0x01, f"expected 0x01 || 32-byte Ed25519 key, got {blob.hex()}"
    assert key_id_for(name, blob[1:]) == bytes.fromhex(hex_id), "key id is not SHA-256(name || LF || 0x01 || key)[:4]"
    return VerifierKey(name=name, key_id=bytes.fromhex(hex_id), public=Ed25519PublicKey.from_public_bytes(blob[1:]))


def open_note(note: bytes, key: VerifierKey) -> bytes:
    """Return the note body if a signature line by `key` verifies over it; raise otherwise."""
    text = note.decode("utf-8")
    assert text.endswith("\n"), "a signed note ends with a newline"
    cut = text.rfind("\n\n")
    assert cut > 0, "no blank line between body and signatures"
    body = text[: cut + 1].encode("utf-8")
    lines = text[cut + 2 :].split("\n")
    assert lines[-1] == "" and len(lines) >= 2, "no signature lines"
    for line in lines[:-1]:
        dash, name, b64 = line.split(" ")
        assert dash == EM_DASH, f"signature line must start with U+2014 EM DASH, got {dash!r}"
        blob = base64.b64decode(b64, validate=True)
        if name != key.name or blob[:4] != key.key_id:
            continue
        assert len(blob) == 4 + 64, f"Ed25519 signature blob must be 68 bytes, got {len(blob)}"
        key.public.verify(blob[4:], body)  # raises InvalidSignature
        return body
    raise AssertionError(f"no signature by {key.name}+{key.key_id.hex()} in note {note!r}")


def parse_checkpoint(body: bytes) -> Checkpoint:
    lines = body.decode("utf-8").split("\n")
    assert len(lines) == 4 and lines[3] == "", f"checkpoint body must be origin, size, root: {body!r}"
    origin, size, root = lines[:3]
    assert origin, "empty origin"
    assert re.fullmatch(r"0|[1-9][0-9]*", size), f"size must be a decimal without leading zeros: {size!r}"
    raw_root = base64.b64decode(root, validate=True)
    assert len(raw_root) == 32, f"root must be 32 bytes, got {len(raw_root)}"
    return Checkpoint(origin=origin, size=int(size), root=raw_root, body=body)


# ---------------------------------------------------------------- HTTP, standard library only


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes

    def json(self):
        return json.loads(self.body)


def get(base: str, route: str, **params) -> Response:
    url = base + route + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return Response(r.status, r.headers.get("Content-Type", ""), r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers.get("Content-Type", ""), e.read())


def ok_json(base: str, route: str, **params):
    r = get(base, route, **params)
    assert r.status == 200, f"{route} {params} → {r.status} {r.body[:300]!r}"
    assert r.content_type.split(";")[0].strip() == "application/json", r.content_type
    return r.json()


class Auditor:
    """What an outsider knows: the site's address and the hashes it computed itself."""

    def __init__(self, base: str):
        self.base = base

    def key(self) -> VerifierKey:
        r = get(self.base, "/api/ledger/key")
        assert r.status == 200, r
        assert r.content_type == TEXT_PLAIN, r.content_type
        return parse_verifier_key(r.body.decode("utf-8").strip())

    def checkpoint_note(self) -> bytes:
        r = get(self.base, "/api/ledger/checkpoint")
        assert r.status == 200, r
        assert r.content_type == TEXT_PLAIN, r.content_type
        return r.body

    def checkpoint(self, key: VerifierKey) -> Checkpoint:
        return parse_checkpoint(open_note(self.checkpoint_note(), key))

    def entries(self, start: int, end: int) -> list[bytes]:
        out: list[bytes] = []
        while start + len(out) < end:
            page = ok_json(self.base, "/api/ledger/entries", start=start + len(out), end=end)
            assert set(page) >= {"entries"}, page
            got = page["entries"]
            assert got, f"empty page at {start + len(out)} before {end}"
            assert len(got) <= end - start - len(out), "more entries than asked for"
            assert all(isinstance(e, str) for e in got), "entries must be JSON texts"
            out.extend(e.encode("utf-8") for e in got)
        return out

    def inclusion(self, index: int, size: int) -> list[bytes]:
        body = ok_json(self.base, "/api/ledger/proof/inclusion", index=index, size=size)
        assert body["index"] == index and body["size"] == size, body
        return unhex(body["hashes"])

    def consistency(self, first: int, second: int) -> list[bytes]:
        body = ok_json(self.base, "/api/ledger/proof/consistency", first=first, second=second)
        assert body["first"] == first and body["second"] == second, body
        return unhex(body["hashes"])


def unhex(hashes: list[str]) -> list[bytes]:
    assert isinstance(hashes, list)
    for h in hashes:
        assert isinstance(h, str) and HEX64.fullmatch(h), f"proof hash must be 64 lowercase hex digits: {h!r}"
    return [bytes.fromhex(h) for h in hashes]


def check_entry(raw: bytes, seq: int) -> dict:
    obj = json.loads(raw)
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical == raw, f"entry {seq} is not canonical JSON:\n got  {raw!r}\n want {canonical!r}"
    assert set(obj) == {"seq", "type", "at", "actor", "object", "data"}, sorted(obj)
    assert obj["seq"] == seq and type(obj["seq"]) is int, (obj["seq"], seq)
    assert isinstance(obj["type"], str) and DOTTED.fullmatch(obj["type"]), obj["type"]
    assert isinstance(obj["at"], str) and RFC3339_UTC.fullmatch(obj["at"]), obj["at"]
    assert isinstance(obj["actor"], str) and obj["actor"], obj["actor"]
    assert isinstance(obj["object"], str) and OBJECT_REF.fullmatch(obj["object"]), obj["object"]
    assert isinstance(obj["data"], dict), obj["data"]
    digest = obj["data"].get("state_digest")
    assert isinstance(digest, str) and HEX64.fullmatch(digest), f"entry {seq} state_digest: {digest!r}"
    return obj


# ---------------------------------------------------------------- making entries through the platform


def make_enterprises(actor, count: int, tag: str) -> list:
    made = []
    for i in range(count):
        uscc = EnterpriseFactory.build(region="350102").uscc
        made.append(enterprise_create(actor=actor, uscc=uscc, name=f"审计测试企业{tag}{i}", region="350102"))
    return made


@pytest.fixture
def log(world, settings, tmp_path):
    settings.CHOUJIAN_LEDGER_KEY_FILE = tmp_path / "ledger_ed25519.pem"
    enterprises = make_enterprises(world.county_officer, 12, "甲")
    for e in enterprises[::3]:
        enterprise_update(actor=world.county_officer, enterprise=e, version=e.version, name=e.name + "（更名）")
    return {"world": world, "enterprises": enterprises, "created": 12, "updated": len(enterprises[::3])}


@pytest.fixture
def auditor(live_server) -> Auditor:
    return Auditor(live_server.url)


# ---------------------------------------------------------------- the tests


def test_it_verifies_the_signed_checkpoint_with_the_published_key(log, auditor, settings):
    key = auditor.key()
    note = auditor.checkpoint_note()
    body = open_note(note, key)
    cp = parse_checkpoint(body)
    assert cp.origin == settings.CHOUJIAN_LEDGER_ORIGIN
    assert cp.size == log["created"] + log["updated"]
    sig_lines = note.decode("utf-8")[len(body) + 1 :].splitlines()
    assert all(line.startswith(EM_DASH + " ") for line in sig_lines), note


def test_it_recomputes_the_signed_root_from_canonical_entries(log, auditor):
    key = auditor.key()
    cp = auditor.checkpoint(key)
    raw = auditor.entries(0, cp.size)
    assert len(raw) == cp.size
    entries = [check_entry(r, i) for i, r in enumerate(raw)]
    assert mth([leaf_hash(r) for r in raw]) == cp.root

    types = [e["type"] for e in entries]
    assert types.count("enterprise.created") == log["created"]
    assert types.count("enterprise.updated") == log["updated"]
    assert all(e["object"].startswith("enterprise:") for e in entries)
    # A rename changes the object's state, so its digest after the update differs from the one at creation.
    by_object: dict[str, list[str]] = {}
    for e in entries:
        by_object.setdefault(e["object"], []).append(e["data"]["state_digest"])
    assert len(by_object) == log["created"]
    renamed = [digests for digests in by_object.values() if len(digests) == 2]
    assert len(renamed) == log["updated"]
    assert all(a != b for a, b in renamed)


def test_it_verifies_an_inclusion_proof_for_every_entry(log, auditor):
    key = auditor.key()
    cp = auditor.checkpoint(key)
    leaves = [leaf_hash(r) for r in auditor.entries(0, cp.size)]
    for size in (cp.size, cp.size - 5, 1):
        root = cp.root if size == cp.size else mth(leaves[:size])
        for i in range(size):
            proof = auditor.inclusion(i, size)
            assert proof == path(i, leaves[:size]), f"inclusion proof {i}/{size} not in RFC 9162 order"
            assert verify_inclusion(i, size, leaves[i], proof, root), f"inclusion {i}/{size}"


def test_it_verifies_consistency_proofs_between_prefixes(log, auditor):
    key = auditor.key()
    cp = auditor.checkpoint(key)
    leaves = [leaf_hash(r) for r in auditor.entries(0, cp.size)]
    roots = {m: mth(leaves[:m]) for m in range(1, cp.size + 1)}
    assert roots[cp.size] == cp.root
    pairs = [(m, n) for n in range(2, cp.size + 1) for m in range(1, n) if n in (2, 3, 4, 7, 8, 9, cp.size) or m == 1]
    assert len(pairs) > 40
    for m, n in pairs:
        proof = auditor.consistency(m, n)
        assert proof == subproof(m, leaves[:n], True), f"consistency proof {m}→{n} not in RFC 9162 order"
        assert verify_consistency(m, n, proof, roots[m], roots[n]), f"consistency {m}→{n}"


def test_it_checks_that_a_grown_log_is_consistent_with_the_old_checkpoint(log, auditor):
    key = auditor.key()
    old = auditor.checkpoint(key)
    old_entries = auditor.entries(0, old.size)

    more = make_enterprises(log["world"].county_officer, 5, "乙")
    enterprise_update(actor=log["world"].county_officer, enterprise=more[0], version=more[0].version, name="改名企业")

    new = auditor.checkpoint(key)
    assert new.origin == old.origin
    assert new.size == old.size + 6
    proof = auditor.consistency(old.size, new.size)
    assert verify_consistency(old.size, new.size, proof, old.root, new.root)
    assert not verify_consistency(old.size, new.size, proof, flipped(old.root), new.root)

    entries = auditor.entries(0, new.size)
    assert entries[: old.size] == old_entries, "history was rewritten"
    for i, raw in enumerate(entries):
        check_entry(raw, i)
    assert mth([leaf_hash(r) for r in entries]) == new.root
    i = new.size - 1
    assert verify_inclusion(i, new.size, leaf_hash(entries[i]), auditor.inclusion(i, new.size), new.root)


def test_it_rejects_tampered_proofs_roots_and_signatures(log, auditor):
    key = auditor.key()
    note = auditor.checkpoint_note()
    cp = parse_checkpoint(open_note(note, key))
    raw = auditor.entries(0, cp.size)
    leaves = [leaf_hash(r) for r in raw]

    # Inclusion: every hash of a proof matters, as do the root, the leaf and the index.
    i = 5
    proof = auditor.inclusion(i, cp.size)
    assert verify_inclusion(i, cp.size, leaves[i], proof, cp.root)
    for j in range(len(proof)):
        for at in (0, 31):
            bad = proof[:j] + [flipped(proof[j], at)] + proof[j + 1 :]
            assert not verify_inclusion(i, cp.size, leaves[i], bad, cp.root)
    assert not verify_inclusion(i, cp.size, leaves[i], proof, flipped(cp.root))
    assert not verify_inclusion(i, cp.size, leaf_hash(flipped(raw[i], 10)), proof, cp.root)
    assert not verify_inclusion(i + 1, cp.size, leaves[i], proof, cp.root)
    assert not verify_inclusion(i, cp.size, leaves[i], proof[:-1], cp.root)
    assert not verify_inclusion(i, cp.size, leaves[i], [*proof, proof[-1]], cp.root)

    # Consistency: likewise, for a power-of-two and a non-power-of-two old size.
    for m in (4, 7):
        proof = auditor.consistency(m, cp.size)
        old_root = mth(leaves[:m])
        assert verify_consistency(m, cp.size, proof, old_root, cp.root)
        for j in range(len(proof)):
            bad = proof[:j] + [flipped(proof[j], 17)] + proof[j + 1 :]
            assert not verify_consistency(m, cp.size, bad, old_root, cp.root)
        assert not verify_consistency(m, cp.size, proof, old_root, flipped(cp.root))
        assert not verify_consistency(m, cp.size, proof, flipped(old_root), cp.root)
        assert not verify_consistency(m, cp.size, proof[:-1], old_root, cp.root)

    # The recomputed root no longer matches after any entry byte changes.
    assert mth([leaf_hash(flipped(raw[0], 3)), *leaves[1:]]) != cp.root

    # Signature: a flipped signature byte, body byte or key id fails.
    text = note.decode("utf-8")
    cut = text.rfind("\n\n") + 2
    dash, name, b64 = text[cut:].rstrip("\n").split(" ")
    blob = base64.b64decode(b64)
    forged_sig = text[:cut] + f"{dash} {name} {base64.b64encode(flipped(blob, 40)).decode()}\n"
    with pytest.raises(InvalidSignature):
        open_note(forged_sig.encode(), key)
    forged_root = base64.b64encode(flipped(cp.root)).decode()
    forged_body = text.replace(base64.b64encode(cp.root).decode(), forged_root, 1)
    assert forged_body != text
    with pytest.raises(InvalidSignature):
        open_note(forged_body.encode(), key)
    wrong_id = text[:cut] + f"{dash} {name} {base64.b64encode(flipped(blob, 0)).decode()}\n"
    with pytest.raises(AssertionError, match="no signature by"):
        open_note(wrong_id.encode(), key)
    with pytest.raises(AssertionError):
        parse_verifier_key(f"{key.name}+{flipped(key.key_id).hex()}+" + auditor_key_b64(auditor))


def auditor_key_b64(auditor: Auditor) -> str:
    return get(auditor.base, "/api/ledger/key").body.decode().strip().split("+", 2)[2]


BAD_QUERIES = [
    ("/api/ledger/proof/inclusion", {"size": "3"}, {"index"}),
    ("/api/ledger/proof/inclusion", {"index": "0"}, {"size"}),
    ("/api/ledger/proof/inclusion", {"index": "-1", "size": "3"}, {"index"}),
    ("/api/ledger/proof/inclusion", {"index": "0", "size": "-3"}, {"size"}),
    ("/api/ledger/proof/inclusion", {"index": "abc", "size": "3"}, {"index"}),
    ("/api/ledger/proof/inclusion", {"index": "1", "size": "3.5"}, {"size"}),
    ("/api/ledger/proof/inclusion", {"index": "3", "size": "3"}, {"index", "size"}),
    ("/api/ledger/proof/inclusion", {"index": "0", "size": "0"}, {"index", "size"}),
    ("/api/ledger/proof/inclusion", {"index": "0", "size": "LOG+1"}, {"size"}),
    ("/api/ledger/proof/consistency", {"second": "3"}, {"first"}),
    ("/api/ledger/proof/consistency", {"first": "1"}, {"second"}),
    ("/api/ledger/proof/consistency", {"first": "-1", "second": "3"}, {"first"}),
    ("/api/ledger/proof/consistency", {"first": "x", "second": "3"}, {"first"}),
    ("/api/ledger/proof/consistency", {"first": "1", "second": "0x3"}, {"second"}),
    ("/api/ledger/proof/consistency", {"first": "5", "second": "3"}, {"first", "second"}),
    ("/api/ledger/proof/consistency", {"first": "1", "second": "LOG+1"}, {"second"}),
    ("/api/ledger/entries", {"end": "3"}, {"start"}),
    ("/api/ledger/entries", {"start": "-1", "end": "3"}, {"start"}),
    ("/api/ledger/entries", {"start": "zero", "end": "3"}, {"start"}),
    ("/api/ledger/entries", {"start": "0", "end": "three"}, {"end"}),
    ("/api/ledger/entries", {"start": "3", "end": "1"}, {"start", "end"}),
]


def test_it_gets_a_json_400_for_each_bad_query(log, auditor):
    size = auditor.checkpoint(auditor.key()).size
    failures = []
    for route, params, names in BAD_QUERIES:
        params = {k: str(size + 1) if v == "LOG+1" else v for k, v in params.items()}
        r = get(auditor.base, route, **params)
        problem = None
        if r.status != 400:
            problem = f"status {r.status}"
        elif r.content_type.split(";")[0].strip() != "application/json":
            problem = f"content type {r.content_type!r}"
        else:
            body = r.json()
            if not body or not any(n in json.dumps(body, ensure_ascii=False) for n in names):
                problem = f"body does not say which of {sorted(names)} is wrong"
        if problem:
            failures.append(f"{route}?{urllib.parse.urlencode(params)}: {problem}: {r.body[:200]!r}")
    assert not failures, "\n".join(failures)
