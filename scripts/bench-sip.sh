#!/usr/bin/env bash
# SIP signalling benchmark (issue 6): sipp on loopback against Talko's SipEngine (Talko.Bench sip-server:
# in-memory credentials and bindings, no-op media) and against Kamailio as a registrar, side by side.
#
#   1. REGISTER with MD5 digest (401 challenge, authenticated retry, 200) per second, Talko and Kamailio;
#   2. call set-up per second against Talko: INVITE, 401, ACK, INVITE with auth, 200, ACK, BYE, 200 (no RTP).
#
# For each rate (doubling from BENCH_START, then BENCH_REFINE bisection steps) sipp runs BENCH_SECONDS at
# that rate. A rate is "sustained" when under 0.1% of calls failed and sipp completed at least 95% of the
# target rate over the run. The figure is the highest sustained rate. BENCH_ROUNDS rounds alternate which
# server goes first, so changing machine load hits both; the median per server and the Talko/Kamailio
# ratio of medians are printed. The ceiling moves with the machine by a doubling step, so each round also runs
# REGISTERs at a fixed rate below both ceilings (BENCH_COST_RATE, default 3200/s) and reads each server's CPU time
# from /proc: the CPU microseconds per REGISTER, Talko against Kamailio.
#
#   scripts/bench-sip.sh
#   BENCH_SECONDS=10 BENCH_START=250 BENCH_MAX=16000 scripts/bench-sip.sh
#   BENCH_ONLY=register scripts/bench-sip.sh      # register | call | both (default both)
#   BENCH_COST_RATE=1600 BENCH_ONLY=register scripts/bench-sip.sh
#
# Needs: sipp (sip-tester), kamailio 5.6 (apt-get install -y kamailio), dotnet, python3.
# Every child runs under `timeout`, and the exit trap kills the servers it started by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
start_rate=${BENCH_START:-400}
max_rate=${BENCH_MAX:-12800}
refine=${BENCH_REFINE:-2}
only=${BENCH_ONLY:-both}
cost_rate=${BENCH_COST_RATE:-3200}
# UDP non-INVITE server transactions live 64*T1 = 32 s after their final response (RFC 3261 17.2.2,
# Timer J). Talko keeps them in a compact table with its own cap (ADR 0161), so the live-transaction cap
# (default 50,000) no longer bounds a steady REGISTER load; both default to the engine's values.
max_transactions=${BENCH_MAX_TRANSACTIONS:-50000}
max_completed=${BENCH_MAX_COMPLETED:-500000}
user=bench
password=bench-pw
realm=talko.bench
work=$(mktemp -d /tmp/talko-bench-sip.XXXXXX)
talko_pid=""
kamailio_pid=""

log() { printf '[bench-sip] %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop_pid() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    return "$status"
  fi
}
cleanup() {
  local status=0
  stop_pid "$talko_pid" || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 143 ] && [ "$status" -ne 124 ]; then
    log "Talko sip-server ended with status $status; its log:"
    tail -40 "$work/talko.log" >&2 || true
  fi
  stop_pid "$kamailio_pid" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

for tool in sipp kamailio python3 dotnet; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done

dll="$root/Talko.Bench/bin/Release/net10.0/Talko.Bench.dll"
log "building Talko.Bench (Release)"
dotnet build "$root/Talko.Bench" -c Release -v q >/dev/null

talko_port=$(free_port)
kamailio_port=$(free_port)

log "starting Talko sip-server on 127.0.0.1:$talko_port"
# Server GC, as Talko.Server runs (the web SDK's default); Talko.Bench itself is built for workstation GC.
DOTNET_gcServer=1 timeout 1800 dotnet "$dll" sip-server --port "$talko_port" --seconds 1700 --user "$user" --password "$password" --realm "$realm" \
  --max-transactions "$max_transactions" --max-completed-transactions "$max_completed" >"$work/talko.log" 2>&1 &
talko_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/talko.log" 2>/dev/null && break; sleep 0.2; done
grep -q listening "$work/talko.log" || { log "Talko did not start:"; cat "$work/talko.log" >&2; exit 1; }

# Kamailio as a plain registrar: digest auth against one fixed password (auth module, pv_auth_check with
# qop=auth, like Talko), usrloc in memory (db_mode 0), UDP only, 4 worker processes on this 2-core machine.
cat >"$work/kamailio.cfg" <<EOF
#!KAMAILIO
debug=0
log_stderror=yes
memdbg=5
memlog=5
children=4
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:$kamailio_port

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
    if (!pv_auth_check("$realm", "$password", "0", "1")) {
        auth_challenge("$realm", "1");
        exit;
    }
    consume_credentials();
    if (!save("location")) { sl_reply_error(); }
    exit;
}
EOF
log "starting Kamailio $(kamailio -v | head -1 | awk '{print $3}') on 127.0.0.1:$kamailio_port"
timeout 1800 kamailio -f "$work/kamailio.cfg" -DD -E -m 256 -M 16 -Y "$work" -P "$work/kamailio.pid" >"$work/kamailio.log" 2>&1 &
kamailio_pid=$!
sleep 2
kill -0 "$kamailio_pid" 2>/dev/null || { log "Kamailio did not start:"; cat "$work/kamailio.log" >&2; exit 1; }

# One sipp port per server, so every run registers the same Contact (a device re-registering, as in
# the field) instead of piling up bindings until the registrar's per-AOR limit answers 503.
declare -A sipp_port=([talko]=$(free_port) [kamailio]=$(free_port) [talko-call]=$(free_port))
# run_sipp NAME TARGET SCENARIO RATE SERVICE -> prints "successful failed elapsed_s achieved_rate retransmissions"
run_sipp() {
  local name=$1 target=$2 scenario=$3 rate=$4 service=$5
  local calls=$((rate * seconds))
  local dir
  dir=$(mktemp -d "$work/$name-$rate.XXXX")
  (
    cd "$dir"
    timeout $((seconds * 3 + 30)) sipp "$target" -sf "$scenario" -i 127.0.0.1 -p "${sipp_port[$name]}" -t u1 \
      -s "$service" -au "$user" -ap "$password" -r "$rate" -m "$calls" -l $((rate * 4 + 100)) \
      -timeout $((seconds * 2 + 20)) -recv_timeout 10000 -nostdin -trace_stat -stf stat.csv -fd 1 -trace_err \
      >sipp.out 2>&1 || true
  )
  python3 - "$dir/stat.csv" "$calls" <<'EOF'
import csv, sys
path, calls = sys.argv[1], int(sys.argv[2])
try:
    rows = list(csv.reader(open(path), delimiter=';'))
except OSError:
    print(0, calls, 0, 0, 0, 'no-stats'); sys.exit()
head, last = rows[0], rows[-1]
value = lambda name: last[head.index(name)]
ok = int(value('SuccessfulCall(C)'))
failed = int(value('FailedCall(C)'))
failed += max(0, calls - ok - failed)  # calls sipp never finished (timeout) count as failed
h, m, s = value('ElapsedTime(C)').split(':')[:3]
elapsed = int(h) * 3600 + int(m) * 60 + float(s)
import collections, glob, re
reasons = collections.Counter()
for log in glob.glob(path.rsplit('/', 1)[0] + '/*_errors.log'):
    for line in open(log, errors='replace'):
        m = re.search(r"(unexpected message|Max Retrans|timeout)\S*.*?(?:received 'SIP/2.0 (\d{3}))?", line, re.I)
        if m and 'Aborting' in line: reasons[m.group(2) or m.group(1).lower()] += 1
why = ','.join(f"{k}x{v}" for k, v in reasons.most_common(3)) or '-'
print(ok, failed, f"{elapsed:.2f}", f"{ok / elapsed if elapsed else 0:.0f}", value('Retransmissions(C)'), why)
EOF
}

# sustained OK FAILED ACHIEVED RATE -> exit 0 when under 0.1% failed and >= 95% of the target rate reached
sustained() { python3 -c 'import sys; ok,f,a,r=map(float,sys.argv[1:]); sys.exit(0 if (ok+f)>0 and f/(ok+f)<0.001 and a>=0.95*r else 1)' "$@"; }

declare -A best
# measure KIND(register|call) NAME TARGET SCENARIO SERVICE: doubling then bisection; sets best[NAME]
measure() {
  local kind=$1 name=$2 target=$3 scenario=$4 service=$5
  local rate=$start_rate pass=0 fail=0
  while :; do
    read -r ok failed elapsed achieved retrans why < <(run_sipp "$name" "$target" "$scenario" "$rate" "$service")
    printf '  %-9s %-8s target %6d/s  achieved %6d/s  ok %7d  failed %5d  retrans %6d  %6.2fs  %s\n' \
      "$name" "$kind" "$rate" "$achieved" "$ok" "$failed" "$retrans" "$elapsed" "${why/#-/}"
    if sustained "$ok" "$failed" "$achieved" "$rate"; then pass=$rate; else fail=$rate; break; fi
    [ $((rate * 2)) -le "$max_rate" ] || break
    rate=$((rate * 2))
  done
  if [ "$fail" -gt 0 ] && [ "$pass" -gt 0 ]; then
    for _ in $(seq 1 "$refine"); do
      rate=$(((pass + fail) / 2))
      read -r ok failed elapsed achieved retrans why < <(run_sipp "$name" "$target" "$scenario" "$rate" "$service")
      printf '  %-9s %-8s target %6d/s  achieved %6d/s  ok %7d  failed %5d  retrans %6d  %6.2fs  %s\n' \
        "$name" "$kind" "$rate" "$achieved" "$ok" "$failed" "$retrans" "$elapsed" "${why/#-/}"
      if sustained "$ok" "$failed" "$achieved" "$rate"; then pass=$rate; else fail=$rate; fi
    done
  fi
  best[$name]="${best[$name]:-} $pass"
}

# tree_ticks PID -> CPU time (user + system, clock ticks) of PID and all its descendants: the servers run under
# `timeout`, and Kamailio forks its workers.
tree_ticks() {
  python3 - "$1" <<'EOF'
import os, sys
root = int(sys.argv[1])
stats = {}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    stats[int(pid)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
tree, grew = {root}, True
while grew:
    grown = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
    grew = bool(grown)
    tree |= grown
print(sum(stats[pid][1] for pid in tree if pid in stats))
EOF
}

declare -A cost
# measure_cost NAME TARGET PID: REGISTERs at a fixed rate below both ceilings; appends the server's CPU microseconds
# per REGISTER to cost[NAME]. Unlike the ceiling, this moves little with the machine: the cost of one REGISTER.
measure_cost() {
  local name=$1 target=$2 pid=$3 before after per ok failed elapsed achieved retrans why
  before=$(tree_ticks "$pid")
  read -r ok failed elapsed achieved retrans why < <(run_sipp "$name" "$target" "$register_xml" "$cost_rate" "$user")
  after=$(tree_ticks "$pid")
  per=$(python3 -c 'import os,sys; b,a,ok=map(int,sys.argv[1:]); print(round((a-b)/os.sysconf("SC_CLK_TCK")*1e6/ok) if ok else 0)' "$before" "$after" "$ok")
  printf '  %-9s cost     %6d/s for %ds: ok %7d  failed %5d  server CPU %5d us per REGISTER\n' "$name" "$cost_rate" "$seconds" "$ok" "$failed" "$per"
  cost[$name]="${cost[$name]:-} $per"
}

median() { python3 -c 'import statistics,sys; print(int(statistics.median(map(int,sys.argv[1:]))))' "$@"; }

register_xml="$root/Talko.Tests/Infrastructure/Sip/Scenarios/register.xml"
call_xml="$root/scripts/sipp/bench-call.xml"
echo "SIP signalling benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, ${seconds}s per rate, sipp $(sipp -v 2>/dev/null | grep -o 'v[0-9.]*' | head -1)"
echo "sustained = under 0.1% failed and >= 95% of the target rate completed"

if [ "$only" != call ]; then
  echo "REGISTER with MD5 digest (401 + authenticated REGISTER + 200 = one call):"
  for round in $(seq 1 "$rounds"); do
    echo " round $round"
    if [ $((round % 2)) -eq 1 ]; then
      measure register talko "127.0.0.1:$talko_port" "$register_xml" "$user"
      measure register kamailio "127.0.0.1:$kamailio_port" "$register_xml" "$user"
    else
      measure register kamailio "127.0.0.1:$kamailio_port" "$register_xml" "$user"
      measure register talko "127.0.0.1:$talko_port" "$register_xml" "$user"
    fi
  done
  echo "Server CPU per REGISTER at $cost_rate/s (below both ceilings; rounds alternate which server goes first):"
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
      measure_cost talko "127.0.0.1:$talko_port" "$talko_pid"; measure_cost kamailio "127.0.0.1:$kamailio_port" "$kamailio_pid"
    else
      measure_cost kamailio "127.0.0.1:$kamailio_port" "$kamailio_pid"; measure_cost talko "127.0.0.1:$talko_port" "$talko_pid"
    fi
  done
fi
if [ "$only" != register ]; then
  echo "Call set-up with MD5 digest (INVITE, 401, ACK, INVITE, 180, 200, ACK, BYE, 200; no RTP):"
  for round in $(seq 1 "$rounds"); do
    echo " round $round"
    measure call talko-call "127.0.0.1:$talko_port" "$call_xml" "$user"
  done
fi

echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Results (highest sustained rate, median of $rounds rounds; per round in brackets):"
if [ "$only" != call ]; then
  t=$(median ${best[talko]}); k=$(median ${best[kamailio]})
  tc=$(median ${cost[talko]}); kc=$(median ${cost[kamailio]})
  echo "  CPU us per REGISTER at $cost_rate/s  Talko $tc [${cost[talko]# }]  Kamailio $kc [${cost[kamailio]# }]  Talko/Kamailio $(python3 -c "import sys; t,k=map(int,sys.argv[1:]); print(f'{t/k:.2f}' if k else 'n/a')" "$tc" "$kc")"
  echo "  REGISTER/s  Talko $t [${best[talko]# }]  Kamailio $k [${best[kamailio]# }]  Talko/Kamailio $(python3 -c "import sys; t,k=map(int,sys.argv[1:]); print(f'{t/k:.2f}' if k else 'n/a')" "$t" "$k")"
fi
if [ "$only" != register ]; then
  echo "  calls/s     Talko $(median ${best[talko-call]}) [${best[talko-call]# }]"
fi
echo "Talko transaction tables, last sample: $(grep '^stats:' "$work/talko.log" | tail -1)"
echo "  peak of the 5 s samples: $(grep '^stats:' "$work/talko.log" | grep -o 'live [0-9]*' | sort -k2 -n | tail -1), $(grep '^stats:' "$work/talko.log" | grep -o 'completed [0-9]*' | sort -k2 -n | tail -1), $(grep '^stats:' "$work/talko.log" | grep -o 'rss [0-9]* MB' | sort -k2 -n | tail -1)"
if ! kill -0 "$talko_pid" 2>/dev/null; then log "Talko sip-server exited during the run:"; tail -20 "$work/talko.log" >&2; fi
