#!/usr/bin/env bash
# Black-box try of issue 21: two instances as the README's "Scaled out" section starts them, a Redis of this script's
# own, PostgreSQL (the cluster scripts/test.sh starts on 5439, a fresh database). A Node client (SignalR's JS client,
# installed with npm into a temporary folder) posts every 100 ms through both instances and listens on instance two;
# Redis is stopped for 30 s in the middle. Prints what the client saw and what the instances logged.
#
#   dotnet build Talko.sln && scripts/test.sh --filter Nothing   # once: builds, starts PostgreSQL
#   scripts/redis-outage.sh [outage seconds, default 30]
set -euo pipefail
export PGPASSWORD=talko
cd "$(dirname "$0")/.."
root=$(pwd)
outage=${1:-30}
work=$(mktemp -d /tmp/talko-redis-outage-XXXXXX)
redis_port=6392
db="talko_outage_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -p 5439 -U talko -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

(cd "$work" && npm init -y >/dev/null && npm install --silent @microsoft/signalr@10 >/dev/null)
cp scripts/redis-outage-client.mjs "$work/"
psql -h 127.0.0.1 -p 5439 -U talko -d postgres -qc "CREATE DATABASE $db" >/dev/null
start_redis() { redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile "$work/redis.log"; }
start_redis

export ConnectionStrings__Postgres="Host=127.0.0.1;Port=5439;Database=$db;Username=talko;Password=talko;Maximum Pool Size=40;Timeout=5"
export ConnectionStrings__Redis="127.0.0.1:$redis_port"
export Talko__Admin__ApiKey=secret Talko__RedisPrefix="outage$$" Talko__Auth__SigningKey="$(head -c 32 /dev/urandom | base64)"
export Talko__Accounts__IdentifierHashKey="$(head -c 32 /dev/urandom | base64)" Talko__DataDirectory="$work/data"
server="$root/Talko.Server/bin/Debug/net10.0/Talko.Server.dll"
for instance in blue:5801:5071 green:5802:5072; do
  IFS=: read -r name port sip <<<"$instance"
  (cd "$work" && ASPNETCORE_URLS="http://127.0.0.1:$port" Talko__Instance__Id=$name Talko__Sip__UdpPort=$sip Talko__Sip__TcpPort=$sip \
    exec dotnet "$server" >"$work/$name.log" 2>&1) &
  pids+=($!)
done
for port in 5801 5802; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.5; done
done

: >"$work/marker"
(cd "$work" && node redis-outage-client.mjs http://127.0.0.1:5801 http://127.0.0.1:5802 "$work/blue.log" "$work/green.log" $((outage + 20)) "$work/marker" >"$work/client.json") &
client=$!
until grep -q traffic "$work/marker"; do
  kill -0 "$client" 2>/dev/null || { cat "$work/client.json"; echo "the client failed before its traffic started"; exit 1; }
  sleep 0.2
done
sleep 5
echo "stopping Redis for $outage s"
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
sleep "$outage"
start_redis
echo "Redis is back"
wait "$client"
cat "$work/client.json"
for name in blue green; do
  log="$work/$name.log"
  echo "$name: $(grep -c '"@l":"Warning"' "$log") warnings, $(grep -c '"@l":"Error"' "$log") errors, $(grep -c 'responded 500' "$log") answers 500, $(grep -c '53300' "$log") PostgreSQL slot refusals"
done
for name in blue green; do
  grep -a 'backplane\|resync' "$work/$name.log" | grep -ao '"@t":"[^"]*","@m":"[^"]*' | cut -c7-200 | sed "s/^/$name: /" || true
  grep -a '"@l":"Error"' "$work/$name.log" | grep -ao '"@m":"[^"]*' | cut -c7-200 | sed "s/^/$name error: /" || true
done
