#!/usr/bin/env bash
# Benchmarks/media.sh: concurrent calls with their media anchored on CarePhone's RTP relay.
#
# For each N in BENCH_CALLS: N calls are set up through the server (a trusted trunk source
# 127.0.0.2 calls a trunk callee on 127.0.0.1, no authentication; config media.anchor =
# "always" so every call's RTP goes through the relay), then media/rtpload sends 20 ms G.711
# frames both ways on every call for BENCH_SECONDS (2 x 50 packets/s per call, staggered over
# the 20 ms period as independent phones would be) and measures what leaves the relay:
#   - loss: packets sent by rtpload that never came back out of the relay (after a 300 ms drain)
#   - jitter added: RFC 3550 A.8 estimator over each packet's one-way delay through the relay
#     (every packet carries its send time), i.e. the variation the relay adds, mean and worst
#     stream; and the mean and worst one-way delay
#   - the server's CPU use over the measurement (% of one core, all its threads) and its RSS.
# Target (issue 4): 500 concurrent relayed calls on this 2-core machine with < 0.1% loss and
# < 5 ms added jitter. The load generator shares the machine's two cores with the server.
#
# Kamailio relays no media by itself (it drives rtpproxy or rtpengine), so there is no
# like-for-like Kamailio run here; see RESULTS.md.
#
# Environment (all optional):
#   BENCH_CALLS="100 200 300 400 500 600"   concurrent calls per step
#   BENCH_SECONDS=20        seconds of media per step
#   BENCH_KEEP=0            1 keeps the work directory (server log, call tables)
#   BENCH_WORKDIR=          work directory (default: mktemp -d /tmp/carephone-bench-media.XXXXXX)
#   CAREPHONE_BIN=          a built binary (default: swift build -c release, incremental)
#
# Everything runs on 127.0.0.0/8 on free ports; every process started here is stopped by PID.

set -u -o pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
HOST="127.0.0.1"
UAC_HOST="127.0.0.2"
BENCH_CALLS="${BENCH_CALLS:-100 200 300 400 500 600}"
BENCH_SECONDS="${BENCH_SECONDS:-20}"
BENCH_KEEP="${BENCH_KEEP:-0}"
CAREPHONE_BIN="${CAREPHONE_BIN:-}"

die() { echo "media.sh: $*" >&2; exit 2; }
say() { echo "[$(date +%H:%M:%S)] $*"; }
for tool in python3 cc awk; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y python3 gcc)"
done
case "$BENCH_SECONDS" in ''|*[!0-9]*) die "BENCH_SECONDS must be a whole number";; esac

WORK="${BENCH_WORKDIR:-$(mktemp -d /tmp/carephone-bench-media.XXXXXX)}"
mkdir -p "$WORK" || die "cannot create $WORK"
. "$BENCH_DIR/lib/common.sh"

cc -O2 -Wall -o "$WORK/rtpload" "$BENCH_DIR/media/rtpload.c" -lm || die "cannot compile media/rtpload.c"
if [ -z "$CAREPHONE_BIN" ]; then
    say "swift build -c release --product carephone (log $WORK/build.log)"
    (cd "$REPO_DIR" && swift build -c release --product carephone) >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; die "build failed"; }
    CAREPHONE_BIN="$(cd "$REPO_DIR" && swift build -c release --show-bin-path)/carephone"
fi

data="$WORK/data"
mkdir -p "$data/dialplans"
sport="$(free_port)"; hport="$(free_port)"; uas_port="$(free_port "$HOST")"
rtp_first=$(( 20000 + (RANDOM % 100) * 100 ))
cat >"$WORK/config.json" <<JSON
{"log_level": "warning", "dialplan_folder": "$data/dialplans",
 "media": {"anchor": "always", "rtp_ports": "$rtp_first-$(( rtp_first + 9999 ))"},
 "trunks": [
  {"name": "bench-uas", "host": "$HOST", "port": $uas_port, "transport": "udp"},
  {"name": "bench-uac", "host": "$UAC_HOST", "inbound_sources": ["$UAC_HOST"], "inbound_context": "bench"}
]}
JSON
cat >"$data/dialplans/bench.dialplan" <<'PLAN'
context bench {
  match X. { trunk bench-uas for 30s }
}
context internal {
  match X. { hangup forbidden }
}
PLAN
"$CAREPHONE_BIN" serve --demo --data "$data" --config "$WORK/config.json" --bind "$HOST" --sip-port "$sport" --http-port "$hport" \
    >"$WORK/serve.log" 2>&1 &
pid=$!
STARTED_PIDS+=("$pid")
python3 "$BENCH_DIR/sip_ping.py" "$HOST" "$sport" --timeout 10 >/dev/null || { tail -5 "$WORK/serve.log"; die "the server did not answer OPTIONS"; }
say "carephone pid $pid, SIP $HOST:$sport, RTP ports $rtp_first-$(( rtp_first + 9999 )), VmRSS $(mb "$(kb_of "$pid" VmRSS)") MB"
say "rtp relay benchmark: ${BENCH_SECONDS}s of media per step, calls: $BENCH_CALLS"

printf "\n%6s %10s %9s %12s %12s %12s %12s %10s %8s\n" calls packets loss_% jitter_avg jitter_max delay_avg delay_max server_cpu rss_MB
base=40000
for n in $BENCH_CALLS; do
    line="$(python3 "$BENCH_DIR/media/media_calls.py" --server "$HOST:$sport" --uac-host "$UAC_HOST" --uas-host "$HOST" \
        --uas-port "$uas_port" --calls "$n" --seconds "$BENCH_SECONDS" --server-pid "$pid" --rtpload "$WORK/rtpload" \
        --work "$WORK" --rtp-base "$base")"
    case "$line" in
        setup_failed*) echo "$n calls: $line"; break;;
    esac
    val() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
    printf "%6s %10s %9s %9s ms %9s ms %9s ms %9s ms %9s%% %8s\n" "$n" "$(val received)/$(val sent)" "$(val loss_pct)" \
        "$(val jitter_mean_ms)" "$(val jitter_max_ms)" "$(val delay_mean_ms)" "$(val delay_max_ms)" "$(val server_cpu_pct)" "$(val server_rss_mb)"
    sleep 2
done
echo
say "VmRSS at the end $(mb "$(kb_of "$pid" VmRSS)") MB (VmHWM $(mb "$(kb_of "$pid" VmHWM)") MB)"
