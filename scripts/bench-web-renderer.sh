#!/usr/bin/env bash
# How busy a Talko Web page in a call keeps its browser (ADR 0952): one embedded Talko.Server (Release), the load
# client with 5 users in one conversation posting every second and one call of two SIP legs, and a sixth member in
# that call from Talko Web in Debian's headless Chromium (Talko.LoadClient --browser-legs 1). The CPU of Chromium's
# renderer processes is read from /proc over 30 s once the page is in the call; the load client then says whether
# the page still answers ("in the call") or not.
#
#   scripts/bench-web-renderer.sh                                # builds Talko.Server and Talko.LoadClient (Release)
#   BENCH_SERVER_DIR=/tmp/before scripts/bench-web-renderer.sh  # a server built elsewhere (its webclient/ is the page)
#
# Needs: dotnet, chromium, bc. Ports: HTTP 18181, SIP 15091, RTP 44000-44999, SMTP 12526 (the load client's sink).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/talko-bench-web.XXXXXX)
server_pid=""
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for tool in dotnet bc ss /usr/bin/chromium; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done
# A server left from another run on these ports would be measured instead, or this one would fail to start: refuse.
taken=$(ss -Htuln | awk '{ n = split($5, a, ":"); p = a[n]; if (p == 18181 || p == 15091 || p == 12526 || (p >= 44000 && p <= 44999)) print $1 " " p }')
if [ -n "$taken" ]; then
  echo "ports this benchmark needs are in use (stop what holds them):" >&2
  echo "$taken" >&2
  exit 1
fi

server_dir=${BENCH_SERVER_DIR:-}
if [ -z "$server_dir" ]; then
  server_dir=$work/server
  dotnet build "$root/Talko.Server" -c Release -o "$server_dir" -v q >/dev/null
fi
dotnet build "$root/Talko.LoadClient" -c Release -o "$work/load" -v q >/dev/null

mkdir -p "$work/data"
(cd "$server_dir" && exec env ASPNETCORE_URLS=http://127.0.0.1:18181 Talko__DataDirectory="$work/data" \
  Talko__Accounts__Smtp__Host=127.0.0.1 Talko__Accounts__Smtp__Port=12526 Talko__Accounts__Smtp__EnableTls=false \
  Talko__Accounts__AuthRequestsPerIp=100000 Talko__Accounts__CodeRequestsPerRequester=100000 \
  Talko__Sip__UdpPort=15091 Talko__Sip__TcpPort=15091 \
  Talko__Media__RtpPorts__MinPort=44000 Talko__Media__RtpPorts__MaxPort=44999 dotnet Talko.Server.dll) >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:18181/health/ready && break; sleep 1; done

dotnet "$work/load/Talko.LoadClient.dll" --url http://127.0.0.1:18181 --users 5 --per-conversation 5 --smtp-port 12526 \
  --duration-s 80 --calls 1 --legs-per-call 2 --calls-csv "$work/calls.csv" \
  --browser-legs 1 --browser-legs-csv "$work/browsers.csv" >"$work/load.log" 2>&1 &
load_pid=$!
# Sign-ups, the call and the browser's join take about 20 s: measure from 35 s to 65 s of the 80 s run.
sleep 35
renderer_ticks() {
  local total=0 pid
  for pid in $(pgrep -f 'chromium.*type=renderer'); do
    # utime and stime: fields 14 and 15 of /proc/PID/stat, 12 and 13 after the command's closing parenthesis.
    read -r -a fields <<<"$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null || true)"
    total=$((total + ${fields[11]:-0} + ${fields[12]:-0}))
  done
  echo "$total"
}
before=$(renderer_ticks); start=$(date +%s.%N)
sleep 30
after=$(renderer_ticks); end=$(date +%s.%N)
wait "$load_pid" || true
printf 'renderer CPU %s%% of a core over 30 s; load average %s; page: %s\n' \
  "$(echo "scale=1; ($after - $before) * 100 / $(getconf CLK_TCK) / ($end - $start)" | bc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(grep -o 'browser [^:]*: .*' "$work/load.log" | tail -1 | cut -d: -f2- | cut -c2-)"
