"""The package as users install it.

- Its declared dependencies are exactly the distributions its code imports, and their
  lower bounds (and the Python it asks for) are ones the other dependencies accept.
- Built as a wheel and an sdist (``python -m build``: the wheel is built from the
  sdist), installed into a fresh virtualenv outside the checkout, it runs
  ``blogarchive demo --no-serve``, and both ``blogarchive serve`` and plain
  ``datasette`` serve the whole site: the post page, search, the image route, charts,
  robots.txt and the security headers, the same as Datasette run from the checkout.

The wheel test downloads the dependencies from PyPI on a cold pip cache (about two
minutes; seconds once cached).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import free_port, wait_for
from test_datasette import fetch

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "scraper", ROOT / "datasette" / "blogarchive_site"]
OWN = {"scraper", "blogarchive_site"}
# Declared, never imported, and why.
NOT_IMPORTED = {
    "datasette-block-robots": "a Datasette plugin: Datasette loads it by its entry point",
}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalise(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])


def imported_distributions() -> dict[str, set[str]]:
    """Distribution → files importing it, from every import statement of the package."""
    owners = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in CODE:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in OWN:
                        continue
                    assert top in owners, f"{path}: imports {top}, which no installed distribution provides"
                    for dist in owners[top]:
                        found.setdefault(normalise(dist), set()).add(str(path.relative_to(ROOT)))
    return found


def test_dependencies_are_exactly_what_the_code_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {requirement_name(r) for r in project["dependencies"]}
    extras = {name: {requirement_name(r) for r in reqs}
              for name, reqs in project["optional-dependencies"].items()}
    imported = imported_distributions()
    # Imported only where an extra is asked for (scale-out, parquet): declared in that
    # extra. The test extra is for the tests: the package never imports it.
    optional = set().union(*(reqs for name, reqs in extras.items() if name != "test"))
    undeclared = {d: sorted(files) for d, files in imported.items()
                  if d not in declared and d not in optional}
    assert undeclared == {}, "imported but not declared in [project.dependencies] or an extra"
    unused = (declared | optional) - set(imported) - set(NOT_IMPORTED)
    assert unused == set(), "declared but never imported"


def test_the_oldest_releases_allowed_accept_each_other():
    """Each lower bound can be installed with the others: the oldest release every bound
    allows (tests/fixtures/lower-bounds.json, written from the package index by
    make_lower_bounds.py) accepts the oldest of the others and the oldest Python allowed.
    A bound below that promises what cannot be installed (sqlite-utils 4.0 needs click 8.3.1)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    record = json.loads((ROOT / "tests" / "fixtures" / "lower-bounds.json").read_text("utf-8"))
    declared = {normalise(Requirement(r).name): str(Requirement(r).specifier)
                for name, reqs in [("", project["dependencies"]), *project["optional-dependencies"].items()]
                if name != "test" for r in reqs}
    oldest = {normalise(name): d for name, d in record["requirements"].items()}
    assert (record["requires-python"], {n: d["declared"] for n, d in oldest.items()}) == \
        (project["requires-python"], declared), \
        "pyproject's bounds changed: run tests/fixtures/make_lower_bounds.py, and the tests on them"
    python = min(Version(s.version) for s in SpecifierSet(project["requires-python"])
                 if s.operator == ">=")
    where = {"python_version": str(python), "python_full_version": f"{python}.0", "extra": ""}
    refused = []
    for name, release in oldest.items():
        if not SpecifierSet(release["requires_python"]).contains(f"{python}.0"):
            refused.append(f"{name} {release['oldest']} needs Python {release['requires_python']}")
        for text in release["requires"]:
            wanted = Requirement(text)
            other = oldest.get(normalise(wanted.name))
            if other and (not wanted.marker or wanted.marker.evaluate(where)) \
                    and not wanted.specifier.contains(other["oldest"], prereleases=True):
                refused.append(f"{name} {release['oldest']} requires {wanted}, "
                               f"not {wanted.name} {other['oldest']}")
    assert refused == []


def run(*args, cwd: Path, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, env=env)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-4000:])
    return result


def article(page: bytes) -> str:
    match = re.search(rb'<article class="ba-post">.*?</article>', page, re.S)
    assert match, page[:500]
    return match.group(0).decode("utf-8")


@pytest.mark.timeout(1200)
def test_the_wheel_installed_elsewhere_serves_the_whole_site(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=tmp_path, timeout=900)
    (wheel,) = dist.glob("blogarchive-*.whl")
    (sdist,) = dist.glob("blogarchive-*.tar.gz")

    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("blogarchive_site/templates/row.html", "blogarchive_site/metadata.yml",
                   "blogarchive_site/static/blogarchive.css", "blogarchive_site/charts.py",
                   "scraper/cli.py", "scraper/sample/templates/classic.py"):
        assert needed in names, needed
    # Nothing named datasette in the wheel: it would shadow Datasette itself.
    assert not [n for n in names if n.split("/")[0] == "datasette"]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    points = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[datasette]" in points and "blogarchive = blogarchive_site" in points
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"setup.py", "pyproject.toml", "datasette/blogarchive_site/templates/row.html"} <= members

    # A fresh virtualenv outside the checkout, the wheel installed into it from PyPI.
    home = tmp_path / "user"
    home.mkdir()
    venv = home / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=home)
    bin_dir = venv / "bin"
    run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q", wheel,
        cwd=home, timeout=900)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    where = run(bin_dir / "python", "-c", "import blogarchive_site, scraper; "
                "print(blogarchive_site.__file__, scraper.__file__)", cwd=home, env=env)
    assert str(ROOT) not in where.stdout and str(venv) in where.stdout

    run(bin_dir / "blogarchive", "demo", "--no-serve", "--db", "demo.db", cwd=home, env=env, timeout=300)
    db = home / "demo.db"
    import sqlite3

    conn = sqlite3.connect(db)
    post_id, title = conn.execute(
        "select p.id, p.title from posts p join post_images pi on pi.post_id = p.id "
        "where pi.image_sha256 is not null limit 1").fetchone()
    sha = conn.execute("select sha256 from images limit 1").fetchone()[0]
    word = conn.execute("select title from posts where title != '' order by id limit 1").fetchone()[0].split()[0]
    conn.close()

    servers = {}
    try:
        for name, cmd in {
            "serve": [bin_dir / "blogarchive", "serve", db, "--port", "{port}"],
            "datasette": [bin_dir / "datasette", db, "--port", "{port}"],
            "checkout": [shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette",
                         db, "--port", "{port}"],
        }.items():
            port = free_port()
            argv = [str(a).replace("{port}", str(port)) for a in cmd]
            servers[name] = (subprocess.Popen(argv, cwd=home, env=env if name != "checkout" else None,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                             f"http://127.0.0.1:{port}")
        pages = {}
        for name, (_, base) in servers.items():
            wait_for(base + "/-/versions.json", timeout=90)
            status, headers, post = fetch(f"{base}/demo/posts/{post_id}")
            assert status == 200 and title in post.decode("utf-8"), name
            assert "img-src 'self'" in headers["Content-Security-Policy"], name
            status, _, hits = fetch(f"{base}/-/search?q={word}")
            assert status == 200 and b'class="ba-hit-title"' in hits, name
            status, headers, image = fetch(f"{base}/-/images/{sha}")
            assert status == 200 and headers["Content-Type"].startswith("image/") and image, name
            status, _, home_page = fetch(base + "/")
            assert status == 200 and home_page.count(b'<figure class="ba-chart"') == 3, name
            assert fetch(base + "/robots.txt")[2].decode().splitlines() == ["User-agent: *", "Disallow: /"]
            pages[name] = (article(post), image)
        # Installed or from the checkout, the same post page and the same image bytes.
        assert pages["serve"] == pages["checkout"] and pages["datasette"] == pages["checkout"]
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
