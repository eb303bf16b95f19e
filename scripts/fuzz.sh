#!/usr/bin/env bash
# The long mutation-fuzzing run: the same harness as the suite's short run (Talko.Tests/Core/Fuzzing), for longer.
# Five targets, one after the other: the SIP parser + transaction layer (seeded from the RFC 4475 torture fixtures and
# the sipp scenarios), RTP/RTCP parsing + a live leg's receive path, and the WebRTC transport: STUN parsing + the
# ICE-lite responder, SRTP/SRTCP unprotect (both profiles), DTLS record intake + live handshakes with damaged flights. Prints one report line per target (inputs,
# inputs/s, failures, managed memory before/after) and exits non-zero on any failure; failing inputs are saved under
# $TMPDIR/talko-fuzz-failures for replay.
#
#   scripts/fuzz.sh                 # 300 s per target, a random seed (printed in the report)
#   scripts/fuzz.sh 60 12345        # 60 s per target, seed 12345 (reproduces a run)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
seed=${2:-$RANDOM$RANDOM}
report=$(mktemp)
trap 'rm -f "$report"' EXIT

dotnet build Talko.Tests -v q >/dev/null
set +e
TALKO_FUZZ_SECONDS=$seconds TALKO_FUZZ_SEED=$seed TALKO_FUZZ_REPORT=$report \
  dotnet test Talko.Tests --no-build --filter "FullyQualifiedName~Talko.Tests.Fuzzing.FuzzTests" >"$report.log" 2>&1
status=$?
set -e
cat "$report"
if [ $status -ne 0 ]; then
  grep -E "Failed |Error Message|saved to" -A3 "$report.log" | head -60 >&2
fi
rm -f "$report.log"
exit $status
