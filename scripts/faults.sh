#!/usr/bin/env bash
# The fault-injection suite (issue 21, ADR 0205) with its figures: Redis stopped for 30 s, PostgreSQL restarted, the
# owner of a live call SIGKILLed, each while clients post, read, listen and sync through two real instances. Runs the
# tests through scripts/test.sh (so Redis, PostgreSQL and the tools are there) and prints the report that
# docs/benchmarks.md tabulates.
#
#   scripts/faults.sh              # build first (dotnet build Talko.sln), then this
#   scripts/faults.sh --no-build   # extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp /tmp/talko-faults-XXXXXX.md)
trap 'rm -f "$report"' EXIT
status=0
TALKO_FAULTS_REPORT="$report" scripts/test.sh --filter "Category=Faults" "$@" >/dev/null 2>&1 || status=$?
cat "$report"
[ "$status" = 0 ] && echo "faults: all checks passed" || echo "faults: checks failed (exit $status); run scripts/test.sh --filter Category=Faults for details"
exit "$status"
