"""The documented path: every operation called with the example its schema documents, along the lifecycle.

Generated input finds crashes but rarely a valid body for a domain this strict (a six-digit region that exists, a
signature over the form the signer saw, a plan in the one state an action accepts). This phase is the client that
reads the documentation: each operation's request example, its reference fields filled with real objects the person
can see, its version quoted, its files attached and their digests computed, in the order a real plan moves — so a plan
is created, given a line, submitted, returned, submitted again, approved by a second person, framed, frozen, drawn by
a ceremony whose personal links come from an earlier answer, sampled, sealed, handed over, tested, reported and
objected to. Each operation stops at its first success; which person and which object it took is reported.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date

# Values the client looks up when it sends the step: the samplers drawn for the form's task, the one who is not the
# person sending, and that person's password (a second sampler signs on the first one's phone).
DRAWN, OTHER_DRAWN, PASSWORD = "<drawn samplers>", "<the other drawn sampler>", "<their password>"
REFUSAL = {"refusal_reason": "企业负责人拒绝抽样，拒绝在抽样单上签字", "samplers": DRAWN}
# The lifecycle, as operations in the order a client takes them. An operation may appear twice (submitted, returned,
# submitted again). Operations not named here follow, reads before writes, deletions last.
FLOW = [
    "POST /api/v1/organisations/",
    "PATCH /api/v1/organisations/{public_id}/",
    "PUT /api/v1/organisations/{public_id}/",
    "POST /api/v1/enterprises/",
    "PATCH /api/v1/enterprises/{public_id}/",
    "PUT /api/v1/enterprises/{public_id}/",
    "POST /api/v1/products/",
    "PATCH /api/v1/products/{public_id}/",
    "PUT /api/v1/products/{public_id}/",
    "POST /api/v1/projects/",
    "PATCH /api/v1/projects/{public_id}/",
    "PUT /api/v1/projects/{public_id}/",
    "POST /api/v1/sections/",
    "PATCH /api/v1/sections/{public_id}/",
    "PUT /api/v1/sections/{public_id}/",
    "POST /api/v1/deliveries/",
    "PATCH /api/v1/deliveries/{public_id}/",
    "PUT /api/v1/deliveries/{public_id}/",
    "POST /api/v1/deliveries/{public_id}/documents/",
    "POST /api/v1/imports/{kind}/",
    "POST /api/v1/rules/",
    "PATCH /api/v1/rules/{public_id}/",
    "POST /api/v1/rules/{public_id}/activate/",
    "POST /api/v1/plans/",
    "PATCH /api/v1/plans/{code}/",
    "POST /api/v1/plans/{code}/lines/",
    "POST /api/v1/plans/{code}/lines/{line_id}/remove/",
    "POST /api/v1/plans/{code}/lines/",
    "POST /api/v1/plans/{code}/submit/",
    "POST /api/v1/plans/{code}/return/",
    "POST /api/v1/plans/{code}/submit/",
    "POST /api/v1/plans/{code}/approve/",
    "POST /api/v1/plans/{code}/frame/",
    ("POST /api/v1/plans/{code}/freeze/", {"beacon_source": "中国福利彩票双色球开奖号码", "beacon_fixed_on": "today"}),
    "POST /api/v1/plans/{code}/ceremony/links/",
    ("POST /api/v1/plans/{code}/ceremony/links/", {"participant": "李华"}),
    "GET /api/v1/ceremony/{token}/",
    "POST /api/v1/ceremony/{token}/commit/",
    "POST /api/v1/ceremony/{token}/commit/",
    "POST /api/v1/ceremony/{token}/reveal/",
    "POST /api/v1/ceremony/{token}/reveal/",
    "POST /api/v1/plans/{code}/ceremony/beacon/",
    # a second plan, drawn from an external seed instead of a ceremony
    "POST /api/v1/plans/",
    "POST /api/v1/plans/{code}/lines/",
    "POST /api/v1/plans/{code}/submit/",
    "POST /api/v1/plans/{code}/approve/",
    "POST /api/v1/plans/{code}/frame/",
    ("POST /api/v1/plans/{code}/freeze/", {"seed_kind": "external"}),
    "POST /api/v1/plans/{code}/external-seed/",
    "POST /api/v1/sampling-records/",
    "PATCH /api/v1/sampling-records/{code}/",
    # the enterprise refuses: both drawn samplers record it, sign, and the plan's sampling can be closed
    (
        "PATCH /api/v1/sampling-records/{code}/",
        {"refusal_reason": "企业负责人拒绝抽样，拒绝在抽样单上签字", "samplers": DRAWN},
    ),
    "POST /api/v1/sampling-records/{code}/evidence/",
    "POST /api/v1/sampling-records/{code}/signatures/",
    ("POST /api/v1/sampling-records/{code}/signatures/", {"signer": OTHER_DRAWN, "signer_password": PASSWORD}),
    "POST /api/v1/sampling-records/{code}/refuse/",
    "POST /api/v1/alternate-requests/",
    "POST /api/v1/alternate-requests/{public_id}/decide/",
    "POST /api/v1/tasks/{code}/replace/",
    "POST /api/v1/portions/{public_id}/store/",
    "POST /api/v1/handovers/",
    "POST /api/v1/handovers/{public_id}/withdraw/",
    "POST /api/v1/handovers/",
    "POST /api/v1/handovers/{public_id}/reject/",
    "POST /api/v1/handovers/",
    "POST /api/v1/handovers/{public_id}/accept/",
    "POST /api/v1/lab/intake/",
    "POST /api/v1/lab/worklist/{lab_code}/results/",
    "POST /api/v1/lab/worklist/{lab_code}/submit/",
    "POST /api/v1/lab/worklist/{lab_code}/review/",
    "POST /api/v1/lab/worklist/{lab_code}/approve/",
    # the organiser records the paper service (送达回证) of the notice; the party then signs for it in the platform
    ("POST /api/v1/reports/{code}/service/", {"served_on": "today"}),
    "POST /api/v1/reports/{code}/acknowledge/",
    "POST /api/v1/reports/{code}/objection/",
    "POST /api/v1/objections/{public_id}/decide/",
    "POST /api/v1/retests/{public_id}/confirm/",
    "POST /api/v1/plans/{code}/close-sampling/",
    "POST /api/v1/enterprises/{public_id}/archive/",
    "POST /api/v1/enterprises/{public_id}/unarchive/",
]
# A path parameter no list offers, and where an earlier answer or an object's detail shows it (what OpenAPI links say).
NESTED = {
    "/api/v1/evidence/": ("/api/v1/sampling-records/", "evidence"),
    "/api/v1/signatures/": ("/api/v1/sampling-records/", "signatures"),
    "/api/v1/portions/": ("/api/v1/samples/", "portions"),
    "/api/v1/plans/{code}/lines/": ("/api/v1/plans/{code}/", "lines"),
}
# Steps that act only on what this phase created, once it created one: the form it fills in, signs and refuses.
ONLY_CREATED = {f"/api/v1/sampling-records/{{code}}/{step}" for step in ("", "evidence/", "signatures/", "refuse/")}
# Examples name other objects by this id; the client puts a real one it can see in its place.
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
CODES = {"task", "sample"}


@dataclass
class Context:
    """What earlier answers taught the client: ceremony links and the secrets committed through them."""

    tokens: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, object] = field(default_factory=dict)
    created: dict[str, list[dict]] = field(default_factory=dict)


def run(base: str, schema: dict, people: dict, references, real_parameters, version_of, statuses, errors) -> None:
    """`people`: person → requests session with their token; the helpers come from the fuzzing stage."""
    context = Context()
    operations = {
        f"{method.upper()} {path}": (path, method.upper(), spec)
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    for _, _, spec in operations.values():
        for media in spec.get("requestBody", {}).get("content", {}).values():
            media["schema"] = _resolve(schema, media.get("schema", {}))
    steps = [step if isinstance(step, tuple) else (step, {}) for step in FLOW]
    named = {label for label, _ in steps}
    steps += [(label, {}) for label in sorted(set(operations) - named, key=_order)]
    known = {person: references(session, base) for person, session in people.items()}
    for person in people:
        known[person]["to_org"] = known[person].get("laboratory")
    helpers = (real_parameters, version_of)
    for label, overrides in steps:
        if label not in operations:
            continue
        path, method, spec = operations[label]
        call = Call(base, path, method, spec, overrides)
        for person, session in people.items():
            if _attempt(call, person, session, known[person], context, statuses[label], errors, helpers):
                break


@dataclass
class Call:
    base: str
    path: str
    method: str
    spec: dict
    overrides: dict


def _order(label: str) -> tuple:
    method = label.split()[0]
    return ({"GET": 0, "DELETE": 2}.get(method, 1), label)


def _attempt(call: Call, person, session, known, context, tally, errors, helpers) -> bool:
    real_parameters, version_of = helpers
    base, path, method, spec = call.base, call.path, call.method, call.spec
    fills = _fills(session, base, path, context, real_parameters) or _enumerated(spec)
    if "{" in path and not fills:
        return False
    example = _example(spec)
    if "{year}" in path and isinstance(example, dict) and example.get("holidays"):
        year = str(example["holidays"][0].get("date", ""))[:4]  # the year the example enters first
        fills = sorted(fills, key=lambda fill: str(fill.get("year")) != year)
    if example is None and method in ("POST", "PUT", "PATCH") and spec.get("requestBody", {}).get("required"):
        return False
    succeeded = False
    for fill in fills or [{}]:
        for body in _bodies(session, base, path, example, call.overrides, fill, known, context):
            client = context.sessions.get(fill.get("token"), session) if "token" in fill else session
            kwargs = _request(session, base, call, body, fill, known, context, version_of)
            url = base + _expand(path, fill)
            if _query(spec):
                kwargs["params"] = _query(spec)
            try:
                response = client.request(method, url, timeout=60, **kwargs)
            except Exception as exc:  # a dropped connection is as bad as a 500
                errors.append(f"{person} (documented) {method} {url}: {exc}")
                tally.counts["5xx"] += 1
                return False
            tally.calls += 1
            code = response.status_code
            if os.environ.get("FUZZ_TRACE"):
                print(f"  {code} {person} {method} {url} {response.text[:300]} ← {str(kwargs.get('data'))[:300]}")
            tally.counts[f"{code // 100}xx"] += 1
            if code >= 500:
                errors.append(f"{person} (documented) {method} {url} {body!r}: {code}")
            elif code < 300:
                _learn(path, method, response, fill, context)
                tally.documented, succeeded = person, True
                if not path.endswith("/results/"):  # results: one call per test item
                    return True
            elif 400 <= code < 500 and code not in (403, 404) and not tally.counts["2xx"]:
                tally.refusal_rank, tally.refusal = 2, f"{person} (documented) {code} {response.text[:160]}"
        if succeeded:
            return True
    return False


def _query(spec: dict) -> dict:
    """The documented example of each required query parameter."""
    values = {}
    for parameter in spec.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            for example in parameter.get("examples", {}).values():
                values[parameter["name"]] = example.get("value")
                break
    return values


def _bodies(session, base, path, example, overrides, fill, known, context) -> list:
    """The example, with this step's overrides; one body per candidate where the example names a code the person
    must choose (which of their tasks, which sample), or per test item where results are entered item by item."""
    if example is None:
        return [None]
    body = {**example, **{k: _today() if v == "today" else v for k, v in overrides.items()}}
    if path.endswith("/results/") and "lab_code" in fill:
        detail = _get(session, f"{base}/api/v1/lab/worklist/{fill['lab_code']}/")
        items = detail.get("items", []) if isinstance(detail, dict) else []
        return [{**body, "item": item["code"], "values": _conforming(item)} for item in items]
    if path.endswith("/judge/") and "public_id" in fill:
        return [_verdict_request(session, base, fill["public_id"], body)]
    for name in CODES & set(body):
        items = _get(session, f"{base}/api/v1/{name}s/?page_size=50")
        items = [item for item in items.get("results", []) if "code" in item] if isinstance(items, dict) else []
        drawn_here = context.created.get("/api/v1/plans/", [])
        if name == "task" and drawn_here:  # the tasks of the plans this phase drew come first
            ours = [item for item in items if item.get("plan") in drawn_here]
            # a form is started only for them: this phase refuses it and then closes that plan's sampling
            items = ours if path == "/api/v1/sampling-records/" else ours + [i for i in items if i not in ours]
        if items:
            return [{**body, name: item["code"], **_follows(name, item, body)} for item in items]
    return [body]


def _follows(name: str, item: dict, body: dict) -> dict:
    """A sample goes to the laboratory it was drawn for."""
    laboratory = item.get("laboratory")
    if name == "sample" and "to_org" in body and isinstance(laboratory, dict):
        return {"to_org": laboratory.get("id")}
    return {}


def _verdict_request(session, base: str, public_id: str, body: dict) -> dict:
    """Conforming values for every item of the rule, for its first specification."""
    content = _get(session, f"{base}/api/v1/rules/{public_id}/").get("content") or {}
    variants = [variant.get("code") for variant in content.get("variants", [])]
    results = {}
    for item in content.get("items", []):
        limit = item.get("limit")
        limit = limit.get(variants[0]) if isinstance(limit, dict) and variants else limit
        results[item.get("code")] = _conforming({**item, "limit_text": limit})
    return {**body, "variant": variants[0] if variants else "", "results": results}


def _today() -> str:
    """The platform's own date (its time zone, not this machine's)."""
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _conforming(item: dict) -> list[str]:
    """Values that meet the item's limit, as a laboratory that found the product conforming would enter them (the
    demo's own made-up values, which read every limit the rules can write)."""
    from choujian.demo.values import example_values

    replicates = int(item.get("replicates") or 1)
    limit = str(item.get("limit_text") or item.get("limit") or "")
    try:
        return example_values({**item, "limit": limit, "replicates": replicates})
    except (ValueError, ArithmeticError, TypeError, KeyError, AttributeError):
        return ["合格"] * replicates


def _enumerated(spec: dict) -> list[dict]:
    """A path parameter that is one of a few names (which register to import): each of them."""
    fills: list[dict] = [{}]
    for parameter in spec.get("parameters", []):
        choices = parameter.get("schema", {}).get("enum")
        if parameter.get("in") == "path" and choices:
            fills = [{**fill, parameter["name"]: choice} for fill in fills for choice in choices]
    return [fill for fill in fills if fill]


def _fills(session, base, path, context, real_parameters) -> list[dict]:
    if "{token}" in path:
        return [{"token": token} for token in context.tokens]
    for prefix, (collection, key) in NESTED.items():
        if path.startswith(prefix) and path != prefix:
            return _nested(session, base, path, prefix, collection, key, real_parameters)
    if "{year}" in path:
        return real_parameters(session, base, path, choices=100)
    # a task (or a blind sample) in the one state an action accepts may be far down the list
    deep = path.startswith(("/api/v1/tasks/", "/api/v1/lab/worklist/"))
    fills = real_parameters(session, base, path, choices=30 if deep else 8)
    return _created_first(path, fills, context)


def _created_first(path: str, fills: list[dict], context) -> list[dict]:
    """What this phase created comes first (a client follows the object a create answered with); it is the one in
    the state the next step expects."""
    head, _, _ = path.partition("{")
    name = path[len(head) + 1 :].partition("}")[0]
    own = [{name: value} for value in reversed(context.created.get(head, []))]
    rest = [fill for fill in fills if list(fill) != [name] or fill not in own]
    if "{" in path[len(head) + len(name) + 2 :]:
        return rest
    if own and path in ONLY_CREATED:  # another person's success on another form would take the flow elsewhere
        return own
    return [*own, *rest]


def _nested(session, base, path, prefix, collection, key, real_parameters) -> list[dict]:
    """Values of the last path parameter found inside each parent object's detail."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    parents = real_parameters(session, base, collection + "{_}/", choices=8) if "{" not in collection else None
    found = []
    if parents is None:  # the parent itself sits under a path parameter of this path
        parents = [fill for fill in real_parameters(session, base, collection, choices=8)]
        for fill in parents:
            detail = _get(session, base + _expand(collection, fill))
            for item in detail.get(key, []) if isinstance(detail, dict) else []:
                found.append({**fill, names[-1]: str(item.get("id"))})
        return found[:8]
    for fill in parents:
        detail = _get(session, base + collection + fill["_"] + "/")
        for item in detail.get(key, []) if isinstance(detail, dict) else []:
            found.append({names[-1]: str(item.get("id"))})
    return found[:8]


def _get(session, url: str):
    try:
        return session.get(url, timeout=60).json()
    except ValueError:
        return {}


def _expand(path: str, fill: dict) -> str:
    for name, value in fill.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _example(spec: dict):
    """The request body the schema documents (the first example of the first media type), or {} if none."""
    content = spec.get("requestBody", {}).get("content", {})
    for media in content.values():
        if "example" in media:
            return copy.deepcopy(media["example"])
        for example in media.get("examples", {}).values():
            if "value" in example:
                return copy.deepcopy(example["value"])
    return {} if content else None


def _request(session, base, call, body, fill, known, context, version_of) -> dict:
    path, method, spec = call.path, call.method, call.spec
    content = spec.get("requestBody", {}).get("content", {})
    if body is None or not content:
        return {}
    media = next(iter(content))
    properties = _properties(content[media].get("schema", {}), spec)
    if method == "PATCH":  # a partial edit leaves references alone
        body = {name: value for name, value in body.items() if value != PLACEHOLDER}
    for name in list(body):
        if name in known and body[name] == PLACEHOLDER:
            body[name] = known[name]
    if method in ("PUT", "PATCH") and fill:
        _keep_own(body, _get(session, base + _expand(path, fill)), keep=set(call.overrides))
    if "version" in properties:
        version = version_of(session, base, path, fill)
        if version is not None:
            body["version"] = version
    if "client_uuid" in properties:
        body["client_uuid"] = str(uuid.uuid4())
    files = {}
    for name, prop in properties.items():
        if prop.get("format") == "binary" and (name in body or name in _required(content[media])):
            body.pop(name, None)
            files[name] = _file(name, path, session, base, fill)
        elif prop.get("type") == "array" and prop.get("items", {}).get("format") == "binary":
            body.pop(name, None)
            files[name] = [_file(name, path), _file(name, path)]
    _digests(session, base, path, body, files, fill, context)
    if "multipart/form-data" in content and (files or media == "multipart/form-data"):
        return {"data": _form(body), "files": _flatten(files)}
    return {"data": json.dumps(body), "headers": {"Content-Type": "application/json"}}


def _keep_own(body: dict, current, keep: set) -> None:
    """An edit keeps the object's own identity and references (a credit code is unique) and changes its name."""
    if not isinstance(current, dict):
        return
    for name in list(body):
        value = current.get(name)
        if name != "name" and name not in keep and value is not None and not isinstance(value, (dict, list)):
            body[name] = value


def _resolve(document: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    if not ref.startswith("#/"):
        return schema
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _properties(schema: dict, spec: dict) -> dict:
    return schema.get("properties", {})


def _required(media: dict) -> list:
    return media.get("schema", {}).get("required", [])


def _file(name: str, path: str, session=None, base: str = "", fill: dict | None = None) -> tuple:
    if path.startswith("/api/v1/imports/") and session is not None:  # what the export gave, imported again
        exported = session.get(
            f"{base}/api/v1/exports/{(fill or {}).get('kind')}/", params={"format": "csv"}, timeout=60
        )
        return ("导入.csv", exported.content, "text/csv")
    return (f"{name}.png", _signature_png(), "image/png")


def _signature_png() -> bytes:
    """A handwritten-looking stroke: a signature pad's PNG, which the platform checks has ink on it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(30, 110), (90, 40), (140, 120), (200, 50), (260, 115), (330, 45), (420, 100)], fill="black", width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _flatten(files: dict) -> list:
    flat = []
    for name, value in files.items():
        for one in value if isinstance(value, list) else [value]:
            flat.append((name, one))
    return flat


def _form(body: dict) -> list:
    pairs = []
    for name, value in body.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, json.dumps(one) if isinstance(one, (dict, bool)) else str(one)))
    return pairs


def _digests(session, base, path, body, files, fill, context) -> None:
    """Fields that must match what is sent or what the signer saw."""
    for name, target in (("sha256", "file"), ("image_sha256", "image")):
        if name in body and target in files:
            body[name] = hashlib.sha256(files[target][1]).hexdigest()
    if "content_sha256" in body and "code" in fill:
        record = _get(session, f"{base}/api/v1/sampling-records/{fill['code']}/")
        body["content_sha256"] = record.get("content_sha256", body["content_sha256"])
    if path == "/api/v1/auth/token/":
        from django.conf import settings

        body["password"] = settings.CHOUJIAN_DEMO_PASSWORD
    if path.startswith("/api/v1/rules/") and "content" in body:
        body["content"] = _new_edition(session, base, path, fill)
    if DRAWN in body.values() or OTHER_DRAWN in body.values():
        _drawn(session, base, body, fill)
    if body.get("signer_password") == PASSWORD:
        from django.conf import settings

        body["signer_password"] = settings.CHOUJIAN_DEMO_PASSWORD
    token = fill.get("token")
    if token and "commitment" in body:
        context.secrets.setdefault(token, secrets.token_hex(32))
        body["commitment"] = hashlib.sha256(context.secrets[token].encode()).hexdigest()
    if token and "secret" in body:
        body["secret"] = context.secrets.get(token, body["secret"])


def _drawn(session, base: str, body: dict, fill: dict) -> None:
    record = _get(session, f"{base}/api/v1/sampling-records/{fill.get('code')}/")
    task = _get(session, f"{base}/api/v1/tasks/{record.get('task')}/") if isinstance(record, dict) else {}
    me = _get(session, f"{base}/api/v1/me/")
    inspectors = task.get("inspectors", []) if isinstance(task, dict) else []
    if body.get("samplers") == DRAWN:
        body["samplers"] = [inspector["id"] for inspector in inspectors]
    if body.get("signer") == OTHER_DRAWN:
        others = [i["id"] for i in inspectors if i.get("name") != (me.get("display_name") if me else None)]
        body["signer"] = others[0] if others else ""


def _new_edition(session, base: str, path: str, fill: dict):
    """A rule document to draft or edit: an edition in force, given a new version number."""
    if "public_id" in fill:
        content = _get(session, f"{base}/api/v1/rules/{fill['public_id']}/").get("content")
    else:
        rules = _get(session, f"{base}/api/v1/rules/")
        rules = rules.get("results", []) if isinstance(rules, dict) else []
        first = rules[0]["id"] if rules and "id" in rules[0] else ""
        content = _get(session, f"{base}/api/v1/rules/{first}/").get("content")
    if isinstance(content, dict) and "public_id" not in fill:  # a draft keeps its version; a new one needs its own
        content = {**content, "version": f"{date.today().year + 1}.{secrets.randbelow(90) + 10}"}
    return content


def _learn(path, method, response, fill, context) -> None:
    """Keep what the answer hands out for later calls: what a create made, a ceremony's personal links (each with
    its own browser)."""
    import requests

    if method == "POST" and "{" not in path and response.status_code == 201:
        try:
            made = response.json()
        except ValueError:
            made = {}
        key = next((made[k] for k in ("code", "id") if isinstance(made, dict) and made.get(k)), None)
        if key:
            context.created.setdefault(path, []).append(str(key))

    if path.endswith("/ceremony/links/"):
        try:
            link = response.json().get("link", "")
        except ValueError:
            return
        token = link.rstrip("/").rsplit("/", 1)[-1]
        if token:
            context.tokens.append(token)
            context.sessions[token] = requests.Session()
