#!/usr/bin/env bash
# Scheduled crawl for cron: one run at a time, a log, the exit code of the run.
#   */30 * * * *  /opt/blogarchive/scheduled/run.sh /opt/blogarchive/scheduled/blogs.toml
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
config="${1:-$here/blogs.toml}"
venv="${BLOGARCHIVE_VENV:-$here/../.venv}"
blogarchive="$venv/bin/blogarchive"
[ -x "$blogarchive" ] || blogarchive="$(command -v blogarchive)"
# flock here too, so that a hung run is never joined by a second one even if
# the Python process cannot start; -n: give up at once (exit 75) when busy.
exec flock -n -E 75 "$config.run.lock" "$blogarchive" run "$config"
