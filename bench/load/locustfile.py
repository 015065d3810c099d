"""The load test's people (locust): regulators browsing lists and dashboards, samplers filling in sampling forms with
photos, testers entering results, and the public searching the portal and the open data.

Run by `python -m bench.load` (which starts the platform, prepares the fixture and reads the report); on its own:
`CHOUJIAN_LOAD_FIXTURE=DIR locust -f bench/load/locustfile.py --host http://127.0.0.1:8000`.
Each request is named by its kind — page, api (reads), write (forms and uploads) — so the report can give
percentiles per kind; the per-kind figures are written to CHOUJIAN_LOAD_REPORT when locust stops.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

FIXTURE_DIR = Path(os.environ.get("CHOUJIAN_LOAD_FIXTURE", "."))
FIXTURE = json.loads((FIXTURE_DIR / "fixture.json").read_text()) if (FIXTURE_DIR / "fixture.json").exists() else {}
PHOTO = (FIXTURE_DIR / "photo.jpg").read_bytes() if (FIXTURE_DIR / "photo.jpg").exists() else b""
PHOTO_SHA256 = hashlib.sha256(PHOTO).hexdigest()
KINDS = ("page", "api", "write")

_times: dict[str, list[float]] = {kind: [] for kind in KINDS}
_failures: dict[str, int] = {kind: 0 for kind in KINDS}
_errors: dict[str, int] = {}
_expected: dict[str, int] = {}  # answers the application gives on purpose (a 409 between two phones), not errors
_window: list[float] = []  # first and last request start, for throughput


@events.request.add_listener
def _record(request_type, name, response_time, exception, start_time=None, **_):
    kind = name.split(":", 1)[0]
    if kind not in _times:
        return
    _times[kind].append(round(response_time, 1))
    if exception is not None:
        _failures[kind] += 1
        key = f"{name} {exception}"[:200]
        _errors[key] = _errors.get(key, 0) + 1
    if start_time is not None:
        _window[:] = [min(_window[0], start_time), max(_window[1], start_time)] if _window else [start_time] * 2


@events.quitting.add_listener
def _report(environment, **_):
    target = os.environ.get("CHOUJIAN_LOAD_REPORT")
    if target:
        seconds = (_window[1] - _window[0]) if _window else 0.0
        report = {"seconds": seconds, "times": _times, "failures": _failures, "errors": _errors, "expected": _expected}
        Path(target).write_text(json.dumps(report))


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    usernames: list[str] = []

    def sign_in(self, username: str) -> None:
        self.client.get("/login/", name="page:/login/")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/login/",
            {"username": username, "password": FIXTURE["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="write:/login/",
        )
        self.csrf = self.client.cookies.get("csrftoken", "")

    def page(self, path: str, label: str) -> None:
        self.client.get(path, name=f"page:{label}")

    def api(self, path: str, label: str) -> None:
        self.client.get(path, name=f"api:{label}", headers={"Accept": "application/json"})

    def write(self, method: str, path: str, label: str, *, expected: tuple[int, ...] = (), **kwargs) -> None:
        headers = {"X-CSRFToken": self.csrf, "Referer": f"{self.host}/", "Accept": "application/json"}
        name = f"write:{label}"
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code >= 400 and r.status_code not in expected:
                r.failure(f"{r.status_code} {r.text[:160]}")
                return
            if r.status_code in expected:
                key = f"{label} {r.status_code}"
                _expected[key] = _expected.get(key, 0) + 1
            r.success()


def _label(path: str) -> str:
    """/plans/tasks/RW-2026-0001/ → /plans/tasks/…/: one row per page, not per object."""
    parts = [part for part in path.split("?")[0].split("/") if part]
    shown = [part if part.isascii() and part.isalpha() or part in {"pass-rates"} else "…" for part in parts]
    return "/" + "/".join(shown) + ("/" if path.split("?")[0].endswith("/") else "")


class Regulator(_SignedIn):
    """Officers of the province, a county and a city: their to-do list, lists, details and the statistics."""

    weight = 15

    def on_start(self):
        self.username = random.choice(sorted(FIXTURE["regulator_pages"]))
        self.sign_in(self.username)

    @task(6)
    def browse(self):
        path = random.choice(FIXTURE["regulator_pages"][self.username])
        self.page(path, _label(path))

    @task(2)
    def read_api(self):
        path = random.choice(FIXTURE["regulator_api"])
        self.api(path, _label(path))


_forms = itertools.count()


class Sampler(_SignedIn):
    """A sampler on site: opens the form, changes a field, photographs the product and the scene."""

    weight = 8

    def on_start(self):
        forms = FIXTURE["samplers"]
        self.form = forms[next(_forms) % len(forms)]
        self.sign_in(random.choice(self.form["usernames"]))
        self.path = f"/api/v1/sampling-records/{self.form['record']}/"

    @task(3)
    def open_form(self):
        self.api(self.path, "/api/v1/sampling-records/…/")

    @task(1)
    def change_a_field(self):
        record = self.client.get(self.path, name="api:/api/v1/sampling-records/…/").json()
        change = {"version": record.get("version"), "party_contact": random.choice(["陈建国", "林秀珍", "黄志明"])}
        # 409: the other sampler of the team saved first; the app reads the form again, as this user will next time.
        self.write("PATCH", self.path, "/api/v1/sampling-records/…/ (表单)", expected=(409,), json=change)

    @task(2)
    def upload_photo(self):
        files = {"file": (f"IMG_{random.randint(1000, 9999)}.jpg", PHOTO, "image/jpeg")}
        kind = random.choice(["product", "label", "lot", "sampling"])
        data = {"kind": kind, "client_uuid": str(uuid.uuid4()), "sha256": PHOTO_SHA256}
        label = "/api/v1/sampling-records/…/evidence/ (照片)"
        self.write("POST", f"{self.path}evidence/", label, files=files, data=data)


class Tester(_SignedIn):
    """A tester at the laboratory: the blind worklist, a sample's items, results entered (and corrected)."""

    weight = 7

    def on_start(self):
        self.sample = random.choice(FIXTURE["testers"])
        self.sign_in(random.choice(self.sample["usernames"]))

    @task(2)
    def worklist(self):
        self.page("/lab/samples/", "/lab/samples/")

    @task(2)
    def sample_page(self):
        self.page(f"/lab/samples/{self.sample['lab_code']}/", "/lab/samples/…/")

    @task(2)
    def enter_result(self):
        item = random.choice(self.sample["items"])
        body = {"item": item["item"], "values": item["values"], "instrument": "万能试验机 WAW-1000 (编号 JC-017)",
                "reason": "复核原始记录后重新录入"}  # fmt: skip
        path = f"/api/v1/lab/worklist/{self.sample['lab_code']}/results/"
        self.write("POST", path, "/api/v1/lab/worklist/…/results/ (结果)", json=body)


class Public(HttpUser):
    """Anyone: the portal's search, an enterprise's results, the changes, the open-data API and downloads."""

    weight = 20
    wait_time = between(1, 4)

    @task(4)
    def search(self):
        term = random.choice(FIXTURE["public"]["terms"])
        self.client.get("/open/", params={"q": term}, name="page:/open/?q=")

    @task(2)
    def portal(self):
        self.client.get("/open/", name="page:/open/")

    @task(2)
    def enterprise(self):
        uscc = random.choice(FIXTURE["public"]["usccs"])
        self.client.get(f"/open/enterprises/{uscc}/", name="page:/open/enterprises/…/")

    @task(1)
    def changes(self):
        self.client.get("/open/changes/", name="page:/open/changes/")

    @task(3)
    def open_api(self):
        term = random.choice(FIXTURE["public"]["terms"])
        self.client.get("/api/open/v1/results/", params={"q": term}, name="api:/api/open/v1/results/?q=")

    @task(1)
    def download(self):
        self.client.get("/open/results.csv", name="api:/open/results.csv")
