"""Evidence kept in an S3-compatible object store (moto's server standing in for MinIO or a cloud's OSS), and on the
local disk: stored through the storage API, served back only while its bytes still have the recorded SHA-256."""

import socket
import uuid

import pytest
from django.core.files.storage import default_storage, storages
from django.test import Client

from choujian.core.stored import ALTERED
from choujian.sampling import services
from choujian.sampling.models import SamplingRecord
from tests.sampling.conftest import photo

pytestmark = pytest.mark.django_db
BUCKET = "choujian-evidence"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(settings):
    """A real S3 protocol server on this machine; the test is skipped, saying so, if none can be started."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - the dev extras install both
        pytest.skip(f"no S3-compatible server available ({exc}): the local backend is tested only")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {
        "aws_access_key_id": "choujian",
        "aws_secret_access_key": "choujian-secret",
        "region_name": "cn-east-1",
    }
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-east-1"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "cn-east-1", "access_key": "choujian",
            "secret_key": "choujian-secret", "default_acl": None, "file_overwrite": False}},
    }  # fmt: skip
    yield client
    server.stop()


def _attach(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    evidence = services.evidence_attach(actor=sampler, record=SamplingRecord.objects.get(pk=record.pk),
                                        kind="label", upload=photo(), client_uuid=uuid.uuid4())  # fmt: skip
    client = Client()
    client.force_login(sampler)
    return evidence, client


def test_evidence_goes_to_the_object_store_and_comes_back_checked(field, s3, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # nothing may land on the local disk
    assert type(storages["default"]).__name__ == "S3Storage" and default_storage.exists("nothing") is False
    evidence, client = _attach(field)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert evidence.file.name in keys and not (tmp_path / "media").exists()
    response = client.get(f"/sampling/evidence/{evidence.public_id}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    s3.put_object(Bucket=BUCKET, Key=evidence.file.name, Body=body[:-10] + b"0123456789")  # changed in the bucket
    altered = client.get(f"/sampling/evidence/{evidence.public_id}/")
    assert altered.status_code == 409 and ALTERED in altered.content.decode()
    api = client.get(f"/api/v1/evidence/{evidence.public_id}/file/")
    assert api.status_code == 409


def test_evidence_changed_on_the_local_disk_is_refused(field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence, client = _attach(field)
    assert client.get(f"/sampling/evidence/{evidence.public_id}/").status_code == 200
    path = tmp_path / evidence.file.name
    path.write_bytes(path.read_bytes()[:-1] + b"x")
    response = client.get(f"/sampling/evidence/{evidence.public_id}/")
    assert response.status_code == 409 and ALTERED in response.content.decode()
