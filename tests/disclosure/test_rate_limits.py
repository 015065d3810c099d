"""The rate limits of the open data hold across web processes: the cache they count in is shared (Redis when
configured, else files in the data directory), never one process's memory."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.test import Client

from choujian.disclosure.api import OpenThrottle

pytestmark = pytest.mark.django_db


def _cache_backend(env: dict) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])"
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "choujian.settings", **env}
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True).stdout


def test_the_cache_is_shared_by_every_process(tmp_path):
    on_disk = _cache_backend({"CHOUJIAN_DATA_DIR": str(tmp_path), "CHOUJIAN_REDIS_URL": ""})
    assert "FileBasedCache" in on_disk and str(tmp_path / "cache") in on_disk
    redis = _cache_backend({"CHOUJIAN_DATA_DIR": str(tmp_path), "CHOUJIAN_REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert "RedisCache" in redis and "redis://127.0.0.1:6379/3" in redis


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("backend", ["filebased", "redis"])
def test_two_processes_share_one_open_data_limit(backend, settings, tmp_path, monkeypatch):
    """Two clients standing for two web processes (each its own cache connection) draw on one allowance."""
    if backend == "redis":
        if not _redis_reachable():
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
        location, name = "redis://127.0.0.1:6379/3", "django.core.cache.backends.redis.RedisCache"
    else:
        location, name = str(tmp_path / "cache"), "django.core.cache.backends.filebased.FileBasedCache"
    settings.CACHES = {"default": {"BACKEND": name, "LOCATION": location, "KEY_PREFIX": uuid.uuid4().hex}}
    monkeypatch.setattr(OpenThrottle, "rate", "3/min", raising=False)
    from django.core.cache import caches

    first, second = Client(), Client()
    answers = [first.get("/api/open/v1/results/").status_code for _ in range(2)]
    caches.close_all()  # the other process opens its own connection
    answers += [second.get("/api/open/v1/results/").status_code for _ in range(2)]
    assert answers == [200, 200, 200, 429]
    denied = second.get("/api/open/v1/results/")
    assert "Retry-After" in denied and denied.json()


def _answers(address_header: str, addresses: list[str]) -> list[int]:
    return [Client().get("/api/open/v1/results/", **{address_header: a}).status_code for a in addresses]


def test_behind_a_trusted_proxy_each_caller_has_an_allowance_of_their_own(settings, tmp_path, monkeypatch):
    """Behind nginx every request comes from the proxy's address: the limit counts the caller it forwards."""
    from rest_framework.settings import api_settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "proxy"}}
    monkeypatch.setattr(OpenThrottle, "rate", "2/min", raising=False)
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # the default trusts no header
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    assert _answers("HTTP_X_FORWARDED_FOR", ["203.0.113.7"] * 3) == [200, 200, 429]
    assert _answers("HTTP_X_FORWARDED_FOR", ["198.51.100.2"]) == [200]  # another caller, same proxy
    # Without a trusted proxy the header is the caller's own claim: ignored, so it cannot dodge the limit.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert _answers("HTTP_X_FORWARDED_FOR", ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) == [200, 200, 429]
