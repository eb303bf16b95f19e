#!/usr/bin/env bash
# Adds an EF Core migration for both providers (PostgreSQL and SQLite), which keep separate histories
# (docs/decisions/0006-migrations-per-provider-and-provider-only-schema.md). Usage: scripts/add-migration.sh NameInPascalCase
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh MigrationName}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Postgres Sqlite; do
  dotnet ef migrations add "$name" --project Talko.Server --context "${provider}TalkoDbContext" \
    --output-dir "Data/Migrations/$provider"
done
