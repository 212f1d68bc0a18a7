"""Smoke run of the extraction benchmark: a few pages of each set, every extractor scored."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_extraction_benchmark_smoke(tmp_path):
    out = tmp_path / "figures.json"
    fixtures = tmp_path / "fixtures"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extraction.py"), "--smoke", "--by-platform",
         "--json", str(out), "--fixtures-out", str(fixtures)],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| extractor | pages | precision | recall | F1 | mean page F1 | ms/page |" in result.stdout
    report = json.loads(out.read_text())
    truth = json.loads((fixtures / "ground-truth.json").read_text())
    assert len(truth) == len(list((fixtures / "html").glob("*.html.gz"))) >= 16
    ours = report["fixtures"]["blogarchive"]
    assert ours["pages"] == len(truth)
    # On pages whose markup the platforms know, the parsers are exact.
    for platform in ("blogger", "wordpress", "generic"):
        assert report[f"fixtures-{platform}"]["blogarchive"]["f1"] >= 0.99, platform
    assert report["fixtures"]["blogarchive"]["f1"] >= report["fixtures"]["trafilatura"]["f1"]
    assert {"trafilatura", "html-to-text"} <= set(report["fixtures"])
