#!/usr/bin/env bash
# Contact matching benchmark: seeds 1,000,000 users in PostgreSQL (generate_series, hashes computed in
# SQL with pgcrypto), starts Talko.Server against it, signs one user in, and times
# POST /v1/contacts/match with 5,000 entries (half of them registered users). Prints median and p99.
#
#   scripts/bench-contacts.sh                 # PostgreSQL from $BENCH_PG (default 127.0.0.1:5439, the one scripts/test.sh starts; user postgres)
#   BENCH_USERS=100000 BENCH_RUNS=50 scripts/bench-contacts.sh
#   BENCH_KIND=sha256 scripts/bench-contacts.sh   # only client-computed SHA-256 entries (default: "email sha256", both)
#   BENCH_DB=sqlite scripts/bench-contacts.sh     # embedded mode: the server's own SQLite file, seeded from Python
#
# Needs: a PostgreSQL server with the pgcrypto extension available (Debian: postgresql-15 ships it),
# curl, python3, and a built Talko.Server (dotnet build Talko.sln -c Release).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
users=${BENCH_USERS:-1000000}
entries=${BENCH_ENTRIES:-5000}
runs=${BENCH_RUNS:-100}
kinds=${BENCH_KIND:-email sha256}
db_kind=${BENCH_DB:-postgres}
pg_host=${BENCH_PG_HOST:-127.0.0.1}
pg_port=${BENCH_PG_PORT:-5439}
pg_user=${BENCH_PG_USER:-postgres}
database=talko_bench_contacts
key=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
work=$(mktemp -d /tmp/talko-bench-contacts.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
server_pid=""

log() { printf '[bench-contacts] %s\n' "$*" >&2; }
psql_db() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -v ON_ERROR_STOP=1 -qtA "$@"; }
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

configuration=Release
dll="$root/Talko.Server/bin/$configuration/net10.0/Talko.Server.dll"
if [ ! -f "$dll" ]; then
  log "building Talko.Server ($configuration)"
  dotnet build "$root/Talko.Server" -c "$configuration" -v q >/dev/null
fi

if [ "$db_kind" = postgres ]; then
  log "fresh database $database on $pg_host:$pg_port"
  psql_db -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
  psql_db -d "$database" -c "CREATE EXTENSION IF NOT EXISTS pgcrypto"
  database_setting=(ConnectionStrings__Postgres="Host=$pg_host;Port=$pg_port;Username=$pg_user;Database=$database")
else
  database_setting=() # embedded: $work/data/talko.db
fi

log "starting Talko.Server on 127.0.0.1:$port (migrates the schema; $db_kind)"
(
  cd "$work"
  exec env ASPNETCORE_URLS="http://127.0.0.1:$port" \
  "${database_setting[@]}" \
  Talko__DataDirectory="$work/data" \
  Talko__Sip__Enabled=false \
  Talko__Accounts__IdentifierHashKey="$key" \
  Talko__Accounts__ContactMatchQuota=1000000000 \
  Talko__Accounts__AuthRequestsPerIp=1000 \
  dotnet "$dll" >"$work/server.log" 2>&1
) &
server_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

seed_started=$(date +%s)
if [ "$db_kind" = postgres ]; then
  log "seeding $users users (generate_series; lookup keys = HMAC-SHA256(key, SHA-256(email)) in SQL)"
  psql_db -d "$database" -v key="$key" -v users="$users" <<'SQL'
SET synchronous_commit = off;
INSERT INTO users ("Id", "DisplayName", "Discoverable", "CreatedAt")
SELECT md5('u' || i)::uuid, 'User ' || i, i % 10 <> 0, now() FROM generate_series(1, :users) AS i;
INSERT INTO user_identifiers ("Id", "UserId", "Kind", "LookupKey", "Hint", "VerifiedAt")
SELECT md5('i' || i)::uuid, md5('u' || i)::uuid, 'Email',
       rtrim(translate(encode(hmac(digest('user' || i || '@bench.example', 'sha256'), decode(:'key', 'base64'), 'sha256'), 'base64'), '+/', '-_'), '='),
       'u***@bench.example', now()
FROM generate_series(1, :users) AS i;
ANALYZE users;
ANALYZE user_identifiers;
SQL
else
  log "seeding $users users into $work/data/talko.db (Python; the same keys and rows as the PostgreSQL seed, EF's SQLite formats)"
  python3 - "$work/data/talko.db" "$key" "$users" <<'PY'
import base64, hashlib, hmac, sqlite3, sys, uuid
path, key, users = sys.argv[1], base64.b64decode(sys.argv[2]), int(sys.argv[3])
guid = lambda text: str(uuid.UUID(hashlib.md5(text.encode()).hexdigest())).upper()
now = "2026-01-01 00:00:00.0000000"
db = sqlite3.connect(path, timeout=30)
db.execute("PRAGMA synchronous = OFF")
db.executemany('INSERT INTO users ("Id", "DisplayName", "Discoverable", "CreatedAt") VALUES (?, ?, ?, ?)',
               ((guid(f"u{i}"), f"User {i}", int(i % 10 != 0), now) for i in range(1, users + 1)))
def lookup(i):
    digest = hashlib.sha256(f"user{i}@bench.example".encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, digest, hashlib.sha256).digest()).rstrip(b"=").decode()
db.executemany('INSERT INTO user_identifiers ("Id", "UserId", "Kind", "LookupKey", "Hint", "VerifiedAt") VALUES (?, ?, ?, ?, ?, ?)',
               ((guid(f"i{i}"), guid(f"u{i}"), "Email", lookup(i), "u***@bench.example", now) for i in range(1, users + 1)))
db.commit()
db.execute("ANALYZE")
db.close()
PY
fi
log "seeded in $(( $(date +%s) - seed_started )) s"

log "signing in a caller (code read from the server log)"
curl -sf -X POST "http://127.0.0.1:$port/v1/auth/start" -H 'content-type: application/json' -d '{"identifier":"caller@bench.example"}' >/dev/null
sleep 0.5
# The email hint has no digits, so the first six-digit run after it is the code (quoted in JSON logs).
code=$(grep -o 'One-time code for[^0-9]*[0-9]\{6\}' "$work/server.log" | tail -n 1 | grep -o '[0-9]\{6\}$')
token=$(curl -sf -X POST "http://127.0.0.1:$port/v1/auth/verify" -H 'content-type: application/json' \
  -d "{\"identifier\":\"caller@bench.example\",\"code\":\"$code\",\"device\":{\"platform\":\"web\",\"name\":\"bench\"}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["accessToken"])')

for kind in $kinds; do
  python3 - "$users" "$entries" "$kind" >"$work/request.json" <<'PY'
import hashlib, json, random, sys
users, count, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(7)
def entry(ref, email):
    if kind == "sha256":
        return {"ref": ref, "sha256": hashlib.sha256(email.encode()).hexdigest()}
    return {"ref": ref, "identifier": email}
registered = [entry(f"r{n}", f"user{random.randint(1, users)}@bench.example") for n in range(count // 2)]
unknown = [entry(f"x{n}", f"nobody{n}@elsewhere.example") for n in range(count - count // 2)]
print(json.dumps({"entries": registered + unknown}))
PY

  matches=$(curl -sf -X POST "http://127.0.0.1:$port/v1/contacts/match" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    --data-binary @"$work/request.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["matches"]))')
  log "one call returns $matches matches of $entries entries (about 90% of the registered half are discoverable)"

  log "warming up, then $runs timed calls"
  for _ in $(seq 1 10); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/v1/contacts/match" -H "authorization: Bearer $token" -H 'content-type: application/json' --data-binary @"$work/request.json"
  done
  for _ in $(seq 1 "$runs"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -X POST "http://127.0.0.1:$port/v1/contacts/match" \
    -H "authorization: Bearer $token" -H 'content-type: application/json' --data-binary @"$work/request.json"
  done >"$work/times.txt"

  python3 - "$work/times.txt" "$users" "$entries" "$runs" "$kind" "$work/server.log" <<'PY'
import re, statistics, sys
times = sorted(float(line) * 1000 for line in open(sys.argv[1]) if line.strip())
p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
print(f"contacts/match ({sys.argv[5]}): {sys.argv[3]} entries against {int(sys.argv[2]):,} users, {sys.argv[4]} calls: "
      f"median {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, min {times[0]:.1f} ms")
# The server's own time for the same calls (its request log, from the request's start to the response written),
# so what curl adds (connection, upload, download) is told apart from the handler's work.
logged = re.findall(r'POST[\\"]* [\\"]*/v1/contacts/match[\\"]* responded 200 in ([0-9.]+) ms', open(sys.argv[6], errors="replace").read())
served = sorted(float(ms) for ms in logged[-len(times):])
if served:
    print(f"  the server's own time for those calls: median {statistics.median(served):.1f} ms, min {served[0]:.1f} ms")
PY

done

if [ "$db_kind" != postgres ]; then
  exit 0
fi

log "the matching query alone, 2,500 registered keys (plan with timings; includes picking the keys):"
psql_db -d "$database" -v users="$users" >&2 <<'SQL'
EXPLAIN (ANALYZE, COSTS OFF)
SELECT i."LookupKey", u."Id", u."DisplayName"
FROM unnest(ARRAY(
        SELECT "LookupKey" FROM user_identifiers
        WHERE "Id" IN (SELECT md5('i' || (1 + floor(random() * :users))::int)::uuid FROM generate_series(1, 2500)))) AS w(key)
JOIN user_identifiers AS i ON i."LookupKey" = w.key
JOIN users AS u ON u."Id" = i."UserId"
WHERE u."Discoverable" AND u."DeletedAt" IS NULL;
SQL
[ -n "${BENCH_KEEP:-}" ] || psql_db -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
