#!/usr/bin/env bash
# WebRTC join time (issue 17, docs/benchmarks.md): a real server process and Debian's headless Chromium, a sipp leg
# talking in the call; the browser leaves and joins again TALKO_BENCH_WEBRTC_JOINS times (default 30), each timed
# from the hub's JoinCall to its SDP answer and to the first audio packet the browser receives.
#
#   scripts/bench-webrtc-join.sh            # after dotnet build; servers as scripts/test.sh starts them
set -euo pipefail
cd "$(dirname "$0")/.."
export TALKO_BENCH_WEBRTC_JOINS=${TALKO_BENCH_WEBRTC_JOINS:-30}
log=$(mktemp)
scripts/test.sh --no-build --filter "FullyQualifiedName~BrowserCallTests.A_browser_joins_over_the_hub" \
  --logger "console;verbosity=detailed" >"$log" 2>&1 || { tail -50 "$log"; exit 1; }
grep -o 'BENCH webrtc-join.*' "$log" | head -1
rm -f "$log"
