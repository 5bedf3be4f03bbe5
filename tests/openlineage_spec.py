"""Conformance of OpenLineage events to the spec, offline: the JSON Schemas vendored in
``tests/data/openlineage`` (see the README there for where each file comes from and which
version it is). The whole event is validated against the core schema's ``RunEvent``; the core
schema leaves facets open, so every facet is validated on its own against its facet schema.
Shared by the unit tests of the events and the end-to-end tests that read a run's events."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlparse

import jsonschema
from referencing import Registry, Resource

from conftest import DATA

SPEC_DIR = DATA / "openlineage"

# sha256 of each vendored file as fetched (README.md lists the same), so an edit shows up here.
SPEC_FILES = {
    "OpenLineage.json": "3105513feea219026fedaf3da6fc75c3c94d986c1807e91e7244a9535e174e6e",
    "OpenLineage-1-0-2.json": "fa35e8e8ad3b57bf7f42329d29252f38695197875a083d3ee1aa5b6d4046338a",
    "ParentRunFacet.json": "efdd06ef87537849f1ec7984cc2e36cbdcea40083635c20fd9af1934ba601d57",
    "ErrorMessageRunFacet.json": "7359afe529136017666530fa2362f4886b16a9443e4d348fb67afcf380c56888",
    "JobTypeJobFacet.json": "2fa7db884f25571685ee2b994456e5afeb0d13300bb1c4d8a7e4a8b0c51b852a",
    "SchemaDatasetFacet.json": "a93e4b7e3a40cddbafa9839181cb54d8824de894a9ea1e9283107b6a2d5b3b29",
    "DataQualityAssertionsDatasetFacet.json": (
        "23ead44eae7d15b22ada032a69fbbe72cb38b365facd761c214892eee72a42c5"
    ),
    "ColumnLineageDatasetFacet.json": (
        "44a89690523382d18cad8140762039f9b8adc05ad24685a5b203a9d96b396248"
    ),
}

# The core spec version the client stamps on every event (schemaURL) and that the facet schemas
# reference. The stored copy of spec/OpenLineage.json declares another $id (see the README), so
# it is registered under this URI as well.
CORE_URI = "https://openlineage.io/spec/2-0-2/OpenLineage.json"

# Facet name in an event -> vendored schema file of that facet.
FACET_FILES = {
    "parent": "ParentRunFacet.json",
    "errorMessage": "ErrorMessageRunFacet.json",
    "jobType": "JobTypeJobFacet.json",
    "schema": "SchemaDatasetFacet.json",
    "dataQualityAssertions": "DataQualityAssertionsDatasetFacet.json",
    "columnLineage": "ColumnLineageDatasetFacet.json",
}


def _load_specs() -> dict[str, dict]:
    return {name: json.loads((SPEC_DIR / name).read_text("utf-8")) for name in SPEC_FILES}


SPECS = _load_specs()


def _registry() -> Registry:
    resources = [(spec["$id"], Resource.from_contents(spec)) for spec in SPECS.values()]
    resources.append((CORE_URI, Resource.from_contents(SPECS["OpenLineage.json"])))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _validator(ref: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$ref": ref},
        registry=REGISTRY,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def facets_of(event: dict):
    """(facet name, facet) for every facet anywhere in the event."""
    yield from event["run"].get("facets", {}).items()
    yield from event["job"].get("facets", {}).items()
    for dataset in event.get("inputs", []) + event.get("outputs", []):
        for key in ("facets", "inputFacets", "outputFacets"):
            yield from dataset.get(key, {}).items()


def assert_valid(event: dict) -> None:
    """Validate the event against the core RunEvent schema and each facet against its own."""
    assert event["schemaURL"] == f"{CORE_URI}#/$defs/RunEvent"
    _validator(event["schemaURL"]).validate(event)
    # The format checker skips date-time and uri without optional packages; check them here.
    assert dt.datetime.fromisoformat(event["eventTime"]).tzinfo is not None
    assert urlparse(event["producer"]).scheme == "https"
    for name, facet in facets_of(event):
        spec = SPECS[FACET_FILES[name]]
        url, _, pointer = facet["_schemaURL"].partition("#")
        # The facet is the one the file defines (the file may be another version of it).
        assert url.rsplit("/", 1)[1] == FACET_FILES[name]
        _validator(f"{spec['$id']}#{pointer}").validate(facet)
        assert urlparse(facet["_producer"]).scheme == "https"
