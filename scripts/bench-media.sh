#!/usr/bin/env bash
# Side-by-side media benchmark (issue 20 part 1, issue 16): one RTP load generator (scripts/bench-media/rtpgen.c,
# compiled here with gcc; one process, real UDP on loopback) against Talko's media engine and against Janus
# AudioBridge (Debian's janus, plain RTP participants through allow_rtp_participants), one conference.
#
# Every participant sends 50 packets/s (20 ms PCMU or Opus frames) and receives the mix. For each size and talker
# mode, a round runs Talko then Janus (the next round the other way round), each on a freshly started server; the
# generator measures the server's CPU (utime+stime from /proc/PID/stat) and context switches over BENCH_SECONDS after
# BENCH_WARMUP, and the script prints the median of BENCH_ROUNDS rounds per server: CPU % of one core, CPU per
# participant, and the ratio.
#
# Talko runs as `Talko.Bench media-server`: Talko's ConferenceMediaEngine with its production defaults (per-leg
# RTP/RTCP ports, strict source checks, jitter buffers, the mixer on its timing threads, RTCP), legs joined as SIP
# signalling joins them after an INVITE, and nothing else (no SIP, web stack or database), so the figure is the media
# path. Janus runs with only the AudioBridge plugin and the HTTP transport, the room at 8 kHz for PCMU and 48 kHz for
# Opus (Talko's mixer runs at 48 kHz for both; BENCH_JANUS_RATE=48000 gives Janus the same work for PCMU).
#
#   scripts/bench-media.sh
#   BENCH_SIZES=50,100,200,400 BENCH_TALKERS=all,3 BENCH_ROUNDS=3 BENCH_CODEC=pcmu scripts/bench-media.sh
#   BENCH_DLL=/copy/of/Talko.Bench.dll BENCH_NO_BUILD=1 scripts/bench-media.sh             # a saved build (before/after)
#   BENCH_SERVERS=talko BENCH_SIZES=10 BENCH_TALKERS=3 scripts/bench-media.sh      # idle cost, Talko only
#   BENCH_CODEC=opus BENCH_LEVELS=1 scripts/bench-media.sh   # every packet labelled with its RFC 6464 audio level
#   BENCH_SIZES=1000 BENCH_SERVERS=talko BENCH_PEER_BASE=40000 BENCH_TALKO_PORTS=44000-47999 ...   # past 400: more ports
#
# BENCH_LEVELS=1: the generator labels every packet with the sender's audio level (RFC 6464 extension id 1, as browsers
# do: talkers -20 dBov, the silent -127) and Talko's legs read it (ADR 0930: silent legs are then not decoded). Janus
# gets the same packets; its AudioBridge decodes every participant whatever the level says.
#
# Needs: gcc, janus (apt-get install -y janus), libopus0, dotnet, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sizes=${BENCH_SIZES:-50,100,200,400}
talker_modes=${BENCH_TALKERS:-all,3}
rounds=${BENCH_ROUNDS:-3}
codec=${BENCH_CODEC:-pcmu}
servers=${BENCH_SERVERS:-talko,janus}
warmup=${BENCH_WARMUP:-5}
seconds=${BENCH_SECONDS:-15}
# Fixed ports above Linux's ephemeral range (32768-60999) and clear of the test suite's ports (media 10000-19999, servers 30000-32767), so a
# run beside the tests or other servers neither takes their ports nor loses its own: generator 61000-61798 (400
# participants), Talko's legs 62000-62999, Janus's plain-RTP participants 63000-64999.
peer_base=${BENCH_PEER_BASE:-61000}
talko_ports=${BENCH_TALKO_PORTS:-62000-62999}
janus_ports=${BENCH_JANUS_PORTS:-63000-64999}
levels=${BENCH_LEVELS:-0}
janus_http=${BENCH_JANUS_HTTP:-18088}
work=$(mktemp -d /tmp/talko-bench-media.XXXXXX)
server_pid=""

log() { printf '[bench-media] %s\n' "$*" >&2; }
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap "exit 130" INT TERM

# Each participant takes two generator ports (its RTP, and the RTCP port a server sends to), and a Talko leg an RTP/RTCP
# pair: say so before starting rather than fail on a bind half-way through a round.
largest=$(tr , '\n' <<<"$sizes" | sort -n | tail -1)
range_size() { echo $(( ${1#*-} - ${1%-*} + 1 )); }
if (( peer_base + 2 * largest > 65536 )) || { [[ $servers == *talko* ]] && (( $(range_size "$talko_ports") < 2 * largest )); } \
   || { [[ $servers == *janus* ]] && (( $(range_size "$janus_ports") < 2 * largest )); }; then
  log "$largest participants need $((2 * largest)) ports each from BENCH_PEER_BASE ($peer_base), BENCH_TALKO_PORTS ($talko_ports) and BENCH_JANUS_PORTS ($janus_ports): set wider, non-overlapping ranges"
  exit 1
fi

for tool in gcc python3 dotnet; do command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }; done
if [[ $servers == *janus* ]] && ! command -v janus >/dev/null; then
  log "janus is not installed: apt-get install -y janus"; exit 1
fi

gcc -O2 -Wall -o "$work/rtpgen" scripts/bench-media/rtpgen.c -lm -ldl
dll=${BENCH_DLL:-"$root/Talko.Bench/bin/Release/net10.0/Talko.Bench.dll"}
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  log "building Talko.Bench (Release)"
  dotnet build "$root/Talko.Bench" -c Release -v q >/dev/null
fi

# Janus configuration: the AudioBridge plugin and the HTTP transport only, sessions that never time out.
janus_config() {
  local rate=$1 dir=$work/janus
  mkdir -p "$dir"
  local lib=/usr/lib/x86_64-linux-gnu/janus
  disabled() { (cd "$1" && ls lib*.so | grep -v -x "$2" | paste -sd, -); }
  cat >"$dir/janus.jcfg" <<JCFG
general: {
  configs_folder = "$dir"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = 2
  session_timeout = 0
}
media: { rtp_port_range = "49000-49999" }
nat: { nice_debug = false }
plugins: { disable = "$(disabled "$lib/plugins" libjanus_audiobridge.so)" }
transports: { disable = "$(disabled "$lib/transports" libjanus_http.so)" }
loggers: { disable = "libjanus_jsonlog.so" }
events: { broadcast = false disable = "$(disabled "$lib/events" none)" }
JCFG
  cat >"$dir/janus.transport.http.jcfg" <<JCFG
general: { json = "plain" base_path = "/janus" http = true port = $janus_http ip = "127.0.0.1" https = false }
admin: { admin_http = false admin_https = false }
cors: {}
JCFG
  cat >"$dir/janus.plugin.audiobridge.jcfg" <<JCFG
general: { rtp_port_range = "${janus_ports/-/-}" local_ip = "127.0.0.1" events = false }
room-1234: {
  description = "bench"
  sampling_rate = $rate
  allow_rtp_participants = true
  audiolevel_ext = false
  record = false
}
JCFG
}

# start_talko N -> writes $work/pairs
start_talko() {
  local n=$1
  seq "$peer_base" 2 $((peer_base + 2 * (n - 1))) >"$work/peers"
  rm -f "$work/pairs"
  timeout 900 dotnet "$dll" media-server --peers "$work/peers" --out "$work/pairs" --codec "$codec" --seconds 800 \
    --min-port "${talko_ports%-*}" --max-port "${talko_ports#*-}" --audio-level-id "$([ "$levels" = 1 ] && echo 1 || echo 0)" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do [ -s "$work/pairs" ] && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
  [ -s "$work/pairs" ] || { log "Talko media-server did not start:"; cat "$work/server.log" >&2; exit 1; }
}

start_janus() {
  local n=$1
  seq "$peer_base" 2 $((peer_base + 2 * (n - 1))) >"$work/peers"
  rm -f "$work/pairs"
  janus_config "${BENCH_JANUS_RATE:-$([ "$codec" = opus ] && echo 48000 || echo 8000)}"
  timeout 900 janus -C "$work/janus/janus.jcfg" -F "$work/janus" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$janus_http/janus/info" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  timeout 300 python3 scripts/bench-media/janus-join.py "http://127.0.0.1:$janus_http/janus" 1234 "$codec" "$work/peers" "$work/pairs" >&2 \
    || { log "joining Janus failed:"; tail -30 "$work/server.log" >&2; exit 1; }
}

# run SERVER N TALKERS -> prints the generator's result line
run() {
  local server=$1 n=$2 talkers=$3
  "start_$server" "$n"
  local result
  # The server runs under `timeout`: measure its child, the server itself.
  local measured
  measured=$(pgrep -P "$server_pid" | head -1)
  result=$("$work/rtpgen" --ports "$work/pairs" --codec "$codec" --talkers "$talkers" --warmup "$warmup" --seconds "$seconds" --pid "${measured:-$server_pid}" --levels "$levels")
  stop_server
  echo "$result"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

log "codec $codec, levels $levels, sizes $sizes, talkers $talker_modes, $rounds rounds, ${warmup}s warm-up + ${seconds}s measured; load average $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=, read -ra server_list <<<"$servers"
declare -A results
round_index=0
for n in ${sizes//,/ }; do
  for mode in ${talker_modes//,/ }; do
    talkers=$([ "$mode" = all ] && echo "$n" || echo "$mode")
    for round in $(seq 1 "$rounds"); do
      round_index=$((round_index + 1))
      order=("${server_list[@]}")
      if [ $((round_index % 2)) -eq 0 ] && [ "${#order[@]}" -eq 2 ]; then order=("${order[1]}" "${order[0]}"); fi
      for server in "${order[@]}"; do
        line=$(run "$server" "$n" "$talkers")
        log "$server n=$n talkers=$talkers round $round: $line (load $(cut -d' ' -f1 /proc/loadavg))"
        results[$server,$n,$mode]+="$line"$'\n'
      done
    done
  done
done

printf '\nMedia path side by side: codec %s, levels %s, %s rounds, medians; load average at the end %s\n' "$codec" "$levels" "$rounds" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-8s' participants talkers
for server in "${server_list[@]}"; do printf ' %10s %10s %10s %8s' "$server-CPU%" "per-part%" "ctxsw/s" "rx/s"; done
[ "${#server_list[@]}" -eq 2 ] && printf ' %8s' ratio
printf '\n'
for n in ${sizes//,/ }; do
  for mode in ${talker_modes//,/ }; do
    printf '%-12s %-8s' "$n" "$mode"
    cpus=()
    for server in "${server_list[@]}"; do
      lines=${results[$server,$n,$mode]}
      cpu=$(while read -r l; do [ -z "$l" ] || field server_cpu_pct "$l"; done <<<"$lines" | median)
      per=$(while read -r l; do [ -z "$l" ] || field cpu_per_participant_pct "$l"; done <<<"$lines" | median)
      ctx=$(while read -r l; do [ -z "$l" ] || field ctxsw_per_s "$l"; done <<<"$lines" | median)
      rx=$(while read -r l; do [ -z "$l" ] || field received_per_participant_per_s "$l"; done <<<"$lines" | median)
      printf ' %10s %10s %10s %8s' "$cpu" "$per" "$ctx" "$rx"
      cpus+=("$cpu")
    done
    if [ "${#server_list[@]}" -eq 2 ]; then
      awk -v a="${cpus[0]}" -v b="${cpus[1]}" 'BEGIN { if (b > 0) printf " %8.2f", a / b; else printf " %8s", "-" }'
    fi
    printf '\n'
  done
done
