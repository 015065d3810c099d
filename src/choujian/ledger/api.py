"""Public read-only ledger API (docs/specs/ledger-v1.md §4): checkpoint, key, entries, proofs."""

from django.http import HttpResponse, JsonResponse

from choujian.core.access import public
from choujian.ledger import merkle
from choujian.ledger import selectors as ledger
from choujian.ledger.keys import verifier_key

MAX_PAGE = 1000


def _bad(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


def _int_param(request, name: str) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        raise ValueError(f"missing parameter '{name}'")
    if not raw.isdigit() or len(raw) > 18:
        raise ValueError(f"parameter '{name}' must be a non-negative integer, got {raw!r}")
    return int(raw)


@public
def checkpoint(request):
    # signed after commits (at most once a second per process) and by the worker every minute
    latest = ledger.latest_checkpoint()
    if latest is None:
        return HttpResponse("no entries yet\n", status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


@public
def key(request):
    return HttpResponse(verifier_key(), content_type="text/plain; charset=utf-8")


@public
def entries(request):
    try:
        start = _int_param(request, "start")
        end = _int_param(request, "end")
    except ValueError as exc:
        return _bad(str(exc))
    size = ledger.current_size()
    if start > end:
        return _bad(f"start ({start}) must not exceed end ({end})")
    if end > size:
        return _bad(f"end ({end}) exceeds the log size ({size})")
    end = min(end, start + MAX_PAGE)
    return JsonResponse({"entries": ledger.entry_bodies(start, end)}, json_dumps_params={"ensure_ascii": False})


@public
def inclusion(request):
    try:
        index = _int_param(request, "index")
        size = _int_param(request, "size")
        if size > ledger.integrated_size():
            raise ValueError(f"size ({size}) exceeds the log's hashed size ({ledger.integrated_size()})")
        hashes = ledger.inclusion_proof(index, size)
    except ValueError as exc:
        return _bad(str(exc))
    return JsonResponse({"index": index, "size": size, "hashes": [h.hex() for h in hashes]})


@public
def consistency(request):
    try:
        first = _int_param(request, "first")
        second = _int_param(request, "second")
        if second > ledger.integrated_size():
            raise ValueError(f"second ({second}) exceeds the log's hashed size ({ledger.integrated_size()})")
        hashes = ledger.consistency_proof(first, second)
    except ValueError as exc:
        return _bad(str(exc))
    return JsonResponse({"first": first, "second": second, "hashes": [h.hex() for h in hashes]})


__all__ = ["checkpoint", "key", "entries", "inclusion", "consistency", "merkle"]
