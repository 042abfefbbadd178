#!/usr/bin/env bash
# Benchmarks/calls.sh: complete call setups per second, CarePhone (B2BUA) against Kamailio (proxy).
#
# For each server: a SIPp UAC (source address 127.0.0.2) places complete calls through the server
# to a SIPp UAS (127.0.0.1):
#   INVITE -> [100] 180 -> 200 -> ACK, hold BENCH_HOLD_MS, BYE -> 200
# at rising rates, BENCH_SECONDS per step, stopping at the first step not held. A step is held
# when SIPp reports 0 failed calls on both sides, every call completed at the UAC, and the achieved
# rate (successful calls / elapsed) is >= 97% of the target (SIPp silently falls below -r when it
# is short of CPU). No digest authentication: the benchmark source is trusted.
# Prints the highest held rate, the p99 call setup time (INVITE sent -> 200 received, from every
# sample of SIPp -trace_rtt) and the CarePhone/Kamailio ratio.
#
# Environment (all optional):
#   BENCH_SECONDS=30        seconds per rate step (use 3-5 for a smoke test)
#   BENCH_RATES="250 500 1000 1500 2000 2500 3000"   calls per second
#   BENCH_SERVERS="kamailio carephone"   which servers to run, in this order
#   BENCH_HOLD_MS=100       time between ACK and BYE (ms); concurrency is about rate x (hold + setup)
#   BENCH_NUMBER=5551234    the number called (SIPp -s)
#   BENCH_KEEP=0            1 keeps the work directory (logs, SIPp stats and rtt files)
#   BENCH_WORKDIR=          work directory (default: mktemp -d /tmp/carephone-bench-calls.XXXXXX)
#   CAREPHONE_BIN=.build/release/carephone   (relative to the repository root; built if missing)
#   CAREPHONE_BUILD_TIMEOUT=1800
#   KAMAILIO_CHILDREN=4     UDP worker processes
#   KAMAILIO_SHM_MB=1024
#   SIPP_BUFF_SIZE=4194304  SIPp socket buffer
#
# Everything runs on 127.0.0.0/8 on free ports; every process started here is stopped by PID.

set -u -o pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

# ---------------------------------------------------------------------------------------------
# CarePhone invocation and configuration (the call routing contract: adjust here if it changes).
#   carephone_config DATA_DIR UAS_PORT CONFIG_FILE  writes the config and the bench dial plan
#   carephone_serve DATA_DIR CONFIG_FILE SIP_PORT HTTP_PORT   (must exec so $! is the server)
carephone_config() {
    local data="$1" uas_port="$2" cfg="$3"
    mkdir -p "$data/dialplans"
    cat >"$cfg" <<EOF
{"log_level": "warning", "dialplan_folder": "$data/dialplans", "trunks": [
  {"name": "bench-uas", "host": "$UAS_HOST", "port": $uas_port, "transport": "udp"},
  {"name": "bench-uac", "host": "$UAC_HOST", "inbound_sources": ["$UAC_HOST"], "inbound_context": "bench"}
]}
EOF
    cat >"$data/dialplans/bench.dialplan" <<'EOF'
context bench {
  match X. { trunk bench-uas for 30s }
}
# Phones of the organisation start here; the server requires the context (none call in the benchmark).
context internal {
  match X. { hangup forbidden }
}
EOF
}
carephone_serve() {
    # --demo: calls in from a trunk belong to an organisation, and a fresh data folder has none.
    exec "$CAREPHONE_BIN" serve --demo --data "$1" --config "$2" --bind "$HOST" --sip-port "$3" --http-port "$4"
}
# ---------------------------------------------------------------------------------------------

HOST="127.0.0.1"                       # the server under test listens here
UAS_HOST="127.0.0.1"                   # SIPp UAS (the callee)
UAC_HOST="127.0.0.2"                   # SIPp UAC (the caller): CarePhone's trusted inbound source
BENCH_SECONDS="${BENCH_SECONDS:-30}"
BENCH_RATES="${BENCH_RATES:-250 500 1000 1500 2000 2500 3000}"
BENCH_SERVERS="${BENCH_SERVERS:-kamailio carephone}"
BENCH_HOLD_MS="${BENCH_HOLD_MS:-100}"
BENCH_NUMBER="${BENCH_NUMBER:-5551234}"
BENCH_KEEP="${BENCH_KEEP:-0}"
CAREPHONE_BIN="${CAREPHONE_BIN:-.build/release/carephone}"
SIPP_BUFF_SIZE="${SIPP_BUFF_SIZE:-4194304}"   # SIPp socket buffer; its 64 KB default drops replies
KAMAILIO_CHILDREN="${KAMAILIO_CHILDREN:-4}"
KAMAILIO_SHM_MB="${KAMAILIO_SHM_MB:-1024}"
CAREPHONE_BUILD_TIMEOUT="${CAREPHONE_BUILD_TIMEOUT:-1800}"
HELD_FRACTION_PCT=97                   # achieved must be >= this % of the target rate
READY_TIMEOUT=10                       # seconds for a server to answer OPTIONS
UAC_SCENARIO="$BENCH_DIR/sipp/call_uac.xml"
UAS_SCENARIO="$BENCH_DIR/sipp/call_uas.xml"
KAM_TEMPLATE="$BENCH_DIR/kamailio/proxy.cfg"
CLK_TCK="$(getconf CLK_TCK)"

die() { echo "calls.sh: $*" >&2; exit 2; }
say() { echo "[$(date +%H:%M:%S)] $*"; }

for tool in sipp python3 awk sort; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y sip-tester python3)"
done
for v in BENCH_SECONDS BENCH_HOLD_MS; do
    case "${!v}" in ''|*[!0-9]*) die "$v must be a non-negative integer";; esac
done
[ "$BENCH_SECONDS" -ge 1 ] || die "BENCH_SECONDS must be >= 1"
case "$CAREPHONE_BIN" in /*) ;; *) CAREPHONE_BIN="$REPO_DIR/$CAREPHONE_BIN";; esac

WORK="${BENCH_WORKDIR:-$(mktemp -d /tmp/carephone-bench-calls.XXXXXX)}"
mkdir -p "$WORK" || die "cannot create $WORK"

# Process bookkeeping (everything started is stopped by PID), free ports, CPU counters.
. "$BENCH_DIR/lib/common.sh"
udp_drops() {  # udp_drops ADDR PORT -> kernel drop counter summed over the UDP sockets bound to ADDR:PORT
    awk -v a="$(printf '%02X' $(echo "$1" | tr '.' ' ' | awk '{print $4, $3, $2, $1}') | tr -d ' ')" \
        -v p="$(printf '%04X' "$2")" \
        'NR > 1 { split($2, x, ":"); if (x[1] == a && x[2] == p) d += $NF } END { print d + 0 }' \
        /proc/net/udp 2>/dev/null || echo 0
}

# stat_last FILE -> "successful failed retransmissions elapsed" from the last row of a SIPp -trace_stat file
stat_last() {
    [ -s "$1" ] || { echo "0 0 0 0"; return; }
    awk -F';' '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        { last = $0 }
        END {
            if (last == "") { print "0 0 0 0"; exit }
            split(last, f, ";")
            split(f[h["StartTime"]], s, "\t"); split(f[h["CurrentTime"]], c, "\t")
            printf "%d %d %d %.3f\n", f[h["SuccessfulCall(C)"]], f[h["FailedCall(C)"]],
                f[h["Retransmissions(C)"]], c[3] - s[3]
        }' "$1"
}

# ---- one step: SIPp UAS, then SIPp UAC -------------------------------------------------------
# run_step DIR SERVER_PORT UAS_PORT RATE CALLS
# Sets: R_SUCC R_FAIL R_RETR R_ELAPSED R_ACHIEVED R_UAS_SUCC R_UAS_FAIL R_UAC_CPU R_UAS_CPU
#       R_P50 R_P99 R_DROPS
run_step() {
    local dir="$1" port="$2" uas_port="$3" rate="$4" calls="$5"
    local limit=$(( calls / rate + 60 )) start now uac uas lport lim t uac_ticks=0 uas_ticks=0
    local d0 d1 uac_drops=0 uas_drops=0 i
    mkdir -p "$dir"
    lport="$(free_port "$UAC_HOST")"
    lim=$(( rate * 2 )); [ "$lim" -lt 1000 ] && lim=1000
    d0="$(udp_drops "$HOST" "$port")"
    # UAS first: it answers exactly CALLS calls and exits (stopped by PID if some never came).
    ( cd "$dir" && exec sipp -sf "$UAS_SCENARIO" -i "$UAS_HOST" -p "$uas_port" -t u1 -m "$calls" \
        -buff_size "$SIPP_BUFF_SIZE" -nostdin -trace_stat -stf uas_stat.csv -fd 1 \
        -trace_err -error_file uas_errors.log >uas_screen.log 2>uas_stderr.log ) &
    uas=$!
    STARTED_PIDS+=("$uas")
    for i in $(seq 1 30); do   # until the UAS socket is bound (up to 3 s)
        awk -v p="$(printf ':%04X' "$uas_port")" 'NR > 1 && index($2, p) { f = 1 } END { exit !f }' /proc/net/udp && break
        sleep 0.1
    done
    start=$(date +%s)
    ( cd "$dir" && exec sipp -sf "$UAC_SCENARIO" -s "$BENCH_NUMBER" \
        -i "$UAC_HOST" -p "$lport" -t u1 -r "$rate" -m "$calls" -l "$lim" -d "$BENCH_HOLD_MS" \
        -buff_size "$SIPP_BUFF_SIZE" -recv_timeout 10000 -max_retrans 5 -nostdin \
        -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1 \
        -trace_err -error_file errors.log \
        "$HOST:$port" >screen.log 2>stderr.log ) &
    uac=$!
    STARTED_PIDS+=("$uac")
    while kill -0 "$uac" 2>/dev/null; do
        t="$(cpu_ticks "$uac")"; [ "$t" -gt 0 ] && uac_ticks="$t"
        t="$(cpu_ticks "$uas")"; [ "$t" -gt 0 ] && uas_ticks="$t"
        t="$(udp_drops "$UAC_HOST" "$lport")"; [ "$t" -gt 0 ] && uac_drops="$t"
        t="$(udp_drops "$UAS_HOST" "$uas_port")"; [ "$t" -gt 0 ] && uas_drops="$t"
        now=$(date +%s)
        if [ $(( now - start )) -gt "$limit" ]; then
            echo "  sipp UAC still running after ${limit}s: stopping it" >&2
            stop_pid "$uac"
            break
        fi
        sleep 0.5
    done
    wait "$uac" 2>/dev/null
    forget_pid "$uac"
    # The UAS ends by itself once it has answered the last BYE; give it 3 s.
    for i in $(seq 1 30); do
        kill -0 "$uas" 2>/dev/null || break
        t="$(cpu_ticks "$uas")"; [ "$t" -gt 0 ] && uas_ticks="$t"
        sleep 0.1
    done
    stop_pid "$uas"; forget_pid "$uas"
    d1="$(udp_drops "$HOST" "$port")"
    R_DROPS="$(( d1 - d0 ))/$uac_drops/$uas_drops"

    read -r R_SUCC R_FAIL R_RETR R_ELAPSED < <(stat_last "$dir/stat.csv")
    read -r R_UAS_SUCC R_UAS_FAIL _ _ < <(stat_last "$dir/uas_stat.csv")
    R_ACHIEVED="$(awk -v s="$R_SUCC" -v e="$R_ELAPSED" 'BEGIN{ if (e > 0) printf "%.0f", s/e; else print 0 }')"
    R_UAC_CPU="$(awk -v t="$uac_ticks" -v hz="$CLK_TCK" -v e="$R_ELAPSED" 'BEGIN{ if (e > 0) printf "%.0f", 100*t/hz/e; else print 0 }')"
    R_UAS_CPU="$(awk -v t="$uas_ticks" -v hz="$CLK_TCK" -v e="$R_ELAPSED" 'BEGIN{ if (e > 0) printf "%.0f", 100*t/hz/e; else print 0 }')"
    # Percentiles over every sample (SIPp measures in whole milliseconds).
    local rtt
    rtt="$(ls "$dir"/*_rtt.csv 2>/dev/null | head -1)"
    R_P50="-" R_P99="-"
    if [ -n "$rtt" ]; then
        R_P50="$(pctl "$rtt" setup 50)"
        R_P99="$(pctl "$rtt" setup 99)"
    fi
}

# ---- one server's benchmark -----------------------------------------------------------------
# bench_server NAME SERVER_PORT UAS_PORT SERVER_PID  -> sets RES_*[NAME] and prints the step table
declare -A RES_RATE RES_P99 RES_P50 RES_CPU RES_NOTE RES_CLEAN RES_FIRST_FAIL
bench_server() {
    local name="$1" port="$2" uas_port="$3" spid="$4" rate calls held last_held=0 t0 t1 b0 b1 w0 w1 srv_cpu other_cpu dir
    local last_p99="-" last_p50="-" last_cpu="-" last_clean=0 last_clean_p99="-" clean_broken=no
    RES_FIRST_FAIL[$name]=""
    printf '  %-10s %6s %8s %7s %11s %7s %13s %5s %5s %6s %6s %6s %8s  %s\n' server target achieved ok \
        "failed c/s" retrans "drops srv/c/s" p50 p99 srvCPU uacCPU uasCPU otherCPU verdict
    for rate in $BENCH_RATES; do
        if ! kill -0 "$spid" 2>/dev/null; then
            RES_NOTE[$name]="server process $spid exited during the run"
            say "$name: ${RES_NOTE[$name]}"
            break
        fi
        calls=$(( rate * BENCH_SECONDS ))
        dir="$WORK/$name/r$rate"
        t0="$(cpu_ticks $(proc_tree "$spid"))" b0="$(busy_ticks)" w0="$(now_s)"
        run_step "$dir" "$port" "$uas_port" "$rate" "$calls"
        t1="$(cpu_ticks $(proc_tree "$spid"))" b1="$(busy_ticks)" w1="$(now_s)"
        # CPU in % of one core over the step: server processes, and everything else on the
        # machine except the server and the two SIPp (other load skews results on a small machine).
        srv_cpu="$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v w0="$w0" -v w1="$w1" 'BEGIN{ printf "%.0f", 100*(b-a)/hz/(w1-w0) }')"
        other_cpu="$(awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" -v w0="$w0" -v w1="$w1" -v s="$srv_cpu" \
            -v c="$R_UAC_CPU" -v u="$R_UAS_CPU" \
            'BEGIN{ o = 100*(b-a)/hz/(w1-w0) - s - c - u; if (o < 0) o = 0; printf "%.0f", o }')"
        held=no
        if [ "$R_FAIL" -eq 0 ] && [ "$R_UAS_FAIL" -eq 0 ] && [ "$R_SUCC" -eq "$calls" ] && \
           [ $(( R_ACHIEVED * 100 )) -ge $(( rate * HELD_FRACTION_PCT )) ]; then
            held=yes
        fi
        printf '  %-10s %6s %8s %7s %11s %7s %13s %5s %5s %5s%% %5s%% %5s%% %7s%%  %s\n' "$name" "$rate" "$R_ACHIEVED" \
            "$R_SUCC" "$R_FAIL/$R_UAS_FAIL" "$R_RETR" "$R_DROPS" "$R_P50" "$R_P99" "$srv_cpu" "$R_UAC_CPU" "$R_UAS_CPU" \
            "$other_cpu" "$([ $held = yes ] && echo held || echo NOT-HELD)"
        if [ $held = yes ]; then
            last_held="$rate" last_p99="$R_P99" last_p50="$R_P50" last_cpu="$srv_cpu"
            if [ "$R_RETR" -eq 0 ] && [ "$clean_broken" = no ]; then
                last_clean="$rate" last_clean_p99="$R_P99"
            else
                clean_broken=yes
            fi
        else
            RES_FIRST_FAIL[$name]="$rate/s: $R_ACHIEVED achieved, $R_SUCC of $calls ok, $R_FAIL failed at the UAC, $R_UAS_FAIL at the UAS (see $dir)"
            break
        fi
        sleep 2
    done
    RES_RATE[$name]="$last_held"
    RES_P99[$name]="$last_p99"
    RES_P50[$name]="$last_p50"
    RES_CPU[$name]="$last_cpu"
    RES_CLEAN[$name]="$last_clean (p99 $last_clean_p99 ms)"
    return 0
}

# ---- Kamailio -------------------------------------------------------------------------------
run_kamailio() {
    local port uas_port pid cfg ctl
    command -v kamailio >/dev/null || {
        RES_NOTE[kamailio]="kamailio not installed (apt-get install -y kamailio)"
        say "kamailio: skipped: ${RES_NOTE[kamailio]}"; return 0; }
    port="$(free_port)"; uas_port="$(free_port "$UAS_HOST")"
    ctl="$WORK/kamailio/ctl.sock"
    mkdir -p "$WORK/kamailio"
    cfg="$WORK/kamailio/proxy.cfg"
    sed -e "s|@PORT@|$port|g" -e "s|@UAS_PORT@|$uas_port|g" -e "s|@CHILDREN@|$KAMAILIO_CHILDREN|g" \
        -e "s|@CTL_SOCK@|$ctl|g" "$KAM_TEMPLATE" >"$cfg"
    kamailio -c -f "$cfg" >"$WORK/kamailio/check.log" 2>&1 || {
        RES_NOTE[kamailio]="config check failed (see $WORK/kamailio/check.log)"
        say "kamailio: ${RES_NOTE[kamailio]}"; tail -5 "$WORK/kamailio/check.log"; return 0; }
    kamailio -f "$cfg" -DD -E -m "$KAMAILIO_SHM_MB" >"$WORK/kamailio/kamailio.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    say "kamailio $(kamailio -v 2>/dev/null | awk 'NR==1{print $3}'): pid $pid, udp $HOST:$port -> UAS $UAS_HOST:$uas_port, children $KAMAILIO_CHILDREN, -m $KAMAILIO_SHM_MB"
    if ! python3 "$BENCH_DIR/sip_ping.py" "$HOST" "$port" --timeout "$READY_TIMEOUT" >/dev/null; then
        RES_NOTE[kamailio]="did not answer OPTIONS within ${READY_TIMEOUT}s (see $WORK/kamailio/kamailio.log)"
        say "kamailio: ${RES_NOTE[kamailio]}"; tail -5 "$WORK/kamailio/kamailio.log"
        stop_pid "$pid"; forget_pid "$pid"; return 0
    fi
    bench_server kamailio "$port" "$uas_port" "$pid"
    if command -v kamcmd >/dev/null; then
        say "kamailio: tm at the end: $(kamcmd -s "unix:$ctl" tm.stats 2>/dev/null | tr -s ' \n' ' ')"
    fi
    stop_pid "$pid"; forget_pid "$pid"
}

# ---- CarePhone ------------------------------------------------------------------------------
run_carephone() {
    local sport hport uas_port pid data cfg bin_dir
    if [ ! -x "$CAREPHONE_BIN" ] && [ "$CAREPHONE_BIN" = "$REPO_DIR/.build/release/carephone" ]; then
        if ! command -v swift >/dev/null; then
            RES_NOTE[carephone]="swift not found and $CAREPHONE_BIN does not exist"
            say "carephone: skipped: ${RES_NOTE[carephone]}"; return 0
        fi
        say "carephone: swift build -c release (in $REPO_DIR; log $WORK/carephone-build.log)"
        if ! (cd "$REPO_DIR" && timeout "$CAREPHONE_BUILD_TIMEOUT" swift build -c release) \
                >"$WORK/carephone-build.log" 2>&1; then
            RES_NOTE[carephone]="swift build -c release failed (see $WORK/carephone-build.log)"
            say "carephone: skipped: ${RES_NOTE[carephone]}"; tail -5 "$WORK/carephone-build.log"; return 0
        fi
        bin_dir="$(cd "$REPO_DIR" && swift build -c release --show-bin-path 2>/dev/null)"
        CAREPHONE_BIN="$bin_dir/carephone"
    fi
    if [ ! -x "$CAREPHONE_BIN" ]; then
        RES_NOTE[carephone]="binary $CAREPHONE_BIN does not exist"
        say "carephone: skipped: ${RES_NOTE[carephone]}"; return 0
    fi
    mkdir -p "$WORK/carephone"
    data="$WORK/carephone/data"
    cfg="$WORK/carephone/config.json"
    sport="$(free_port)"; hport="$(free_port)"; uas_port="$(free_port "$UAS_HOST")"
    carephone_config "$data" "$uas_port" "$cfg"
    carephone_serve "$data" "$cfg" "$sport" "$hport" >"$WORK/carephone/serve.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    say "carephone: pid $pid, sip udp $HOST:$sport -> trunk bench-uas $UAS_HOST:$uas_port, http $hport, config $cfg"
    if ! python3 "$BENCH_DIR/sip_ping.py" "$HOST" "$sport" --timeout "$READY_TIMEOUT" >/dev/null; then
        if kill -0 "$pid" 2>/dev/null; then
            RES_NOTE[carephone]="did not answer OPTIONS within ${READY_TIMEOUT}s"
        else
            wait "$pid" 2>/dev/null
            RES_NOTE[carephone]="carephone serve exited (status $?) without answering OPTIONS"
        fi
        RES_NOTE[carephone]+=" (see $WORK/carephone/serve.log)"
        say "carephone: skipped: ${RES_NOTE[carephone]}"; tail -5 "$WORK/carephone/serve.log"
        stop_pid "$pid"; forget_pid "$pid"; return 0
    fi
    say "carephone: VmRSS at start $(mb "$(kb_of "$pid" VmRSS)") MB"
    bench_server carephone "$sport" "$uas_port" "$pid"
    say "carephone: VmRSS at the end $(mb "$(kb_of "$pid" VmRSS)") MB (VmHWM $(mb "$(kb_of "$pid" VmHWM)") MB)"
    stop_pid "$pid"; forget_pid "$pid"
}

# ---- main -----------------------------------------------------------------------------------
say "call setup benchmark: ${BENCH_SECONDS}s steps, hold ${BENCH_HOLD_MS} ms, rates: $BENCH_RATES"
say "work directory: $WORK"
say "host: $(nproc) CPUs, $(awk '/model name/{sub(/^[^:]*: /,""); print; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "sipp $(sipp -v 2>&1 | awk '/SIPp v/{print $2; exit}'): UAC $UAC_HOST -> server $HOST -> UAS $UAS_HOST"
for server in $BENCH_SERVERS; do
    case "$server" in
        kamailio) run_kamailio ;;
        carephone) run_carephone ;;
        *) die "unknown server '$server' in BENCH_SERVERS" ;;
    esac
done

echo
echo "== Complete calls: highest rate held for ${BENCH_SECONDS}s with 0 failures (achieved >= ${HELD_FRACTION_PCT}% of target)"
echo "   a call = INVITE/180/200, ACK, ${BENCH_HOLD_MS} ms, BYE/200 (UAC $UAC_HOST -> server -> UAS $UAS_HOST)"
echo "   setup time = INVITE sent -> 200 received at the UAC, every sample of SIPp -trace_rtt, whole ms;"
echo "   SIPp's clock advances in kernel-tick steps (4 ms here), so 0 means below one step"
echo "   (step tables above: times in ms; failed c/s = failed calls at the UAC / at the UAS;"
echo "    drops srv/c/s = kernel UDP receive-buffer drops at the server / UAC / UAS;"
echo "    CPU in % of one core: server, SIPp UAC, SIPp UAS, and all other processes during the step)"
printf '%-10s %12s %10s %10s %10s  %s\n' server "max calls/s" "p50 setup" "p99 setup" "server CPU" "first step not held"
for server in $BENCH_SERVERS; do
    if [ -n "${RES_RATE[$server]:-}" ]; then
        printf '%-10s %12s %7s ms %7s ms %9s%%  %s\n' "$server" "${RES_RATE[$server]}" "${RES_P50[$server]:--}" \
            "${RES_P99[$server]:--}" "${RES_CPU[$server]:--}" "${RES_FIRST_FAIL[$server]:-none (all steps held)}"
        printf '%-10s highest rate held with no retransmission at all up to it: %s\n' "" "${RES_CLEAN[$server]:--}"
        [ -n "${RES_NOTE[$server]:-}" ] && printf '%-10s note: %s\n' "" "${RES_NOTE[$server]}"
    else
        printf '%-10s skipped: %s\n' "$server" "${RES_NOTE[$server]:-not run}"
    fi
done
k="${RES_RATE[kamailio]:-}" c="${RES_RATE[carephone]:-}"
if [ -n "$k" ] && [ -n "$c" ] && [ "$k" -gt 0 ]; then
    echo "ratio CarePhone/Kamailio (max held rate): $(awk -v c="$c" -v k="$k" 'BEGIN{printf "%.2f", c/k}')"
else
    echo "ratio CarePhone/Kamailio (max held rate): n/a (both servers must complete)"
fi
exit 0
