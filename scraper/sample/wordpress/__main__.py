"""``python -m scraper.sample.wordpress``: serve a fake WordPress blog until Ctrl-C."""

from .server import main

main()
