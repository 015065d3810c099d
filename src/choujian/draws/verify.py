#!/usr/bin/env python3
"""Verify a choujian-draw-v1 draw record (抽检随机抽取记录核验) — stand-alone, standard library only.

    python verify.py record.json          (or "-" to read the record from standard input)
    python -m choujian.draws.verify record.json

From the record alone it recomputes: the frame digest from `frame`; the seed — for a ceremony, each revealed
secret against its commitment, then sha256 of the frame digest and the secrets ordered by participant name
(Python's sorted(), i.e. code point order), LF-joined; for an external seed, that it has at least 20 characters;
for a derived (inspector) seed, that it is f"{plan_seed}/{task}" — and, per stratum of `quotas`, the selected
items and the alternates in rank order. Every stratum of the frame must have a quota.

Exit status: 0 the record verifies; 1 it does not (the first difference is named); 2 the input is not a draw
record at all (not JSON, or a field is missing or of the wrong type).

This file shares no code with the platform that made the record: it re-implements the spec (draw-v1) as
literally as possible, so that it can be read in a few minutes, copied anywhere and run with Python ≥ 3.8.
"""

import hashlib
import json
import math
import sys

ALGORITHM = "choujian-draw-v1"


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
    if field(record, "algorithm", str) != ALGORITHM:
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
