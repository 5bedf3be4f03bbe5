"""Run ids, manifests and finding a run by fingerprint."""

import datetime as dt

import pytest

from warehouse.core.errors import PipelineError
from warehouse.core.io import write_yaml
from warehouse.run import ids, manifests


def test_minted_run_id_has_utc_time_and_fingerprint_prefix():
    now = dt.datetime(2026, 11, 26, 15, 1, 2, tzinfo=dt.UTC)
    run_id = ids.mint_run_id("1a2b3c4d" + "0" * 56, now)
    assert run_id == "20261126T150102Z_1a2b3c4d"
    assert ids.validate_run_id(run_id) == run_id
    assert ids.ingestion_date(run_id) == dt.date(2026, 11, 26)


def test_minting_converts_local_time_to_utc():
    cet = dt.timezone(dt.timedelta(hours=1))
    now = dt.datetime(2026, 1, 1, 0, 30, tzinfo=cet)
    assert ids.mint_run_id("ab" * 32, now).startswith("20251231T233000Z_")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "latest",
        "20261126T150102Z",
        "20261126T150102Z_1A2B3C4D",  # upper-case hex
        "20261126T150102Z_1a2b3c4",  # 7 hex digits
        "20261126-150102Z_1a2b3c4d",
        "../../etc_1a2b3c4d",
        "20261126T150102Z_1a2b3c4d/..",
    ],
)
def test_malformed_run_ids_are_refused_with_the_expected_shape(bad):
    with pytest.raises(PipelineError, match=r"YYYYMMDDTHHMMSSZ.*8 lower-case hex"):
        ids.validate_run_id(bad)


def test_impossible_date_in_run_id_is_refused():
    with pytest.raises(PipelineError, match="impossible date"):
        ids.validate_run_id("20261399T250000Z_1a2b3c4d")


def test_find_run_returns_newest_run_with_same_fingerprint(tmp_path):
    fp = "ab" * 32
    for run_id, combined in [
        ("20260101T000000Z_abababab", fp),
        ("20260102T000000Z_abababab", fp),
        ("20260103T000000Z_cdcdcdcd", "cd" * 32),
    ]:
        write_yaml(
            manifests.manifest_path(run_id, tmp_path),
            {"run_id": run_id, "fingerprint": {"combined": combined}},
        )
    assert manifests.find_run(fp, tmp_path) == "20260102T000000Z_abababab"
    assert manifests.find_run("ef" * 32, tmp_path) is None
    assert manifests.list_run_ids(tmp_path)[0] == "20260101T000000Z_abababab"


def test_manifest_that_names_another_run_is_an_error(tmp_path):
    path = manifests.manifest_path("20260101T000000Z_abababab", tmp_path)
    write_yaml(path, {"run_id": "20260101T000000Z_cdcdcdcd"})
    with pytest.raises(PipelineError, match="not a valid run manifest"):
        manifests.read_manifest("20260101T000000Z_abababab", tmp_path)


# ---- a stored run is only ever worked on with what it was made with ---------------------------

RUN = "20260101T000000Z_0000beef"
CONFIG = {"run_id": "", "raw_dir": "raw", "gold": {"export_csv": False}, "agents": {"mode": "off"}}


def test_the_recorded_config_leaves_out_the_run_id():
    assert manifests.run_config({**CONFIG, "run_id": RUN}) == manifests.run_config(CONFIG)
    assert "run_id" not in manifests.run_config(CONFIG)


def test_config_differences_name_each_changed_key():
    changed = {**CONFIG, "gold": {"export_csv": True}, "raw_dir": "exports"}
    assert manifests.config_differences(CONFIG, changed) == [
        "gold.export_csv: False -> True",
        "raw_dir: 'raw' -> 'exports'",
    ]
    assert manifests.config_differences(CONFIG, dict(CONFIG)) == []


def test_a_run_is_refused_with_another_config_and_accepted_by_id_with_the_same():
    manifest = {"run_id": RUN, "effective_config": manifests.run_config(CONFIG)}
    manifests.check_run_config(manifest, {**CONFIG, "run_id": RUN})  # same config, by id
    with pytest.raises(PipelineError, match=r"another configuration \(gold\.export_csv: False"):
        manifests.check_run_config(manifest, {**CONFIG, "gold": {"export_csv": True}})
    manifests.check_run_config({"run_id": RUN}, {})  # recorded before configs were: no check


def _manifest_with_raw(tmp_path):
    raw = tmp_path / "cust_info.csv"
    raw.write_text("a\n")
    record = {"source": "crm", "file": "cust_info.csv", "sha256": "abc"}
    return {"run_id": RUN, "raw_files": [record]}, raw


def test_a_bronze_rebuild_from_a_vanished_or_changed_raw_file_is_refused(tmp_path):
    manifest, raw = _manifest_with_raw(tmp_path)
    manifests.check_raw_file(manifest, "crm", "cust_info.csv", raw, lambda p: "abc")
    with pytest.raises(
        PipelineError, match=r"is not the file this run was made from \(run .*Nothing"
    ):
        manifests.check_raw_file(manifest, "crm", "cust_info.csv", raw, lambda p: "other")
    raw.unlink()
    with pytest.raises(PipelineError, match=r"no longer exists.*Restore the file"):
        manifests.check_raw_file(manifest, "crm", "cust_info.csv", raw, lambda p: "abc")


def test_a_rebuild_with_an_added_removed_or_edited_contract_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    contract = tmp_path / "c.yaml"
    manifest = {"run_id": RUN, "config_files": {}}
    manifests.check_config_file(manifest, contract.relative_to(tmp_path), lambda p: "x")
    contract.write_text("table: t\n")
    path = contract.relative_to(tmp_path)
    with pytest.raises(PipelineError, match="it was added"):
        manifests.check_config_file(manifest, path, lambda p: "x")
    manifest["config_files"] = {"c.yaml": "x"}
    manifests.check_config_file(manifest, path, lambda p: "x")
    with pytest.raises(PipelineError, match="it was edited"):
        manifests.check_config_file(manifest, path, lambda p: "y")
    contract.unlink()
    with pytest.raises(PipelineError, match="it was removed since"):
        manifests.check_config_file(manifest, path, lambda p: "x")
