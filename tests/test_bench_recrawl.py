"""The incremental benchmark still runs and still meets its targets (small size)."""

import subprocess
import sys

from conftest import ROOT


def test_incremental_benchmark_smoke():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "recrawl.py"), "--posts", "30",
                             "--new", "3"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASS") == 4
    assert "re-run, no change" in result.stdout
