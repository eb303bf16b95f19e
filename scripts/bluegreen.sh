#!/usr/bin/env bash
# A blue/green switch on loopback, without Docker: Redis, PostgreSQL and HAProxy (Debian packages,
# installed when missing and running as root), a blue instance under load from realtime clients
# (Talko.LoadClient: post items, receive them live, resync after reconnects) and calls (started through the
# API by the load client; two sipp legs each, streaming audio, Talko.Tests/Infrastructure/Sip/Scenarios/call-leg-transferable.xml),
# then the switch: start green, wait until HAProxy sends it traffic, SIGTERM blue (it drains), wait for blue to
# exit. The first SHORT_CALLS calls end by themselves during the drain; the rest are still live at blue's call
# deadline and move to green (REFER; the legs re-INVITE green and talk on there). Prints the load client's
# report, the calls (placed, dropped, moved, audio gaps) and the switch timings. BROWSER_LEGS of the moved calls also
# have a browser in them: another member in Talko Web in headless Chromium (a WebRTC leg, joined by the load client),
# which rejoins green on callMoved; its gap is reported beside the SIP legs'. Bounded in time; kills everything it
# started.
#
#   scripts/bluegreen.sh                                  # full size (docs/benchmarks.md)
#   USERS=20 CALLS=2 SHORT_CALLS=1 WARMUP_S=5 scripts/bluegreen.sh   # smaller
#   USERS=20 CALLS=4 SHORT_CALLS=2 BROWSER_LEGS=2 scripts/bluegreen.sh   # with two browsers (WebRTC legs) in moved calls
#
# Sizes and drain settings come from the environment (defaults below).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

USERS=${USERS:-200}
PER_CONVERSATION=${PER_CONVERSATION:-5}
POST_INTERVAL_MS=${POST_INTERVAL_MS:-4000}
WARMUP_S=${WARMUP_S:-15}
COOLDOWN_S=${COOLDOWN_S:-5}
DRAIN_GRACE=${DRAIN_GRACE:-00:00:05}
DRAIN_WINDOW=${DRAIN_WINDOW:-00:00:20}
DRAIN_JITTER=${DRAIN_JITTER:-00:00:01}
DRAIN_CLOSE_AFTER=${DRAIN_CLOSE_AFTER:-00:00:05}
DRAIN_HARD=${DRAIN_HARD:-00:01:50}
DRAIN_CALL_DEADLINE=${DRAIN_CALL_DEADLINE:-00:00:30}
CALLS=${CALLS:-20}                 # concurrent calls, two sipp legs each
SHORT_CALLS=${SHORT_CALLS:-10}     # of which end by themselves (their legs hang up SHORT_CALL_S after joining)
SHORT_CALL_S=${SHORT_CALL_S:-30}   # running when blue starts draining, ended (+ the 10 s empty-call grace) before its call deadline
MOVED_TALK_S=${MOVED_TALK_S:-15}   # how long a moved leg talks on green before it hangs up
BROWSER_LEGS=${BROWSER_LEGS:-0}    # moved calls that also have a browser (WebRTC) participant (at full size the pages do not yet find the call in time: small runs only)
BUILD=${BUILD:-1}

state=${TALKO_BLUEGREEN_STATE:-/tmp/talko-bluegreen}
redis_port=${BG_REDIS_PORT:-6397}
pg_port=${BG_PG_PORT:-5447}
lb_port=${BG_LB_PORT:-18080}
blue_port=${BG_BLUE_PORT:-18081}
green_port=${BG_GREEN_PORT:-18082}
smtp_port=${BG_SMTP_PORT:-12525}
blue_sip=${BG_BLUE_SIP:-15071}
green_sip=${BG_GREEN_SIP:-15072}
scenarios="$root/Talko.Tests/Infrastructure/Sip/Scenarios"
admin_key=bluegreen-admin-key
mkdir -p "$state"
rm -rf "$state"/*.log "$state/load-ready" "$state/load-report.json" "$state/calls.csv" "$state/browser-legs.csv" "$state/sipp"
mkdir -p "$state/sipp"

log() { printf '[bluegreen %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

# --- everything started here is stopped on exit ------------------------------------------------------
pids=()
started_redis=0
started_pg=0
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
cleanup() {
  # Twice: a Talko instance drains on the first SIGTERM and stops at once on the second.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$started_redis" = 1 ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  [ "$started_pg" = 1 ] && as_postgres "'$pg_bin/pg_ctl' -D '$state/pg' -m fast stop >/dev/null" || true
}
trap cleanup EXIT
trap "exit 130" INT TERM

# --- install what is missing -------------------------------------------------------------------------
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -n "$pg_bin" ] || missing+=(postgresql)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v sipp >/dev/null || missing+=(sip-tester)
[ "$BROWSER_LEGS" = 0 ] || [ -x "${TALKO_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"; exit 1
  fi
fi

# --- build ----------------------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "building (Release)"
  dotnet build -c Release -v q Talko.Server/Talko.Server.csproj >/dev/null
  dotnet build -c Release -v q Talko.LoadClient/Talko.LoadClient.csproj >/dev/null
fi
server_dll="$root/Talko.Server/bin/Release/net10.0/Talko.Server.dll"
load_dll="$root/Talko.LoadClient/bin/Release/net10.0/Talko.LoadClient.dll"

# --- Redis and PostgreSQL (the same approach as scripts/test.sh, on ports of their own) -----------------
if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$state" --logfile "$state/redis.log" --pidfile "$state/redis.pid"
  started_redis=1
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -q; then
  if [ ! -f "$state/pg/PG_VERSION" ]; then
    mkdir -p "$state/pg"
    [ "$(id -u)" = 0 ] && chown -R postgres "$state/pg" && chmod 700 "$state/pg"
    as_postgres "'$pg_bin/initdb' -D '$state/pg' -A trust -U postgres >/dev/null"
  fi
  as_postgres "'$pg_bin/pg_ctl' -D '$state/pg' -l '$state/pg/server.log' -w -o \"-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300\" start >/dev/null"
  started_pg=1
fi
psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc "DROP DATABASE IF EXISTS talko_bluegreen WITH (FORCE)" >/dev/null
psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc "CREATE DATABASE talko_bluegreen" >/dev/null
redis-cli -p "$redis_port" --scan --pattern 'bluegreen:*' | xargs -r redis-cli -p "$redis_port" del >/dev/null

# --- instances -------------------------------------------------------------------------------------------
start_instance() { # name port sip-port rtp-base; sets instance_pid
  local name=$1 port=$2 sip=$3 rtp=$4
  ( export ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
      ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=talko_bluegreen;Maximum Pool Size=60" \
      ConnectionStrings__Redis="127.0.0.1:$redis_port" Talko__RedisPrefix=bluegreen \
      Talko__Instance__Id="$name" Talko__Admin__ApiKey="$admin_key" Talko__DataDirectory="$state/data" \
      Talko__Auth__SigningKey="Ymx1ZWdyZWVuLXNpZ25pbmcta2V5LTAxMjM0NTY3ODlhYmNkZWY=" \
      Talko__Accounts__IdentifierHashKey="Ymx1ZWdyZWVuLWlkZW50aWZpZXIta2V5LTAxMjM0NTY3ODk=" \
      Talko__Accounts__Smtp__Host=127.0.0.1 Talko__Accounts__Smtp__Port="$smtp_port" Talko__Accounts__Smtp__EnableTls=false \
      Talko__Accounts__AuthRequestsPerIp=100000 Talko__Accounts__CodeRequestsPerRequester=100000 \
      Talko__Drain__LoadBalancerGrace="$DRAIN_GRACE" Talko__Drain__ReconnectWindow="$DRAIN_WINDOW" \
      Talko__Drain__ReconnectJitter="$DRAIN_JITTER" Talko__Drain__ReconnectCloseAfter="$DRAIN_CLOSE_AFTER" \
      Talko__Drain__HardDeadline="$DRAIN_HARD" Talko__Drain__CallDeadline="$DRAIN_CALL_DEADLINE" \
      Talko__Sip__UdpPort="$sip" Talko__Sip__TcpPort="$sip" Talko__Sip__FallbackToFreePort=false \
      Talko__Sip__Digest__OfferSha256=false Talko__Media__RtpPorts__MinPort="$rtp" Talko__Media__RtpPorts__MaxPort=$((rtp + 999)) \
      Talko__Calls__EmptyCallGrace=00:00:10 Serilog__MinimumLevel__Default=Warning
    # The calls feature at Information: moves, hand-overs and each moved participant's audio gap (the live call's
    # own log lines come from Talko.Core.Calls since ADR 0622).
    exec env "Serilog__MinimumLevel__Override__Talko.Server.Features.Calls=Information" \
      "Serilog__MinimumLevel__Override__Talko.Core.Calls=Information" \
      "Serilog__MinimumLevel__Override__Talko.Server.WebRtc=Information" dotnet "$server_dll" ) >"$state/$name.log" 2>&1 &
  instance_pid=$!
}
wait_ready() { # url what seconds
  local deadline=$((SECONDS + $3))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/health/ready")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || { log "$2 not ready after $3 s"; exit 1; }
    sleep 0.2
  done
}

log "starting blue on 127.0.0.1:$blue_port"
start_instance blue "$blue_port" "$blue_sip" 40000; blue_pid=$instance_pid; pids+=("$blue_pid")
wait_ready "http://127.0.0.1:$blue_port" blue 120

# --- HAProxy: deploy/haproxy.cfg with loopback addresses and no Docker resolver -----------------------------
sed -e "s/bind \*:8080/bind 127.0.0.1:$lb_port/" -e "s/maxconn 20000/maxconn 4000/" \
    -e '/^resolvers docker/,/^$/d' \
    -e 's/ init-addr last,libc,none resolvers docker//' \
    -e "s/talko-blue:8080/127.0.0.1:$blue_port/" -e "s/talko-green:8080/127.0.0.1:$green_port/" \
    -e "s|^global|global\n    stats socket $state/haproxy.sock mode 600 level admin|" \
    deploy/haproxy.cfg >"$state/haproxy.cfg"
haproxy -c -q -f "$state/haproxy.cfg"
haproxy -db -f "$state/haproxy.cfg" >"$state/haproxy.log" 2>&1 &
pids+=($!)
server_state() { # server -> UP / DOWN / MAINT ...
  python3 - "$state/haproxy.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536): data += chunk
for line in data.decode().splitlines():
    f = line.split(",")
    if len(f) > 17 and f[0] == "talko_instances" and f[1] == sys.argv[2]: print(f[17]); break
PY
}
wait_ready "http://127.0.0.1:$lb_port" "HAProxy" 30

# --- load ----------------------------------------------------------------------------------------------------
log "load: $USERS realtime clients, $PER_CONVERSATION per conversation, a post every ~$POST_INTERVAL_MS ms each; $CALLS calls"
dotnet "$load_dll" --url "http://127.0.0.1:$lb_port" --users "$USERS" --per-conversation "$PER_CONVERSATION" \
  --post-interval-ms "$POST_INTERVAL_MS" --smtp-port "$smtp_port" --duration-s 900 \
  --calls "$CALLS" --legs-per-call 2 --calls-csv "$state/calls.csv" \
  --browser-legs "$BROWSER_LEGS" --browser-legs-csv "$state/browser-legs.csv" \
  --ready-file "$state/load-ready" --report "$state/load-report.json" >"$state/load.log" 2>&1 &
load_pid=$!; pids+=("$load_pid")
# The legs dial as soon as the calls are placed: browsers take seconds to join, and a call nobody is in for
# EmptyCallGrace ends before its legs arrive (a small run with browsers saw its two short calls answer 403).
await_load_file() {
  local deadline=$((SECONDS + 300))
  until [ -f "$1" ]; do
    kill -0 "$load_pid" 2>/dev/null || { cat "$state/load.log"; log "load client failed"; exit 1; }
    [ $SECONDS -lt $deadline ] || { log "load client wrote no $(basename "$1") in 300 s"; exit 1; }
    sleep 0.5
  done
}
await_load_file "$state/calls.csv"
# --- calls: one sipp per leg (sipp takes digest credentials per process), all dialling blue -------------------
sipp_pids=()
leg=0
while IFS=';' read -r call_id username secret host port; do
  [ "$call_id" = SEQUENTIAL ] && continue
  if [ $((leg / 2)) -lt "$SHORT_CALLS" ]; then own_ms=$((SHORT_CALL_S * 1000)); else own_ms=300000; fi
  ( cd "$scenarios" && exec sipp "$host:$port" -sf call-leg-transferable.xml -m 1 -l 1 -s "$call_id" \
      -au "$username" -ap "$secret" -set user "$username" -i 127.0.0.1 -p $((16000 + leg)) -t u1 \
      -mp $((20000 + leg * 20)) -recv_timeout "$own_ms" -d $((MOVED_TALK_S * 1000)) -nostdin \
      -trace_err -error_file "$state/sipp/leg-$leg-errors.log" ) >"$state/sipp/leg-$leg.log" 2>&1 &
  sipp_pids+=($!); pids+=($!)
  echo "$leg;$call_id" >>"$state/sipp/legs"
  leg=$((leg + 1))
done <"$state/calls.csv"
calls_started=$(now)
log "$leg sipp legs dialling blue ($SHORT_CALLS calls end after ${SHORT_CALL_S} s, the rest wait to be moved)"
await_load_file "$state/load-ready"

log "warm-up ${WARMUP_S} s"
sleep "$WARMUP_S"

# --- the switch -------------------------------------------------------------------------------------------------
switch_start=$(now)
log "starting green on 127.0.0.1:$green_port"
start_instance green "$green_port" "$green_sip" 42000; green_pid=$instance_pid; pids+=("$green_pid")
wait_ready "http://127.0.0.1:$green_port" green 120
deadline=$((SECONDS + 30))
until [ "$(server_state green)" = UP ]; do
  [ $SECONDS -lt $deadline ] || { log "HAProxy never marked green UP"; exit 1; }
  sleep 0.2
done
green_up=$(now)
log "green UP in HAProxy; SIGTERM to blue"
drain_start=$(now)
kill -TERM "$blue_pid"
blue_down=""
hard_s=$(python3 -c "import sys; h,m,s = sys.argv[1].split(':'); print(int(h)*3600 + int(m)*60 + int(float(s)) + 15)" "$DRAIN_HARD")
deadline=$((SECONDS + hard_s))
while kill -0 "$blue_pid" 2>/dev/null; do
  if [ -z "$blue_down" ] && [ "$(server_state blue)" != UP ]; then blue_down=$(now); fi
  [ $SECONDS -lt $deadline ] || { log "blue did not exit by its hard deadline"; exit 1; }
  sleep 0.2
done
switch_end=$(now)
wait "$blue_pid" && blue_exit=0 || blue_exit=$?
log "blue exited ($blue_exit); waiting for the call legs to hang up"
deadline=$((SECONDS + MOVED_TALK_S + SHORT_CALL_S + 60))
legs_ok=0; legs_failed=0; failed_calls=()
i=0
for pid in "${sipp_pids[@]}"; do
  while kill -0 "$pid" 2>/dev/null; do [ $SECONDS -lt $deadline ] || { log "a sipp leg did not finish"; break; }; sleep 0.5; done
  if wait "$pid" 2>/dev/null; then legs_ok=$((legs_ok + 1)); else legs_failed=$((legs_failed + 1)); failed_calls+=("$(sed -n "$((i + 1))p" "$state/sipp/legs" | cut -d';' -f2)"); fi
  i=$((i + 1))
done
calls_dropped=$(printf '%s\n' "${failed_calls[@]}" | grep -c . || true)
log "cool-down ${COOLDOWN_S} s"
sleep "$COOLDOWN_S"
# SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
kill -TERM "$load_pid"
deadline=$((SECONDS + 120))
while kill -0 "$load_pid" 2>/dev/null; do [ $SECONDS -lt $deadline ] || { log "load client did not finish"; exit 1; }; sleep 0.5; done

# --- report -------------------------------------------------------------------------------------------------------
haproxy_5xx=$(grep -cE '" (5[0-9][0-9]) ' "$state/haproxy.log" || true)
echo
echo "=== blue/green switch on loopback ($(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)) ==="
sed -n '/load client report/,$p' "$state/load.log"
echo "switch"
printf '  %-34s %s\n' "green started to UP in HAProxy" "$(seconds "$switch_start" "$green_up") s"
printf '  %-34s %s\n' "SIGTERM to blue out of rotation" "$( [ -n "$blue_down" ] && seconds "$drain_start" "$blue_down" || echo '?') s"
printf '  %-34s %s\n' "SIGTERM to blue exited (drain)" "$(seconds "$drain_start" "$switch_end") s"
printf '  %-34s %s\n' "whole switch (green start to exit)" "$(seconds "$switch_start" "$switch_end") s"
printf '  %-34s %s\n' "blue exit code" "$blue_exit"
printf '  %-34s %s\n' "HAProxy 5xx responses" "$haproxy_5xx"
echo "calls (two sipp legs each, audio both ways; $BROWSER_LEGS of the moved ones with a browser too)"
touch "$state/browser-legs.csv"
python3 - "$state/blue.log" "$state/green.log" "$state/sipp/legs" "$SHORT_CALLS" "$CALLS" "$legs_ok" "$legs_failed" "$calls_dropped" "$state/browser-legs.csv" <<'PY'
import json, re, statistics, sys
blue, green, legs_file, short, calls, legs_ok, legs_failed, dropped, browsers_file = sys.argv[1:10]
legs = [l.strip().split(";") for l in open(legs_file) if l.strip()]
browsers = {tuple(l.strip().split(";")) for l in open(browsers_file) if l.strip()}
short_ids = {c for i, c in legs if int(i) // 2 < int(short)}
def entries(path):
    for line in open(path, errors="replace"):
        try: yield json.loads(line)
        except ValueError: pass
handed = {}
for e in entries(blue):
    if e.get("EventId", {}).get("Name") == "Transferred":
        handed.setdefault(e["CallId"], []).append(e.get("Outcome"))
gaps = [(e["CallId"], e.get("UserId"), int(e["GapMs"])) for e in entries(green) if e.get("EventId", {}).get("Name") == "RejoinedAfterMove"]
moved_gaps = sorted(g for c, u, g in gaps if c not in short_ids and (c, u) not in browsers)
browser_gaps = sorted(g for c, u, g in gaps if (c, u) in browsers)
short_gaps = [g for c, u, g in gaps if c in short_ids]
def row(k, v): print(f"  {k:<34} {v}")
row("calls placed (legs)", f"{calls} ({len(legs)} SIP, {len(browsers)} browser)")
row("legs ended by their own BYE / not", f"{legs_ok} / {legs_failed}")
row("calls dropped", dropped)
row("calls ended before the deadline", f"{short} (audio gap: none, never moved)" if not short_gaps else f"{short} (yet gaps were logged: {short_gaps})")
referred = sum(1 for o in handed.values() if all(x == "Left" for x in o))
row("calls moved (legs handed over)", f"{len(handed)} ({sum(len(o) for o in handed.values())}; all legs left in {referred})")
outcomes = {}
for o in handed.values():
    for x in o: outcomes[x] = outcomes.get(x, 0) + 1
row("hand-over outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "none")
if moved_gaps:
    row("audio gap of moved participants", f"median {statistics.median(moved_gaps):.0f} ms, worst {moved_gaps[-1]} ms ({len(moved_gaps)} rejoins)")
else:
    row("audio gap of moved participants", "no rejoins logged")
if browsers:
    rejoined = ", ".join(f"{g} ms" for g in browser_gaps) or "none"
    row("gap of moved browsers (WebRTC)", f"{len(browser_gaps)} of {len(browsers)} rejoined: {rejoined}")
PY
echo "blue's drain log"
python3 - "$state/blue.log" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try: entry = json.loads(line)
    except ValueError: continue
    if "Server.Drain" in entry.get("SourceContext", ""): print("  " + entry["@t"][11:23] + " " + entry["@m"])
PY
