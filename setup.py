"""Package layout (the rest is in pyproject.toml).

The Datasette site lives in the repository's ``datasette/`` folder as the package
``datasette/blogarchive_site`` (plugins, templates, style sheet, metadata.yml);
``datasette/`` itself must never become a package (it would shadow Datasette). It
is installed as ``blogarchive_site`` and registered with Datasette by the entry
points in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["scraper", "scraper.*"])
    + ["blogarchive_site"],
    package_dir={"blogarchive_site": "datasette/blogarchive_site"},
    package_data={
        "scraper": ["*.cfg"],
        "blogarchive_site": ["metadata.yml", "templates/*.html", "static/*"],
    },
)
