"""The API fuzzing stage: the whole OpenAPI schema, called as fifteen people against a demo site.

    python -m fuzz.api [--examples N]          (DATABASE_URL selects the database; SQLite in a new directory otherwise)

A new demo site is built and served; then every operation is first called with the example its schema documents,
along the lifecycle of a plan (`fuzz.explicit`), as fifteen people with their own API tokens (two province regulator
administrators, five samplers, a laboratory intake clerk, a tester, a reviewer, an approver, three manufacturers and
a contractor), and then with generated input (schemathesis) as eight of them, its path
parameters filled with real objects that person can see (found through the list operations, as a client would
follow links), so that calls reach the code behind the lookup rather than stopping at 404. Afterwards:

- no response may be a 5xx;
- `choujian ledger verify` must pass: whatever the calls changed, deleted or were refused, it was ledgered;
- every draw record must still pass the stand-alone verifier.

Per operation it prints how many calls ended in 2xx, 4xx and 5xx, and lists operations that never got a 2xx.
Exit status 0 when all three hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

from fuzz import explicit


@dataclass
class Tally:
    """What one operation answered: counts per status class, calls made, and the most telling refusal."""

    counts: collections.Counter = field(default_factory=collections.Counter)
    calls: int = 0
    refusal: str = ""
    refusal_rank: int = -1
    documented: str = ""  # the person whose call with the documented example succeeded


# The people whose calls are generated too (each costs about twenty seconds of CI per database).
PERSONAS = {
    "regulator": "省级监管管理员",
    "regulator2": "省级第二管理员",
    "sampler1": "抽样人员",
    "intake": "样品接收",
    "tester": "检验人员",
    "approver": "报告批准",
    "manufacturer": "生产企业",
    "contractor": "施工单位",
}
# The documented phase acts as these too: every sampler (the draw decides whose a new plan's task is), the reviewer,
# and the enterprises whose results the demo shows.
DOCUMENTED_ONLY = {
    "sampler2": "第二抽样人员",
    "sampler3": "第三抽样人员",
    "sampler4": "第四抽样人员",
    "sampler5": "第五抽样人员",
    "reviewer": "报告审核",
    "objector": "提出异议的企业",
    "recipient": "收到结果通知的企业",
}
PARAM = re.compile(r"\{([^}]+)\}")
ORGANISATIONS = "/api/v1/organisations/?kind="
# Body fields that name another object, and where a client finds a real one (what OpenAPI links would say).
REFERENCES = {
    "section": ("/api/v1/sections/", "id"),
    "product": ("/api/v1/products/", "id"),
    "enterprise": ("/api/v1/enterprises/", "id"),
    "project": ("/api/v1/projects/", "id"),
    "owner": (ORGANISATIONS + "owner", "id"),
    "contractor": (ORGANISATIONS + "contractor", "id"),
    "supervisor": (ORGANISATIONS + "supervisor", "id"),
    "regulator": (ORGANISATIONS + "regulator", "id"),
    "parent": (ORGANISATIONS + "regulator", "id"),
    "agency": (ORGANISATIONS + "sampling_agency", "id"),
    "laboratory": (ORGANISATIONS + "laboratory", "id"),
    "category": ("/api/v1/categories/", "code"),
    "region": ("/api/v1/enterprises/", "region"),
    "task": ("/api/v1/tasks/", "code"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=6, help="generated calls per operation and person")
    parser.add_argument("--site", help="fuzz a site already running on this database (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--only", default="", help="only operations whose path contains this text")
    parser.add_argument("--documented-only", action="store_true", help="only the documented examples, no generation")
    args = parser.parse_args(argv)
    if args.site:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "choujian.settings")
        import django

        django.setup()
        statuses, errors = _fuzz(args.site.rstrip("/"), _tokens(), args.examples, args.only, args.documented_only)
        _report(statuses, errors)
        return 0 if not errors else 1
    os.environ.setdefault("CHOUJIAN_DATA_DIR", tempfile.mkdtemp(prefix="choujian-fuzz-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "choujian.settings")
    choujian = [sys.executable, "-m", "choujian.cli"]
    started = time.monotonic()
    subprocess.run([*choujian, "migrate", "-v", "0"], check=True)
    subprocess.run([*choujian, "flush", "--no-input", "-v", "0"], check=True)  # a reused PostgreSQL database
    subprocess.run([*choujian, "demo"], check=True, stdout=subprocess.DEVNULL)

    import django

    django.setup()
    tokens = _tokens()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "choujian.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/api/v1/schema/")
        statuses, errors = _fuzz(base, tokens, args.examples, args.only, args.documented_only)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ledger_ok = _ledger_verifies()
    draws_ok = _draws_verify()
    _report(statuses, errors)
    print(f"用时 / took {time.monotonic() - started:.0f} s")
    return 0 if not errors and ledger_ok and draws_ok else 1


def _tokens() -> dict[str, str]:
    from choujian.accounts.models import User
    from choujian.accounts.services import api_token_issue

    names = [*PERSONAS, *DOCUMENTED_ONLY]
    return {name: api_token_issue(user=User.objects.get(username=name), two_factor=True)[1] for name in names}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the site did not start: {url}")


def _fuzz(base: str, tokens: dict[str, str], examples: int, only: str = "", documented_only: bool = False):
    import requests
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{base}/api/v1/schema/")
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if only in op.path]
    statuses: dict[str, Tally] = collections.defaultdict(Tally)
    errors: list[str] = []
    people = {}
    for persona, token in tokens.items():
        people[persona] = requests.Session()
        people[persona].headers.update({"Authorization": f"Token {token}"})
    document = requests.get(f"{base}/api/v1/schema/?format=json", timeout=60).json()
    documented = {k: v for k, v in document["paths"].items() if only in k}
    for path, methods in documented.items():  # an operation nothing reached counts as not reached
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                statuses[f"{method.upper()} {path}"]  # noqa: B018
    explicit.run(
        base, {**document, "paths": documented}, people, _references, _real_parameters, _version, statuses, errors
    )
    for persona, token in () if documented_only else tokens.items():
        headers = {"Authorization": f"Token {token}"}
        session = requests.Session()
        session.headers.update(headers)
        references = _references(session, base)
        # Reads first, then writes, deletions last: a deletion must not starve the operations after it of objects.
        order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
        for operation in sorted(operations, key=lambda op: (order.get(op.method.upper(), 1), op.path)):
            label = f"{operation.method.upper()} {operation.path}"
            fills = _real_parameters(session, base, operation.path)
            knowns = []
            for fill in fills or [{}]:
                known = dict(references)
                version = _version(session, base, operation.path, fill)
                if version is not None:
                    known["version"] = version
                knowns.append(known)
            _check(operation, base, headers, fills, knowns, examples, persona, statuses[label], errors)()
        if not only:
            _stateful(schema, base, headers, examples, persona, statuses, errors)
    return statuses, errors


def _check(operation, base, headers, fills, knowns, examples, persona, tally: Tally, errors):
    from hypothesis import HealthCheck, given, settings

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case):
        tally.calls += 1
        pick = tally.calls // 2 % max(len(fills), 1)
        fill, known = (fills[pick] if fills else {}), knowns[pick % len(knowns)]
        for name, value in fill.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        if tally.calls % 2:  # every other call names real objects; the rest stays pure fuzz
            if isinstance(case.body, dict):
                case.body.update({k: v for k, v in known.items() if k in case.body})
            if case.query and "version" in case.query and "version" in known:
                case.query["version"] = known["version"]
        try:
            response = case.call(base_url=base, headers=headers, timeout=60)
        except Exception as exc:  # a dropped connection is as bad as a 500
            errors.append(f"{persona} {case.method} {case.formatted_path}: {exc}")
            tally.counts["5xx"] += 1
            return
        code = response.status_code
        tally.counts[f"{code // 100}xx"] += 1
        if 400 <= code < 500 and not tally.counts["2xx"]:
            # A refusal on the content (400, 409) says more than "not yours" (403) or "no such object" (404).
            rank = 0 if code in (403, 404) else 1
            if rank >= tally.refusal_rank:
                tally.refusal_rank, tally.refusal = rank, f"{persona} {code} {response.text[:160]}"
        if code >= 500:
            errors.append(f"{persona} {case.method} {case.formatted_path} {case.body!r}: {code}")

    return check


def _stateful(schema, base, headers, examples, persona, statuses, errors) -> None:
    """Sequences of calls chained by the links schemathesis infers from responses and path parameters: an object one
    call returns is the one the next call reads, changes or deletes."""
    from hypothesis import HealthCheck, settings

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": base, "headers": headers, "timeout": 60}

        def validate_response(self, response, case, **kwargs):
            label = f"{case.method.upper()} {case.operation.path}"
            code = response.status_code
            statuses[label].counts[f"{code // 100}xx"] += 1
            if code >= 500:
                errors.append(f"{persona} (stateful) {case.method} {case.formatted_path} {case.body!r}: {code}")

    Machine.run(
        settings=settings(
            max_examples=examples * 10,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )


def _references(session, base: str) -> dict:
    """One real value per reference field, as this person's list operations show them."""
    found = {}
    for name, (path, key) in REFERENCES.items():
        items = _items(session, base + path)
        if items and items[0].get(key) is not None:
            found[name] = items[0][key]
    return found


def _version(session, base: str, path: str, fill: dict) -> int | None:
    """The current edit version of the object a path names (writes must quote it)."""
    if not fill:
        return None
    detail = PARAM.sub(lambda m: str(fill.get(m.group(1), "")), path.split("}", 1)[0] + "}") + "/"
    try:
        data = session.get(base + detail, timeout=60).json()
    except ValueError:
        return None
    return data.get("version") if isinstance(data, dict) else None


def _real_parameters(session, base: str, path: str, choices: int = 5) -> list[dict[str, str]]:
    """Real values for the path's parameters, as a client follows links: each from the items the list above it shows
    this person. Several objects are offered (in different states, so that some call finds one it may act on)."""
    found: list[dict[str, str]] = [{}]
    for match in PARAM.finditer(path):
        name = match.group(1)
        extended = []
        for values in found:
            collection = path[: match.start()]
            for known, value in values.items():
                collection = collection.replace("{" + known + "}", value)
            if "{" in collection:
                continue
            for item in _items(session, base + collection)[:choices]:
                value = next((item[key] for key in (name, "code", "public_id", "id") if key in item), None)
                if value is not None:
                    extended.append({**values, name: str(value)})
        if not extended:
            return [values for values in found if values]
        found = extended[:choices]
    return [values for values in found if values]


def _items(session, url: str) -> list[dict]:
    try:
        data = session.get(url, timeout=60).json()
    except ValueError:
        return []
    items = data.get("results", data.get("items")) if isinstance(data, dict) else data
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _ledger_verifies() -> bool:
    from choujian.ledger.verify import run

    report = run()
    for problem in report.problems:
        print(f"ledger verify: {problem}")
    print(f"ledger verify: {report.entries} entries, {report.objects} objects, {len(report.problems)} problem(s)")
    return report.ok


def _draws_verify() -> bool:
    import json

    from choujian.draws import verify as standalone
    from choujian.draws.models import Draw
    from choujian.draws.selectors import inspector_draw_sealed, public_record

    failed = sealed = 0
    draws = list(Draw.objects.order_by("pk"))
    for draw in draws:
        if inspector_draw_sealed(draw):
            sealed += 1  # published only once its task is revealed
            continue
        record = json.loads(json.dumps(public_record(draw)))
        try:
            standalone.verify(record)
        except Exception as exc:
            failed += 1
            print(f"draw record {draw.public_id}: {exc}")
    checked = len(draws) - sealed
    print(f"draw records: {checked} checked with the stand-alone verifier ({sealed} still sealed), {failed} failed")
    return failed == 0


def _report(statuses: dict, errors: list[str]) -> None:
    print(f"{'operation':70} {'2xx':>6} {'4xx':>6} {'5xx':>6}")
    never = []
    for label in sorted(statuses):
        counts = statuses[label].counts
        print(f"{label:70} {counts['2xx']:>6} {counts['4xx']:>6} {counts['5xx']:>6}")
        if not counts["2xx"]:
            never.append(label)
    total = len(statuses)
    reached = total - len(never)
    print(f"operations: {total}; with at least one 2xx: {reached} ({100 * reached / max(total, 1):.0f}%)")
    for label in never:
        print(f"  never 2xx: {label} — {statuses[label].refusal}")
    print(f"5xx or dropped: {len(errors)}")
    for line in errors[:50]:
        print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
