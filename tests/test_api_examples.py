"""Every request body the API accepts is documented with an example a client can copy (and the fuzzing stage sends)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

MEDIA = ("application/json", "multipart/form-data")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_request_body_has_an_example(schema):
    missing = [
        f"{method.upper()} {path} ({media})"
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media in MEDIA and not (content.get("examples") or "example" in content)
    ]
    assert missing == []


def test_examples_only_name_fields_the_body_has(schema):
    components = schema["components"]["schemas"]
    strays = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                for example in content.get("examples", {}).values():
                    value = example.get("value")
                    if isinstance(value, dict) and properties:
                        strays += [f"{method.upper()} {path}: {name}" for name in value if name not in properties]
    assert strays == []
