#!/usr/bin/env bash
# The test command: brings up Redis and PostgreSQL on loopback (installing them, sipp, baresip, linphonec, libopus0 and opus-tools, with apt-get
# when missing and running as root), checks deploy/ (promtool on the Prometheus configuration and alert rules, the
# Grafana dashboard against its generator), then runs `dotnet test Talko.sln` and prints
# "N passed, N failed[, N skipped]" as its last line. Exits non-zero on any failure.
#
#   scripts/test.sh                     # everything
#   scripts/test.sh --filter Sip        # extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state=${TALKO_TEST_STATE:-/tmp/talko-test-servers}
redis_port=${TALKO_TEST_REDIS_PORT:-6391}
cluster_port=${TALKO_TEST_REDIS_CLUSTER_PORT:-7391} # three nodes: this port and the next two (their cluster buses 10000 above)
pg_port=${TALKO_TEST_PG_PORT:-5439}
mkdir -p "$state"

log() { printf '[test.sh] %s\n' "$*" >&2; }

# --- install what is missing -------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -n "$pg_bin" ] || missing+=(postgresql)
command -v sipp >/dev/null || missing+=(sip-tester)
command -v sox >/dev/null || missing+=(sox)
[ -e /usr/lib/x86_64-linux-gnu/libopus.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libopus.so.0 ] || missing+=(libopus0) # native Opus (Talko:Media:Opus)
command -v opusinfo >/dev/null || missing+=(opus-tools) # opusinfo/opusdec check the Ogg Opus recordings
command -v baresip >/dev/null || missing+=(baresip-core) # the softphone interop tests (g711, ausine, sndfile, ctrl_tcp, menu)
command -v linphonec >/dev/null || missing+=(linphone-cli) # the linphonec interop tests
command -v djpeg >/dev/null || missing+=(libjpeg-turbo-progs) # the JPEG encoder's interoperability test
command -v promtool >/dev/null || missing+=(prometheus) # promtool: deploy/prometheus checks and the /metrics format test
command -v openssl >/dev/null || missing+=(openssl) # DTLS-SRTP interoperability (s_client and s_server as the peer)
command -v ffmpeg >/dev/null || missing+=(ffmpeg) # SRTP interoperability (libavformat sends and receives SRTP)
command -v chromium >/dev/null || missing+=(chromium) # Talko Web in a real browser (Playwright drives Debian's Chromium)
command -v npm >/dev/null || missing+=(nodejs) # builds Talko Web during the .NET build (Node.js 20; see README)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's own nodejs comes without npm (NodeSource's includes it).
    command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends npm >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    log "missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]}) or run as root"
    exit 1
  fi
fi

# --- deploy/: the Prometheus configuration, alert rules (and their unit tests) and the Grafana dashboard -----------
# Any failure here fails the run (set -e). The scrape key file the configuration names is made for the check only.
log "promtool: deploy/prometheus"
prom_check=$(mktemp -d)
cp deploy/prometheus/*.yml "$prom_check/"
mkdir -p "$prom_check/secrets" && printf 'promtool-check-key' > "$prom_check/secrets/scrape-key"
promtool check config "$prom_check/prometheus.yml" >&2
promtool check rules deploy/prometheus/talko-alerts.yml >&2
(cd "$prom_check" && promtool test rules talko-alerts.test.yml >&2)
python3 deploy/grafana/make-dashboard.py --check --rules "$prom_check/dashboard-queries.yml"
promtool check rules "$prom_check/dashboard-queries.yml" >&2
rm -rf "$prom_check"

# --- Redis ----------------------------------------------------------------------------------------
if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  log "starting redis-server on 127.0.0.1:$redis_port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$state" --logfile "$state/redis.log" --pidfile "$state/redis.pid"
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# --- Redis Cluster: three primaries, for the ephemeral-store and awareness specifications (hash tags, CROSSSLOT) ---
cluster_ports=("$cluster_port" "$((cluster_port + 1))" "$((cluster_port + 2))")
for port in "${cluster_ports[@]}"; do
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "starting redis-server (cluster node) on 127.0.0.1:$port"
    mkdir -p "$state/redis-cluster/$port"
    rm -f "$state/redis-cluster/$port/nodes.conf" # a node that was stopped starts empty, and the cluster is made again
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 5000 --dir "$state/redis-cluster/$port" \
      --logfile "$state/redis-cluster/$port/redis.log" --pidfile "$state/redis-cluster/$port/redis.pid"
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
done
if ! redis-cli -p "$cluster_port" cluster info | grep -q 'cluster_state:ok'; then
  if [ "$(redis-cli -p "$cluster_port" cluster info | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')" != 1 ]; then
    # Half-made by an interrupted run: start the three nodes empty.
    for port in "${cluster_ports[@]}"; do redis-cli -p "$port" flushall >/dev/null; redis-cli -p "$port" cluster reset hard >/dev/null; done
  fi
  log "creating the Redis Cluster on ports ${cluster_ports[*]}"
  redis-cli --cluster create "${cluster_ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
  for _ in $(seq 1 100); do redis-cli -p "$cluster_port" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
fi

# --- PostgreSQL: a private cluster, owned by the postgres user (it refuses to run as root) ---------
pg_data="$state/pg"
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -q; then
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $pg_data"
    mkdir -p "$pg_data"
    [ "$(id -u)" = 0 ] && chown -R postgres "$state/pg" && chmod 700 "$pg_data"
    as_postgres "'$pg_bin/initdb' -D '$pg_data' -A trust -U postgres >/dev/null"
  fi
  log "starting PostgreSQL on 127.0.0.1:$pg_port"
  as_postgres "'$pg_bin/pg_ctl' -D '$pg_data' -l '$pg_data/server.log' -w -o \"-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null"
fi
psql_admin() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = 'talko'")" != 1 ]; then
  psql_admin "CREATE ROLE talko LOGIN CREATEDB PASSWORD 'talko'"
fi
# Fixtures drop their databases WITH (FORCE), which must end every session in them. An autovacuum worker runs
# under no role, so without pg_signal_backend a non-superuser's drop fails ("must be a member of the role whose
# process is being terminated") whenever autovacuum happens to be in that database: a cleanup failure in CI.
psql_admin "GRANT pg_signal_backend TO talko"

export TALKO_TEST_REDIS="127.0.0.1:$redis_port"
export TALKO_TEST_REDIS_CLUSTER="127.0.0.1:${cluster_ports[0]},127.0.0.1:${cluster_ports[1]},127.0.0.1:${cluster_ports[2]}"
export TALKO_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=talko;Password=talko;Database=postgres"

# --- the tests ------------------------------------------------------------------------------------
results="$root/TestResults"
rm -rf "$results"
log "dotnet test (Redis $TALKO_TEST_REDIS, Redis Cluster $TALKO_TEST_REDIS_CLUSTER, PostgreSQL 127.0.0.1:$pg_port)"
set +e
dotnet test Talko.sln --logger "trx;LogFileName=talko.trx" --results-directory "$results" "$@"
status=$?
set -e

# The counts line, summed over every result file (one per test project).
python3 - "$results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(f"{sys.argv[1]}/**/*.trx", recursive=True)
for path in files:
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0)) + int(counters.get("inconclusive", 0))
    # A fixture's clean-up failure fails the run without failing a test: count it, and say what it was.
    # (xUnit also lists each failed test there as "... [FAIL]"; those are counted above already.)
    for info in ET.parse(path).getroot().findall("t:ResultSummary/t:RunInfos/t:RunInfo[@outcome='Error']", ns):
        text = (info.findtext("t:Text", "", ns) or "").strip()
        if text and not text.splitlines()[0].rstrip().endswith("[FAIL]"):
            failed += 1
            print("run error:", text.splitlines()[0])
if not files and sys.argv[2] != "0":
    failed = max(failed, 1)  # the run broke before any result file was written (a build error)
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
exit $status
