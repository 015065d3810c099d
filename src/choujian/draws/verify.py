#!/usr/bin/env python3
"""Verify a choujian-draw-v1 or -v2 draw record (抽检随机抽取记录核验) — stand-alone, standard library only.

    python verify.py record.json          (or "-" to read the record from standard input)
    python -m choujian.draws.verify record.json

From the record alone it recomputes: the frame digest from `frame`; the seed — for a ceremony, each revealed
secret against its commitment, then sha256 of the frame digest and the secrets ordered by participant name
(Python's sorted(), i.e. code point order), LF-joined; for an external seed, that it has at least 20 characters;
for a derived (inspector) seed, that it is f"{plan_seed}/{task}" — and, per stratum of `quotas`, the selected
items and the alternates in rank order. Every stratum of the frame must have a quota.

Exit status: 0 the record verifies; 1 it does not (the first difference is named); 2 the input is not a draw
record at all (not JSON, or a field is missing or of the wrong type).

A draw-v2 record (commitments first, names revealed after sampling) is checked as far as it has been revealed:
the seed from the commitments, secrets and beacon (a record without a beacon gets a warning); every item reveal
against the frame root by its RFC 6962 inclusion proof, and its status against its rank and the quota; once the
full frame is revealed, the root, the stratum sizes, every key, the selection, the selection digest and every
earlier reveal are recomputed.

This file shares no code with the platform that made the record: it re-implements the specs (draw-v1, draw-v2)
as literally as possible, so that it can be read in a few minutes, copied anywhere and run with Python ≥ 3.8.
"""

import hashlib
import json
import math
import sys

ALGORITHM = "choujian-draw-v1"
ALGORITHM_V2 = "choujian-draw-v2"


class Unreadable(Exception):
    """The input is not a draw record (exit status 2)."""


class Mismatch(Exception):
    """The record does not verify (exit status 1)."""


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item_key(seed, item):
    t = int.from_bytes(hashlib.sha256(f"{seed},{item['id']}".encode()).digest(), "big")
    u = ((t >> 203) + 0.5) / 2**53
    return -math.log(u) / item["weight"]


def show(value):
    return json.dumps(value, ensure_ascii=False)


def field(obj, name, kind, where="record"):
    if not isinstance(obj, dict) or name not in obj:
        raise Unreadable(f"{where} has no {name!r} field 缺少字段")
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Unreadable(f"{where}.{name} must be a JSON {kind.__name__} 类型错误, got {show(value)}")
    return value


def same(what, recorded, computed):
    if recorded != computed:
        raise Mismatch(f"{what} 不一致 mismatch: record {show(recorded)} computed {show(computed)}")


def read_frame(frame):
    items = []
    for n, entry in enumerate(frame):
        where = f"frame[{n}]"
        item = {
            name: field(entry, name, kind, where) for name, kind in (("id", str), ("weight", int), ("stratum", str))
        }
        if not item["id"] or item["weight"] < 1 or any(c in item["id"] + item["stratum"] for c in "\t\n\r"):
            raise Mismatch(f"{where} breaks the frame rules 不符合抽样框规则 (non-empty id, weight ≥ 1, no TAB/LF/CR)")
        items.append(item)
    items.sort(key=lambda item: item["id"])
    for n in range(1, len(items)):
        if items[n - 1]["id"] == items[n]["id"]:
            raise Mismatch(f"id {show(items[n]['id'])} appears twice in the frame 抽样框中 id 重复")
    return items


def check_seed(seed, source, digest):
    kind = field(source, "kind", str, "seed_source")
    if len(seed) < 20:
        raise Mismatch(f"the seed {show(seed)} is shorter than 20 characters 种子不足 20 个字符")
    if kind == "ceremony":
        commitments = field(source, "commitments", dict, "seed_source")
        secrets = field(source, "secrets", dict, "seed_source")
        if not secrets:
            raise Mismatch("the ceremony has no participants 随机数仪式没有参与方")
        if set(commitments) != set(secrets):
            names = sorted(set(commitments) ^ set(secrets))
            raise Mismatch(
                f"commitments and secrets name different participants 承诺与秘密的参与方不一致: {show(names)}"
            )
        for name in sorted(secrets):
            secret = field(secrets, name, str, "seed_source.secrets")
            if sha256_hex(secret) != field(commitments, name, str, "seed_source.commitments"):
                raise Mismatch(f"commitment of {name} does not match the revealed secret 承诺与揭示的秘密不符")
        same("seed 种子", seed, sha256_hex("\n".join([digest] + [secrets[name] for name in sorted(secrets)])))
        return f"ceremony 随机数仪式, {len(secrets)} participants 参与方, every commitment matches 承诺全部相符"
    if kind == "external":
        return "external 外部随机数"
    if kind == "derived":
        plan_seed = field(source, "plan_seed", str, "seed_source")
        same("seed 种子", seed, f"{plan_seed}/{field(source, 'task', str, 'seed_source')}")
        return "derived from the plan seed 由计划种子派生"
    raise Mismatch(f"unknown seed_source.kind 未知的种子来源 {show(kind)}")


def verify(record):
    """Check a parsed record; return a short summary, or raise Mismatch (exit 1) or Unreadable (exit 2)."""
    if field(record, "algorithm", str) == ALGORITHM_V2:
        return verify_v2(record)
    if record["algorithm"] != ALGORITHM:
        raise Unreadable(f"not a {ALGORITHM} record 不是本算法的记录: algorithm {show(record['algorithm'])}")
    purpose = field(record, "purpose", str)
    field(record, "created_at", str)
    items = read_frame(field(record, "frame", list))
    digest = sha256_hex("".join(f"{item['id']}\t{item['weight']}\t{item['stratum']}\n" for item in items))
    same("frame_digest", field(record, "frame_digest", str), digest)
    seed = field(record, "seed", str)
    seed_summary = check_seed(seed, field(record, "seed_source", dict), digest)

    quotas = field(record, "quotas", dict)
    by_stratum = {}
    for stratum in sorted(quotas):
        if field(quotas, stratum, int, "quotas") < 0:
            raise Mismatch(f"quota of stratum {show(stratum)} is negative 配额为负")
        by_stratum[stratum] = []
    for item in items:
        if item["stratum"] not in by_stratum:
            raise Mismatch(f"stratum {show(item['stratum'])} of item {show(item['id'])} has no quota 该层没有配额")
        by_stratum[item["stratum"]].append(item)
    computed = {"selected": {}, "alternates": {}}
    for stratum, members in by_stratum.items():
        ranked = [item["id"] for item in sorted(members, key=lambda item: (item_key(seed, item), item["id"]))]
        computed["selected"][stratum] = ranked[: quotas[stratum]]
        computed["alternates"][stratum] = ranked[quotas[stratum] :]

    for part in ("selected", "alternates"):
        recorded = field(record, part, dict)
        for stratum, ids in computed[part].items():
            listed = field(recorded, stratum, list, part)
            for rank in range(max(len(listed), len(ids))):
                missing = "(none 无)"
                same(
                    f"{part}[{show(stratum)}][{rank}]",
                    listed[rank] if rank < len(listed) else missing,
                    ids[rank] if rank < len(ids) else missing,
                )
        for stratum in recorded:
            if stratum not in computed[part]:
                raise Mismatch(f"{part}[{show(stratum)}] is a stratum without a quota 该层没有配额")
    chosen = sum(len(ids) for ids in computed["selected"].values())
    short = sum(quotas.values()) - chosen
    return (
        f"OK 核验通过: {ALGORITHM} record {show(purpose)} — frame, seed and selection recomputed, identical 完全一致\n"
        f"  frame 抽样框: {len(items)} items 个对象 in {len(quotas)} strata 层, frame_digest {digest}\n"
        f"  seed 种子: {seed_summary}\n"
        f"  {chosen} selected 抽中" + (f" ({short} short of the quotas 未达配额)" if short else "") + ", "
        f"{len(items) - chosen} alternates 备选"
    )


# --- draw-v2 ----------------------------------------------------------------------------------------------------


def leaf_hash(line):
    return hashlib.sha256(b"\x00" + line.encode("utf-8")).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_hash(leaves):
    """RFC 6962 Merkle tree hash of a list of leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    if not leaves:
        return hashlib.sha256(b"").digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def inclusion_ok(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2: verify an inclusion proof."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def salted_key(seed, item):
    t = int.from_bytes(hashlib.sha256(f"{seed},{item['id']},{item['salt']}".encode()).digest(), "big")
    u = ((t >> 203) + 0.5) / 2**53
    return -math.log(u) / item["weight"]


def line_of(item):
    return f"{item['id']}\t{item['weight']}\t{item['stratum']}\t{item['salt']}"


def check_seed_v2(seed, source, root):
    """Returns (summary, warnings)."""
    kind = field(source, "kind", str, "seed_source")
    if "beacon" not in source:
        raise Unreadable("seed_source has no 'beacon' field (null when there is none) 缺少 beacon 字段")
    beacon = source["beacon"]
    warnings = []
    value = None
    if beacon is None:
        warnings.append(
            "WARNING 警告: no public beacon — the seed's parties together could have chosen it 无公共随机信标"
        )
    else:
        field(beacon, "source", str, "seed_source.beacon")
        field(beacon, "fixed_on", str, "seed_source.beacon")
        value = field(beacon, "value", str, "seed_source.beacon")
    if kind == "ceremony":
        commitments = field(source, "commitments", dict, "seed_source")
        secrets = field(source, "secrets", dict, "seed_source")
        if not secrets or set(commitments) != set(secrets):
            raise Mismatch("commitments and secrets must name the same participants 承诺与秘密的参与方不一致")
        for name in sorted(secrets):
            if sha256_hex(field(secrets, name, str, "seed_source.secrets")) != commitments[name]:
                raise Mismatch(f"commitment of {name} does not match the revealed secret 承诺与揭示的秘密不符")
        parts = [root] + [secrets[name] for name in sorted(secrets)] + ([value] if value is not None else [])
        same("seed 种子", seed, sha256_hex("\n".join(parts)))
        summary = f"ceremony 随机数仪式, {len(secrets)} participants 参与方" + (", beacon 信标" if value else "")
    elif kind == "external":
        if len(seed) < 20:
            raise Mismatch("the seed is shorter than 20 characters 种子不足 20 个字符")
        summary = "external 外部随机数"
    elif kind == "derived":
        plan_seed = field(source, "plan_seed", str, "seed_source")
        same("seed 种子", seed, f"{plan_seed}/{field(source, 'task', str, 'seed_source')}")
        summary = "derived from the plan seed 由计划种子派生"
    else:
        raise Mismatch(f"unknown seed_source.kind 未知的种子来源 {show(kind)}")
    return summary, warnings


def read_reveal(reveal, n):
    where = f"revealed[{n}]"
    line = field(reveal, "line", str, where)
    parts = line.split("\t")
    if len(parts) != 4 or not parts[1].isdigit():
        raise Mismatch(f"{where}.line is not id TAB weight TAB stratum TAB salt 揭示行格式错误")
    item = {"id": parts[0], "weight": int(parts[1]), "stratum": parts[2], "salt": parts[3]}
    proof = field(reveal, "proof", list, where)
    try:
        proof = [bytes.fromhex(p) for p in proof]
    except (TypeError, ValueError):
        raise Mismatch(f"{where}.proof is not a list of hex hashes 证明格式错误") from None
    return (
        item,
        field(reveal, "index", int, where),
        proof,
        field(reveal, "stratum_rank", int, where),
        field(reveal, "status", str, where),
    )


def verify_v2(record):
    purpose = field(record, "purpose", str)
    field(record, "created_at", str)
    root_hex = field(record, "frame_root", str)
    try:
        root = bytes.fromhex(root_hex)
    except ValueError:
        raise Unreadable("frame_root is not hex 不是十六进制") from None
    counts = field(record, "frame_counts", dict)
    quotas = field(record, "quotas", dict)
    size = sum(field(counts, k, int, "frame_counts") for k in counts)
    seed = field(record, "seed", str)
    seed_summary, warnings = check_seed_v2(seed, field(record, "seed_source", dict), root_hex)
    for stratum in counts:
        if stratum not in quotas:
            raise Mismatch(f"stratum {show(stratum)} has no quota 该层没有配额")
    selected_counts = field(record, "selected_counts", dict)
    for stratum in quotas:
        expected = min(field(quotas, stratum, int, "quotas"), counts.get(stratum, 0))
        same(f"selected_counts[{show(stratum)}]", selected_counts.get(stratum), expected)
    reveals = field(record, "revealed", list)
    revealed = {}
    for n, reveal in enumerate(reveals):
        item, index, proof, rank, status = read_reveal(reveal, n)
        if not inclusion_ok(index, size, leaf_hash(line_of(item)), proof, root):
            raise Mismatch(f"revealed[{n}] ({show(item['id'])}) is not in the committed frame 不在承诺的抽样框中")
        quota = quotas.get(item["stratum"], 0)
        expected_status = "selected" if rank <= quota else "alternate"
        same(f"revealed[{n}].status", status, expected_status)
        revealed[item["id"]] = (rank, status)
    digest = field(record, "selection_digest", str)
    if "frame" not in record:
        return "\n".join(
            [
                f"OK 核验通过 (sealed 未全部公开): {ALGORITHM_V2} record {show(purpose)}",
                f"  frame 抽样框: {size} items 个对象 committed by root 承诺根 {root_hex}",
                f"  seed 种子: {seed_summary}",
                f"  {len(reveals)} item reveals 已揭示对象, each proven in the frame 均已证明属于抽样框",
                *warnings,
            ]
        )
    items = []
    for n, entry in enumerate(field(record, "frame", list)):
        where = f"frame[{n}]"
        item = {
            name: field(entry, name, kind, where)
            for name, kind in (("id", str), ("weight", int), ("stratum", str), ("salt", str))
        }
        if not item["id"] or item["weight"] < 1 or any(c in item["id"] + item["stratum"] for c in "\t\n\r"):
            raise Mismatch(f"{where} breaks the frame rules 不符合抽样框规则")
        items.append(item)
    items.sort(key=lambda item: item["id"])
    same("frame_root", root_hex, tree_hash([leaf_hash(line_of(item)) for item in items]).hex())
    computed_counts = {}
    for item in items:
        computed_counts[item["stratum"]] = computed_counts.get(item["stratum"], 0) + 1
    same("frame_counts", dict(sorted(counts.items())), dict(sorted(computed_counts.items())))
    text, ranks = [], {}
    selected, alternates = {}, {}
    for stratum in sorted(quotas):
        members = [item for item in items if item["stratum"] == stratum]
        ranked = [i["id"] for i in sorted(members, key=lambda i: (salted_key(seed, i), i["id"]))]
        selected[stratum], alternates[stratum] = ranked[: quotas[stratum]], ranked[quotas[stratum] :]
        for rank, item_id in enumerate(ranked, start=1):
            kind = "S" if rank <= quotas[stratum] else "A"
            text.append(f"{kind}\t{stratum}\t{rank}\t{item_id}\n")
            ranks[item_id] = (rank, "selected" if kind == "S" else "alternate")
    same("selection_digest", digest, sha256_hex("".join(text)))
    same("selected", field(record, "selected", dict), selected)
    same("alternates", field(record, "alternates", dict), alternates)
    for item_id, placed in revealed.items():
        same(f"reveal of {show(item_id)}", list(placed), list(ranks.get(item_id, (None, None))))
    chosen = sum(len(v) for v in selected.values())
    return "\n".join(
        [
            f"OK 核验通过: {ALGORITHM_V2} record {show(purpose)} — all recomputed 完全一致",
            f"  frame 抽样框: {len(items)} items 个对象, frame_root {root_hex}",
            f"  seed 种子: {seed_summary}",
            f"  {chosen} selected 抽中, {len(items) - chosen} alternates 备选, {len(reveals)} earlier reveals 先前揭示",
            *warnings,
        ]
    )


def _no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Unreadable(f"the JSON object has the key {show(key)} twice JSON 键重复")
        obj[key] = value
    return obj


def _reject_constant(name):
    raise Unreadable(f"{name} is not valid JSON 不是合法的 JSON")


def say(message, stream):
    try:
        print(message, file=stream)
    except UnicodeEncodeError:  # a console that cannot show Chinese
        print(message.encode("ascii", "backslashreplace").decode("ascii"), file=stream)


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        say('usage 用法: python verify.py RECORD.json   ("-" reads standard input 从标准输入读取)', sys.stderr)
        return 2
    try:
        if args[0] == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args[0], "rb") as file:
                data = file.read()
        record = json.loads(
            data.decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
        say(verify(record), sys.stdout)
        return 0
    except Mismatch as exc:
        say(f"FAIL 核验失败: {exc}", sys.stderr)
        return 1
    except Unreadable as exc:
        say(f"ERROR 无法核验: {exc}", sys.stderr)
    except (OSError, UnicodeError, ValueError, OverflowError) as exc:
        say(f"ERROR 无法核验: cannot read a JSON draw record 无法读取 JSON 记录: {exc}", sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
