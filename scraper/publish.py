"""How an archive is published: the Datasette command line with the project's files."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASETTE_DIR = HERE.parent / "datasette"  # the configuration folder beside the package


def datasette_command(db_path: str, *, host: str = "127.0.0.1", port: int = 8001,
                      immutable: bool = False, extra: list[str] | None = None) -> list[str]:
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    cmd = [exe, "serve", "-i" if immutable else "", str(db_path), "--host", host,
           "--port", str(port)]
    cmd = [c for c in cmd if c]
    folder = DATASETTE_DIR
    if (folder / "metadata.yml").exists():
        cmd += ["--metadata", str(folder / "metadata.yml")]
    if (folder / "templates").is_dir():
        cmd += ["--template-dir", str(folder / "templates")]
    if (folder / "plugins").is_dir() and any((folder / "plugins").glob("*.py")):
        cmd += ["--plugins-dir", str(folder / "plugins")]
    if (folder / "static").is_dir():
        cmd += ["--static", f"static:{folder / 'static'}"]
    cmd += ["--setting", "allow_download", "on", "--setting", "allow_csv_stream", "on"]
    return cmd + (extra or [])
