"""Every folder export is a Frictionless Data Package that `frictionless validate`
accepts: tables, typed and described fields, keys, checksums and row counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from test_export import ROWS, archive, counts  # noqa: F401  (the fixture archive)

FRICTIONLESS = str(Path(sys.executable).with_name("frictionless"))


def validate(folder: Path) -> list[str]:
    """The errors `frictionless validate` finds in the folder's data package."""
    result = subprocess.run([FRICTIONLESS, "validate", "--json", str(folder / "datapackage.json")],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    errors = [f"{task['name']}: {e['message']}" for task in report["tasks"] for e in task["errors"]]
    errors += [e["message"] for e in report.get("errors", [])]
    assert report["valid"] == (not errors)
    return errors


@pytest.mark.parametrize("options", [["--format", "csv"], ["--format", "jsonl"],
                                     ["--format", "csv", "--spreadsheet-safe"],
                                     ["--format", "csv", "--blobs", "omit"]])
def test_folder_exports_are_valid_data_packages(archive, tmp_path, options):  # noqa: F811
    path, _, sha = archive
    out = tmp_path / "export"
    run_cli("export", str(path), *options, "--out", str(out), check=True)
    assert validate(out) == []
    package = json.loads((out / "datapackage.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    tables = counts(path)
    assert tables.pop("post_bodies") == ROWS + 1  # exported inside posts: one file per post row
    assert {r: resources[r]["rows"] for r in resources} == tables
    assert resources["posts"]["rows"] == ROWS + 1
    for entry in manifest["tables"]:
        if entry["rows"]:
            assert resources[entry["name"]]["hash"] == "sha256:" + entry["sha256"]
            assert resources[entry["name"]]["path"] == entry["file"]
    posts = resources["posts"]["schema"]
    assert posts["primaryKey"] == ["id"]
    assert {"fields": ["blog_id"], "reference": {"resource": "blogs", "fields": ["id"]}} \
        in posts["foreignKeys"]
    fields = {f["name"]: f for f in posts["fields"]}
    assert fields["published"]["type"] == "datetime"
    assert fields["word_count"]["type"] == "integer"
    assert fields["published"]["description"].startswith("When the post was published")
    assert resources["post_labels"]["schema"]["primaryKey"] == ["post_id", "label_id"]
    assert package["sources"] == [{"title": "Export Blog", "path": "http://blog.example/"}]
    assert package["licenses"][0]["title"].startswith("Posts, images and comments")
    images = {f["name"]: f for f in resources["images"]["schema"]["fields"]}
    assert ("content" in images) == ("omit" not in options)


def test_a_changed_file_fails_validation(archive, tmp_path):  # noqa: F811
    path, _, _ = archive
    out = tmp_path / "export"
    run_cli("export", str(path), "--format", "csv", "--out", str(out), check=True)
    posts = out / "posts.csv"
    posts.write_bytes(posts.read_bytes().replace(b"Bulk 7,", b"Bulk 8,"))
    errors = validate(out)
    assert errors and all(e.startswith("posts:") for e in errors)
    assert any("hash" in e for e in errors)
