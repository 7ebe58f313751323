"""Property-based tests from the app's own OpenAPI document (schemathesis).

Every operation of ``/api/openapi.json`` is called with generated parameters and
bodies, the token sent: no answer is a 5xx, and every answer has a documented
status, content type and a body that fits the documented schema. Half of the
generated requests name a served deal file, its people and (for edits) the
file's current version, so the reports, reviews and edits are checked on real
data, not only on 404s.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from influence import read_deal  # noqa: E402
from influence.model import Stance  # noqa: E402
from influence.serve import create_app  # noqa: E402
from tests.conftest import EXAMPLES  # noqa: E402
from tests.serve.conftest import AUTH, TOKEN  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Schemathesis calls the app with this Host; the app is made to listen on it.
HOST = "testserver"
#: Path parameters that name a person of a deal.
PERSON_PARAMS = ("person_id", "target", "from_id", "to_id")
STANCES = [s.value for s in Stance]


KEYS = sorted(p.name for p in EXAMPLES)
IDS = sorted({p.id for path in EXAMPLES for p in read_deal(path).people})
ASSUMPTIONS = st.lists(
    st.builds("{}={}".format, st.sampled_from(IDS), st.sampled_from(STANCES)),
    min_size=1,
    max_size=3,
)
# The document does not depend on the files served: made once, to generate the cases.
schema = schemathesis.openapi.from_dict(create_app(EXAMPLES[0].parent, token=TOKEN).openapi())


@schema.hook
def flatmap_path_parameters(context: Any, params: dict[str, Any] | None) -> Any:
    if not params:
        return st.just(params)
    real = {
        name: st.sampled_from(KEYS)
        if name == "file"
        else st.sampled_from(IDS)
        if name in PERSON_PARAMS
        else st.just(value)
        for name, value in params.items()
    }
    return _mostly(st.fixed_dictionaries(real), params)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
    operation = context.operation
    if operation is None or "assume" not in {p.name for p in operation.query}:
        return st.just(query)
    return _mostly(ASSUMPTIONS.map(lambda a: {**(query or {}), "assume": a}), query)


#: Edit bodies a client sends, per operation (the version is set when the case is sent).
EDITS: dict[tuple[str, str], st.SearchStrategy[dict[str, Any]]] = {
    ("POST", "/api/deals/{file}/people"): st.fixed_dictionaries(
        {
            "fields": st.fixed_dictionaries(
                {"name": st.sampled_from(["Ana Ruiz", "Bo Li", "Chen Wei Jun"])},
                optional={"stance": st.sampled_from(STANCES), "title": st.text(max_size=30)},
            )
        }
    ),
    ("PATCH", "/api/deals/{file}/people/{person_id}"): st.fixed_dictionaries(
        {
            "changes": st.fixed_dictionaries(
                {},
                optional={"stance": st.sampled_from(STANCES), "notes": st.text(max_size=40)},
            )
        }
    ),
    ("POST", "/api/deals/{file}/ties"): st.fixed_dictionaries(
        {"from": st.sampled_from(IDS), "to": st.sampled_from(IDS)}
    ),
}


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    operation = context.operation
    edit = EDITS.get((operation.method.upper(), operation.path)) if operation else None
    if edit is None or not isinstance(body, dict):
        return st.just(body)
    return _mostly(edit.map(lambda e: {**body, **e}), body)


def _mostly(real: st.SearchStrategy[Any], generated: Any) -> st.SearchStrategy[Any]:
    """Three times in four the real value (a served file, its people), else the generated one."""
    return st.sampled_from((True, True, True, False)).flatmap(
        lambda use: real if use else st.just(generated)
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schema") / "deals"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def app(served: Path) -> Any:
    return create_app(served, token=TOKEN, host=HOST)


def _on_current_version(case: Any, served: Path) -> None:
    """An edit of a served file carries the version read (the file's bytes now), as a client's."""
    key = (case.path_parameters or {}).get("file")
    if key not in KEYS:
        return
    version = hashlib.sha256((served / key).read_bytes()).hexdigest()
    if isinstance(case.body, dict) and "version" in case.body:
        case.body = {**case.body, "version": version}
    if isinstance(case.query, dict) and "version" in case.query:
        case.query = {**case.query, "version": version}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_endpoint_fits_its_openapi_document(case: Any, app: Any, served: Path) -> None:
    _on_current_version(case, served)
    case.call_and_validate(headers=AUTH, checks=CHECKS, app=app)
