#!/usr/bin/env bash
# REGISTER with MD5 digest against the WHOLE Talko server (issue 20 part 3), side by side with Kamailio.
#
# Unlike scripts/bench-sip.sh (Talko.Bench sip-server: the SIP engine alone, one in-memory credential),
# this starts the real Talko.Server twice:
#   embedded  SQLite database, in-process ephemeral state (bindings in process memory);
#   redis     SQLite database, Redis ephemeral state (bindings, nonces' peers, events in a redis-server
#             started here), i.e. the scaled-out state path on one instance. SQLite for durable data in
#             both, so the two differ only in where bindings live.
# It signs BENCH_DEVICES users up through the public API (auth/start, the code read from the server log,
# auth/verify with a device), which gives each device its own SIP username and secret, and feeds them to
# sipp as an injection file, so each REGISTER authenticates as a different device (credential lookup in
# the database, binding written to the store). Kamailio gets the same usernames with one shared password
# (pv_auth_check, usrloc in memory), as in bench-sip.sh.
#
# Rate search as in bench-sip.sh: doubling from BENCH_START, BENCH_REFINE bisection steps; a rate is
# sustained when under 0.1% of calls failed (any 503 counts as a failure) and >= 95% of the target rate
# completed. BENCH_ROUNDS rounds rotate the order of the three targets; medians and ratios are printed.
#
#   scripts/bench-register-server.sh
#   BENCH_DEVICES=200 BENCH_SECONDS=5 BENCH_START=200 BENCH_ROUNDS=3 scripts/bench-register-server.sh
#   BENCH_TARGETS="embedded redis" scripts/bench-register-server.sh   # any of: kamailio embedded redis
#   BENCH_SERVER_DLL=/tmp/after/Talko.Server.dll scripts/bench-register-server.sh
#
# Limits raised for the benchmark only (defaults unchanged): Talko:Accounts:AuthRequestsPerIp and
# CodeRequestsPerRequester (all sign-ups come from 127.0.0.1). The SIP digest failure limits count only
# failures, so correct credentials never reach them; nothing else is raised.
# Ports: BENCH_PORT_BASE (default 30440) .. +20: HTTP, SIP, Redis, Kamailio, sipp.
# Needs: sipp, kamailio 5.6, redis-server, dotnet, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
start_rate=${BENCH_START:-200}
max_rate=${BENCH_MAX:-12800}
refine=${BENCH_REFINE:-2}
devices=${BENCH_DEVICES:-200}
targets=${BENCH_TARGETS:-kamailio embedded redis}
base=${BENCH_PORT_BASE:-30440}
work=$(mktemp -d /tmp/talko-bench-register.XXXXXX)
declare -A http_port=([embedded]=$base [redis]=$((base + 1)))
declare -A sip_port=([embedded]=$((base + 2)) [redis]=$((base + 3)) [kamailio]=$((base + 4)))
declare -A sipp_port=([embedded]=$((base + 5)) [redis]=$((base + 6)) [kamailio]=$((base + 7)))
redis_port=$((base + 8))
declare -A pids=()

log() { printf '[bench-register] %s\n' "$*" >&2; }
stop_pid() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  for name in "${!pids[@]}"; do stop_pid "${pids[$name]}"; done
  if [ -n "${BENCH_KEEP:-}" ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

for tool in sipp kamailio redis-server python3 dotnet curl; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done

# BENCH_SERVER_DLL: a Talko.Server.dll built elsewhere (e.g. dotnet build Talko.Server -c Release -o DIR, to
# measure a change while another run still uses bin/Release); then nothing is built here.
dll=${BENCH_SERVER_DLL:-$root/Talko.Server/bin/Release/net10.0/Talko.Server.dll}
if [ -z "${BENCH_SERVER_DLL:-}" ]; then
  log "building Talko.Server (Release)"
  dotnet build "$root/Talko.Server" -c Release -v q >/dev/null
fi

wants() { case " $targets " in *" $1 "*) return 0;; *) return 1;; esac; }

if wants redis; then
  timeout 3600 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  pids[redis-server]=$!
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# start_server NAME: Release Talko.Server with UDP SIP only on its port; extra settings per variant.
start_server() {
  local name=$1 extra=()
  [ "$name" = redis ] && extra=(ConnectionStrings__Redis="127.0.0.1:$redis_port" Talko__RedisPrefix="bench$$")
  mkdir -p "$work/$name"
  (
    cd "$work/$name"
    exec env ASPNETCORE_URLS="http://127.0.0.1:${http_port[$name]}" ASPNETCORE_ENVIRONMENT=Production \
      "${extra[@]}" \
      Talko__DataDirectory="$work/$name/data" \
      Talko__Sip__UdpPort="${sip_port[$name]}" Talko__Sip__TcpPort="${sip_port[$name]}" Talko__Sip__EnableTcp=false \
      Talko__Sip__FallbackToFreePort=false \
      Talko__Accounts__AuthRequestsPerIp=1000000 Talko__Accounts__CodeRequestsPerRequester=1000000 \
      timeout 3600 dotnet "$dll" >"$work/$name/server.log" 2>&1
  ) &
  pids[$name]=$!
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:${http_port[$name]}/health/live" >/dev/null 2>&1; then
      # A server whose SIP engine could not bind runs on without SIP; that would measure nothing.
      grep -q '"Name":"StartFailed"' "$work/$name/server.log" || return 0
      break
    fi
    kill -0 "${pids[$name]}" 2>/dev/null || break
    sleep 0.2
  done
  log "Talko.Server ($name) did not start:"; tail -40 "$work/$name/server.log" >&2; exit 1
}

# sign_up NAME: BENCH_DEVICES users, one device each; writes $work/NAME/devices.csv for sipp -inf
# (scripts/sipp/bench-register-devices.xml says why the second field is a whole authentication keyword).
sign_up() {
  local name=$1
  python3 - "http://127.0.0.1:${http_port[$name]}" "$work/$name/server.log" "$devices" "$work/$name/devices.csv" <<'PY'
import json, re, sys, time, urllib.request
base, server_log, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def post(path, body):
    request = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)
code_line = re.compile(r"One-time code for [^0-9\n]*?([0-9]{6})")
def codes():
    return code_line.findall(open(server_log, errors="replace").read())
rows = []
for i in range(count):
    # Sign-ups run one at a time, so the newest code in the log is this one's (the hint hides the address).
    before = len(codes())
    post("/v1/auth/start", {"identifier": f"reg{i}@bench.example"})
    for _ in range(300):
        found = codes()
        if len(found) > before:
            break
        time.sleep(0.02)
    else:
        sys.exit(f"no code in the log for reg{i}")
    body = post("/v1/auth/verify", {"identifier": f"reg{i}@bench.example", "code": found[-1],
                                    "device": {"platform": "Web", "name": f"sip bench {i}"}})
    sip = body["sip"]
    rows.append(f"{sip['username']};[authentication username={sip['username']} password={sip['secret']}]")
with open(out, "w") as f:
    f.write("SEQUENTIAL\n" + "\n".join(rows) + "\n")
PY
  log "$devices devices signed up on $name"
}

start_kamailio() {
  local port=${sip_port[kamailio]}
  mkdir -p "$work/kamailio"
  cat >"$work/kamailio/kamailio.cfg" <<CFG
#!KAMAILIO
debug=0
log_stderror=yes
memdbg=5
memlog=5
children=4
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:$port

loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

modparam("usrloc", "db_mode", 0)

request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (!is_method("REGISTER")) { sl_send_reply("405", "Method Not Allowed"); exit; }
    if (!pv_auth_check("talko.bench", "bench-pw", "0", "1")) {
        auth_challenge("talko.bench", "1");
        exit;
    }
    consume_credentials();
    if (!save("location")) { sl_reply_error(); }
    exit;
}
CFG
  timeout 3600 kamailio -f "$work/kamailio/kamailio.cfg" -DD -E -m 256 -M 16 -Y "$work/kamailio" -P "$work/kamailio/kamailio.pid" >"$work/kamailio/kamailio.log" 2>&1 &
  pids[kamailio]=$!
  sleep 2
  kill -0 "${pids[kamailio]}" 2>/dev/null || { log "Kamailio did not start:"; cat "$work/kamailio/kamailio.log" >&2; exit 1; }
  { echo SEQUENTIAL; for i in $(seq 0 $((devices - 1))); do echo "bench$i;[authentication username=bench$i password=bench-pw]"; done; } >"$work/kamailio/devices.csv"
}

for name in $targets; do
  case $name in
    kamailio) log "starting Kamailio $(kamailio -v | head -1 | awk '{print $3}') on 127.0.0.1:${sip_port[kamailio]}"; start_kamailio ;;
    embedded|redis) log "starting Talko.Server ($name) on http ${http_port[$name]}, SIP udp ${sip_port[$name]}"; start_server "$name"; sign_up "$name" ;;
    *) log "unknown target $name"; exit 2 ;;
  esac
done

# run_sipp NAME RATE -> prints "successful failed elapsed_s achieved_rate retransmissions reasons"
run_sipp() {
  local name=$1 rate=$2
  local calls=$((rate * seconds)) dir
  dir=$(mktemp -d "$work/$name/run-$rate.XXXX")
  (
    cd "$dir"
    timeout $((seconds * 3 + 30)) sipp "127.0.0.1:${sip_port[$name]}" -sf "$root/scripts/sipp/bench-register-devices.xml" \
      -inf "$work/$name/devices.csv" -i 127.0.0.1 -p "${sipp_port[$name]}" -t u1 \
      -r "$rate" -m "$calls" -l $((rate * 4 + 100)) \
      -timeout $((seconds * 2 + 20)) -recv_timeout 10000 -nostdin -trace_stat -stf stat.csv -fd 1 -trace_err \
      >sipp.out 2>&1 || true
  )
  python3 - "$dir/stat.csv" "$calls" <<'PY'
import collections, csv, glob, re, sys
path, calls = sys.argv[1], int(sys.argv[2])
try:
    rows = list(csv.reader(open(path), delimiter=';'))
except OSError:
    print(0, calls, 0, 0, 0, 'no-stats'); sys.exit()
head, last = rows[0], rows[-1]
value = lambda name: last[head.index(name)]
ok = int(value('SuccessfulCall(C)'))
failed = int(value('FailedCall(C)'))
failed += max(0, calls - ok - failed)  # calls sipp never finished count as failed
h, m, s = value('ElapsedTime(C)').split(':')[:3]
elapsed = int(h) * 3600 + int(m) * 60 + float(s)
reasons = collections.Counter()
for log in glob.glob(path.rsplit('/', 1)[0] + '/*_errors.log'):
    for line in open(log, errors='replace'):
        m = re.search(r"(unexpected message|Max Retrans|timeout)\S*.*?(?:received 'SIP/2.0 (\d{3}))?", line, re.I)
        if m and 'Aborting' in line: reasons[m.group(2) or m.group(1).lower()] += 1
why = ','.join(f"{k}x{v}" for k, v in reasons.most_common(3)) or '-'
print(ok, failed, f"{elapsed:.2f}", f"{ok / elapsed if elapsed else 0:.0f}", value('Retransmissions(C)'), why)
PY
}

sustained() { python3 -c 'import sys; ok,f,a,r=map(float,sys.argv[1:]); sys.exit(0 if (ok+f)>0 and f/(ok+f)<0.001 and a>=0.95*r else 1)' "$@"; }

declare -A best
one_rate() {
  local name=$1 rate=$2
  read -r ok failed elapsed achieved retrans why < <(run_sipp "$name" "$rate")
  printf '  %-9s target %6d/s  achieved %6d/s  ok %7d  failed %5d  retrans %6d  %6.2fs  load %s  %s\n' \
    "$name" "$rate" "$achieved" "$ok" "$failed" "$retrans" "$elapsed" "$(cut -d' ' -f1 /proc/loadavg)" "${why/#-/}"
  sustained "$ok" "$failed" "$achieved" "$rate"
}
measure() {
  local name=$1 rate=$start_rate pass=0 fail=0
  while :; do
    if one_rate "$name" "$rate"; then pass=$rate; else fail=$rate; break; fi
    [ $((rate * 2)) -le "$max_rate" ] || break
    rate=$((rate * 2))
  done
  if [ "$fail" -gt 0 ] && [ "$pass" -gt 0 ]; then
    for _ in $(seq 1 "$refine"); do
      rate=$(((pass + fail) / 2))
      if one_rate "$name" "$rate"; then pass=$rate; else fail=$rate; fi
    done
  fi
  best[$name]="${best[$name]:-} $pass"
}
median() { python3 -c 'import statistics,sys; print(int(statistics.median(map(int,sys.argv[1:]))))' "$@"; }

read -ra order <<<"$targets"
echo "REGISTER with MD5 digest, whole server: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, ${seconds}s per rate, $devices devices, sipp $(sipp -v 2>/dev/null | grep -o 'v[0-9.]*' | head -1)"
echo "sustained = under 0.1% failed (503 included) and >= 95% of the target rate completed"
for round in $(seq 1 "$rounds"); do
  echo " round $round: ${order[*]}"
  for name in "${order[@]}"; do measure "$name"; done
  order=("${order[@]:1}" "${order[0]}") # rotate, so each target goes first, middle and last once in 3 rounds
done
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Results (highest sustained REGISTER/s, median of $rounds rounds; per round in brackets):"
k=""
wants kamailio && k=$(median ${best[kamailio]})
for name in $targets; do
  m=$(median ${best[$name]})
  ratio=n/a
  [ -n "$k" ] && [ "$k" -gt 0 ] && ratio=$(python3 -c "import sys; print(f'{int(sys.argv[1])/int(sys.argv[2]):.2f}')" "$m" "$k")
  echo "  $name $m [${best[$name]# }]  vs Kamailio $ratio"
done
for name in embedded redis; do
  wants "$name" || continue
  echo "  $name server log: $(grep -c '"@l":"\(Error\|Fatal\)"' "$work/$name/server.log" || true) error lines; RSS $(ps -o rss= -p "$(pgrep -P "${pids[$name]}" -f Talko.Server.dll | head -1)" 2>/dev/null | awk '{print int($1/1024) " MB"}')"
done
