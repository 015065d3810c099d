"""Invariant 8: pages, API views, serializers, forms, PDFs and exports get their records from selectors, which read
through the access policy — never by querying a model themselves, where a forgotten filter would show anyone's
records. (A field's `queryset=` is the list of choices a form offers; the service checks what is chosen.)"""

import re
from pathlib import Path

import choujian

SOURCE = Path(choujian.__file__).parent
FACING = re.compile(r"(views|api|serializers|forms|pdf|documents\w*|export\w*)\.py$|/(views|api)_\w+\.py$")
DIRECT = re.compile(r"\b[A-Z]\w*\.objects\b|get_object_or_404\(\s*[A-Z]\w*\s*,")
# Records that are the signed-in person's own or that no policy restricts, read where they are used.
OWN = ("TOTPDevice.objects", "User.objects.filter(username=")


def _direct_reads() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if "migrations/" in relative or relative.startswith(("demo/", "core/")) or not FACING.search(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DIRECT.search(line) and "queryset=" not in line and not any(own in line for own in OWN):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_user_facing_code_reads_records_only_through_selectors():
    assert _direct_reads() == []
