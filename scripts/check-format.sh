#!/usr/bin/env bash
# Fails when the code has drifted from .editorconfig: layout and whitespace, and the style rules set to warning
# there (braces around every block, file-scoped namespaces). CI runs it before the tests (.ci/run).
#
#   scripts/check-format.sh          # check only
#   scripts/check-format.sh --fix    # rewrite the files instead
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--fix" ]]; then
  dotnet format whitespace Talko.sln
  dotnet format style Talko.sln --severity warn
  exit 0
fi

echo "[check-format] dotnet format --verify-no-changes (whitespace, style at warning)" >&2
if ! dotnet format whitespace Talko.sln --verify-no-changes || ! dotnet format style Talko.sln --severity warn --verify-no-changes; then
  echo "[check-format] the code above differs from .editorconfig: run scripts/check-format.sh --fix" >&2
  exit 1
fi
