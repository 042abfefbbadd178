#!/usr/bin/env bash
# Benchmarks/register.sh: SIP digest REGISTER throughput, CarePhone against Kamailio.
#
# For each server: start it on free loopback ports with the same 10,000 users (10000-19999),
# register all 10,000 (Expires 3600) and read its memory, then run SIPp digest REGISTER
# (REGISTER -> 401 -> REGISTER+Authorization -> 200) at rising rates, BENCH_SECONDS per step,
# stopping at the first step not held. A step is held when SIPp reports 0 failed calls, every
# call completed, and the achieved rate (successful calls / elapsed) is >= 97% of the target
# (SIPp silently falls below -r when it is short of CPU).
# Prints the highest held rate, its p99 response times and the CarePhone/Kamailio ratio.
#
# Environment (all optional):
#   BENCH_SECONDS=30        seconds per rate step (use 3-5 for a smoke test)
#   BENCH_RATES="500 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000 12000 14000 16000"
#   BENCH_SERVERS="kamailio carephone"   which servers to run, in this order
#   BENCH_USERS=10000       number of users (extensions 10000 ...)
#   BENCH_BIND_RATE=1000    rate of the initial 10,000 registrations
#   BENCH_KEEP=0            1 keeps the work directory (logs, SIPp stats and rtt files)
#   BENCH_WORKDIR=          work directory (default: mktemp -d /tmp/carephone-bench-register.XXXXXX)
#   CAREPHONE_BIN=          prebuilt carephone binary (default: swift build -c release here)
#   CAREPHONE_BUILD_TIMEOUT=1800
#   KAMAILIO_CHILDREN=4     UDP worker processes
#   KAMAILIO_SHM_MB=1024
#
# Everything runs on 127.0.0.1 on free ports; every process started here is stopped by PID.

set -u -o pipefail

# ---------------------------------------------------------------------------------------------
# CarePhone invocations (flag names may still change: adjust here).
#   $1 = users CSV, $2 = data directory            (import)
#   $1 = data directory, $2 = SIP port, $3 = HTTP port   (serve; must exec so $! is the server)
carephone_import() {
    "$CAREPHONE_BIN" users import "$1" --data "$2" --domain "$DOMAIN"
}
carephone_serve() {
    exec "$CAREPHONE_BIN" serve --data "$1" --bind 127.0.0.1 --sip-port "$2" --http-port "$3"
}
# ---------------------------------------------------------------------------------------------

DOMAIN="bench.carephone.test"          # SIP domain and digest realm for both servers
HOST="127.0.0.1"
BENCH_SECONDS="${BENCH_SECONDS:-30}"
BENCH_RATES="${BENCH_RATES:-500 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000 12000 14000 16000}"
BENCH_SERVERS="${BENCH_SERVERS:-kamailio carephone}"
BENCH_USERS="${BENCH_USERS:-10000}"
BENCH_BIND_RATE="${BENCH_BIND_RATE:-1000}"
BENCH_KEEP="${BENCH_KEEP:-0}"
SIPP_BUFF_SIZE="${SIPP_BUFF_SIZE:-4194304}"   # SIPp socket buffer; its 64 KB default drops replies
KAMAILIO_CHILDREN="${KAMAILIO_CHILDREN:-4}"
KAMAILIO_SHM_MB="${KAMAILIO_SHM_MB:-1024}"
CAREPHONE_BUILD_TIMEOUT="${CAREPHONE_BUILD_TIMEOUT:-1800}"
HELD_FRACTION_PCT=97                   # achieved must be >= this % of the target rate
READY_TIMEOUT=10                       # seconds for a server to answer OPTIONS
FIRST_USER=10000

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SCENARIO="$BENCH_DIR/sipp/register_auth.xml"
KAM_TEMPLATE="$BENCH_DIR/kamailio/registrar.cfg"
CLK_TCK="$(getconf CLK_TCK)"

die() { echo "register.sh: $*" >&2; exit 2; }
say() { echo "[$(date +%H:%M:%S)] $*"; }

for tool in sipp python3 awk sort; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y sip-tester python3)"
done
case "$BENCH_SECONDS" in ''|*[!0-9]*) die "BENCH_SECONDS must be a positive integer";; esac
[ "$BENCH_SECONDS" -ge 1 ] || die "BENCH_SECONDS must be >= 1"

WORK="${BENCH_WORKDIR:-$(mktemp -d /tmp/carephone-bench-register.XXXXXX)}"
mkdir -p "$WORK" || die "cannot create $WORK"

# Process bookkeeping (everything started is stopped by PID), free ports, CPU counters.
. "$BENCH_DIR/lib/common.sh"
udp_drops() {  # udp_drops PORT -> kernel drop counter summed over the UDP sockets bound to PORT
    awk -v p="$(printf '%04X' "$1")" 'NR > 1 { split($2, a, ":"); if (a[2] == p) d += $NF } END { print d + 0 }' \
        /proc/net/udp 2>/dev/null || echo 0
}

# ---- users ----------------------------------------------------------------------------------
say "work directory: $WORK"
say "generating $BENCH_USERS users ($FIRST_USER...) for domain $DOMAIN"
python3 "$BENCH_DIR/gen_users.py" --first "$FIRST_USER" --count "$BENCH_USERS" --domain "$DOMAIN" \
    --carephone-csv "$WORK/users.csv" --sipp-csv "$WORK/sipp_users.csv" \
    --kamailio-db "$WORK/kamailio.sqlite" || die "gen_users.py failed"

# ---- SIPp -----------------------------------------------------------------------------------
# run_sipp DIR TARGET_PORT LOCAL_PORT RATE CALLS
# Sets: R_SUCC R_FAIL R_RETR R_ELAPSED R_ACHIEVED R_SIPP_CPU R_P99_FULL R_P99_AUTH R_P50_FULL R_RC
run_sipp() {
    local dir="$1" port="$2" lport="$3" rate="$4" calls="$5"
    local limit=$(( calls / rate + 60 )) start now pid ticks=0 t lim sdrops=0 d0 d1
    mkdir -p "$dir"
    lim=$(( rate * 2 )); [ "$lim" -lt 1000 ] && lim=1000
    start=$(date +%s)
    d0="$(udp_drops "$port")"
    ( cd "$dir" && exec sipp -sf "$SCENARIO" -inf "$WORK/sipp_users.csv" \
        -key expires 3600 -auth_uri "$DOMAIN" \
        -i "$HOST" -p "$lport" -t u1 -r "$rate" -m "$calls" -l "$lim" \
        -buff_size "$SIPP_BUFF_SIZE" -recv_timeout 10000 -max_retrans 5 -nostdin \
        -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1 \
        -trace_err -error_file errors.log \
        "$HOST:$port" >screen.log 2>stderr.log ) &
    pid=$!
    STARTED_PIDS+=("$pid")
    while kill -0 "$pid" 2>/dev/null; do
        t="$(cpu_ticks "$pid")"; [ "$t" -gt 0 ] && ticks="$t"
        t="$(udp_drops "$lport")"; [ "$t" -gt 0 ] && sdrops="$t"
        now=$(date +%s)
        if [ $(( now - start )) -gt "$limit" ]; then
            echo "  sipp still running after ${limit}s: stopping it" >&2
            stop_pid "$pid"
            break
        fi
        sleep 0.5
    done
    wait "$pid" 2>/dev/null; R_RC=$?
    forget_pid "$pid"
    d1="$(udp_drops "$port")"
    R_DROPS="$(( d1 - d0 ))/$sdrops"

    R_SUCC=0 R_FAIL=0 R_RETR=0 R_ELAPSED=0 R_ACHIEVED=0
    if [ -s "$dir/stat.csv" ]; then
        read -r R_SUCC R_FAIL R_RETR R_ELAPSED < <(awk -F';' '
            NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
            { last = $0 }
            END {
                n = split(last, f, ";")
                split(f[h["StartTime"]], s, "\t"); split(f[h["CurrentTime"]], c, "\t")
                printf "%d %d %d %.3f\n", f[h["SuccessfulCall(C)"]], f[h["FailedCall(C)"]],
                    f[h["Retransmissions(C)"]], c[3] - s[3]
            }' "$dir/stat.csv")
    fi
    R_ACHIEVED="$(awk -v s="$R_SUCC" -v e="$R_ELAPSED" 'BEGIN{ if (e > 0) printf "%.0f", s/e; else print 0 }')"
    R_SIPP_CPU="$(awk -v t="$ticks" -v hz="$CLK_TCK" -v e="$R_ELAPSED" 'BEGIN{ if (e > 0) printf "%.0f", 100*t/hz/e; else print 0 }')"
    # Percentiles over every sample (SIPp measures in whole milliseconds).
    local rtt
    rtt="$(ls "$dir"/*_rtt.csv 2>/dev/null | head -1)"
    R_P99_FULL="-" R_P99_AUTH="-" R_P50_FULL="-"
    if [ -n "$rtt" ]; then
        R_P50_FULL="$(pctl "$rtt" full 50)"
        R_P99_FULL="$(pctl "$rtt" full 99)"
        R_P99_AUTH="$(pctl "$rtt" auth 99)"
    fi
}

# ---- one server's benchmark -----------------------------------------------------------------
# bench_server NAME TARGET_PORT SERVER_PID  -> sets RES_<name>_* and prints the step table
declare -A RES_RATE RES_P99F RES_P99A RES_MEM RES_NOTE RES_CLEAN
bench_server() {
    local name="$1" port="$2" spid="$3" lport rate calls held last_held=0 t0 t1 b0 b1 w0 w1 srv_cpu other_cpu dir
    local last_p99f="-" last_p99a="-" last_clean=0 last_clean_p99="-" clean_broken=no
    RTT_STEP_MS="${RTT_STEP_MS:-}"
    lport="$(free_port)"
    say "$name: registering $BENCH_USERS users at ${BENCH_BIND_RATE}/s (Expires 3600)"
    run_sipp "$WORK/$name/bindings" "$port" "$lport" "$BENCH_BIND_RATE" "$BENCH_USERS"
    say "$name: bindings run: $R_SUCC ok, $R_FAIL failed, $R_RETR retransmissions, p99 ${R_P99_FULL} ms"
    RTT_STEP_MS="$(cat "$WORK/$name/bindings"/*_rtt.csv 2>/dev/null |
        awk -F';' 'NR > 1 && $2 + 0 > 0 && (m == "" || $2 + 0 < m) { m = $2 + 0 } END { if (m != "") printf "%.0f", m }')"
    if [ "$R_SUCC" -ne "$BENCH_USERS" ] || [ "$R_FAIL" -ne 0 ]; then
        RES_NOTE[$name]="initial registration of $BENCH_USERS users failed ($R_SUCC ok, $R_FAIL failed; see $WORK/$name/bindings)"
        say "$name: ${RES_NOTE[$name]}"
        RES_RATE[$name]=0
        return 1
    fi
    sleep 1
    say "$name: memory with $BENCH_USERS bindings, at once: $(mem_report "$name" "$spid")"
    # Steady state: SIP transactions of the registration burst live 32 s (Timer J, RFC 3261
    # §17.2.2) and hold their last response; measure again once they have ended.
    sleep "${BENCH_SETTLE_SECONDS:-40}"
    RES_MEM[$name]="$(mem_report "$name" "$spid")"
    say "$name: memory with $BENCH_USERS bindings, after ${BENCH_SETTLE_SECONDS:-40} s: ${RES_MEM[$name]}"

    printf '  %-10s %7s %8s %8s %6s %7s %11s %5s %5s %7s %6s %7s %8s  %s\n' server target achieved ok failed retrans \
        "drops s/c" "p50" "p99" "p99auth" "srvCPU" "sippCPU" "otherCPU" verdict
    for rate in $BENCH_RATES; do
        if ! kill -0 "$spid" 2>/dev/null; then
            RES_NOTE[$name]="server process $spid exited during the run"
            say "$name: ${RES_NOTE[$name]}"
            break
        fi
        calls=$(( rate * BENCH_SECONDS ))
        dir="$WORK/$name/r$rate"
        t0="$(cpu_ticks $(proc_tree "$spid"))" b0="$(busy_ticks)" w0="$(now_s)"
        run_sipp "$dir" "$port" "$lport" "$rate" "$calls"
        t1="$(cpu_ticks $(proc_tree "$spid"))" b1="$(busy_ticks)" w1="$(now_s)"
        # CPU in % of one core over the step: server processes, and everything else on the
        # machine except the server and SIPp (other load skews results on a small machine).
        srv_cpu="$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v w0="$w0" -v w1="$w1" 'BEGIN{ printf "%.0f", 100*(b-a)/hz/(w1-w0) }')"
        other_cpu="$(awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" -v w0="$w0" -v w1="$w1" -v s="$srv_cpu" -v c="$R_SIPP_CPU" \
            'BEGIN{ o = 100*(b-a)/hz/(w1-w0) - s - c; if (o < 0) o = 0; printf "%.0f", o }')"
        held=no
        if [ "$R_FAIL" -eq 0 ] && [ "$R_SUCC" -eq "$calls" ] && \
           [ $(( R_ACHIEVED * 100 )) -ge $(( rate * HELD_FRACTION_PCT )) ]; then
            held=yes
        fi
        printf '  %-10s %7s %8s %8s %6s %7s %11s %5s %5s %7s %5s%% %6s%% %7s%%  %s\n' "$name" "$rate" "$R_ACHIEVED" \
            "$R_SUCC" "$R_FAIL" "$R_RETR" "$R_DROPS" "$R_P50_FULL" "$R_P99_FULL" "$R_P99_AUTH" "$srv_cpu" "$R_SIPP_CPU" "$other_cpu" \
            "$([ $held = yes ] && echo held || echo NOT-HELD)"
        if [ $held = yes ]; then
            last_held="$rate" last_p99f="$R_P99_FULL" last_p99a="$R_P99_AUTH"
            if [ "$R_RETR" -eq 0 ] && [ "$clean_broken" = no ]; then
                last_clean="$rate" last_clean_p99="$R_P99_FULL"
            else
                clean_broken=yes
            fi
        else
            break
        fi
        sleep 2
    done
    RES_RATE[$name]="$last_held"
    RES_P99F[$name]="$last_p99f"
    RES_P99A[$name]="$last_p99a"
    RES_CLEAN[$name]="$last_clean (p99 full $last_clean_p99 ms)"
    return 0
}

mem_report() {  # mem_report NAME PID -> one line
    local name="$1" pid="$2" p rss_sum=0 pss_sum=0 n=0 v
    if [ "$name" = kamailio ]; then
        for p in $(proc_tree "$pid"); do
            v="$(kb_of "$p" VmRSS)"; [ -n "$v" ] && rss_sum=$((rss_sum + v)) && n=$((n + 1))
            v="$(awk '$1 == "Pss:" {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)"
            [ -n "$v" ] && pss_sum=$((pss_sum + v))
        done
        local shm pkg
        shm="$(kamcmd -s "unix:$KAM_CTL" core.shmmem 2>/dev/null | awk '$1 == "real_used:" {printf "%.1f", $2/1048576}')"
        pkg="$(kamcmd -s "unix:$KAM_CTL" pkg.stats 2>/dev/null | awk '$1 == "real_used:" {s += $2} END {printf "%.1f", s/1048576}')"
        v="$(kamcmd -s "unix:$KAM_CTL" stats.get_statistics location_contacts 2>/dev/null | awk -F' = ' 'NR == 1 {print $2}')"
        echo "usrloc contacts ${v:-?}; main VmRSS $(mb "$(kb_of "$pid" VmRSS)") MB; $n processes: sum VmRSS $(mb $rss_sum) MB, sum Pss $(mb $pss_sum) MB; shm real_used ${shm:-?} MB; pkg real_used (all processes) ${pkg:-?} MB"
    else
        echo "VmRSS $(mb "$(kb_of "$pid" VmRSS)") MB (RssAnon $(mb "$(kb_of "$pid" RssAnon)") MB, VmHWM $(mb "$(kb_of "$pid" VmHWM)") MB)"
    fi
}

# ---- Kamailio -------------------------------------------------------------------------------
run_kamailio() {
    local port pid cfg bound
    command -v kamailio >/dev/null && command -v kamcmd >/dev/null || {
        RES_NOTE[kamailio]="kamailio/kamcmd not installed (apt-get install -y kamailio kamailio-sqlite-modules)"
        say "kamailio: skipped: ${RES_NOTE[kamailio]}"; return 0; }
    port="$(free_port)"
    KAM_CTL="$WORK/kamailio/ctl.sock"
    mkdir -p "$WORK/kamailio"
    cfg="$WORK/kamailio/registrar.cfg"
    sed -e "s|@PORT@|$port|g" -e "s|@CHILDREN@|$KAMAILIO_CHILDREN|g" \
        -e "s|@DB_URL@|sqlite://$WORK/kamailio.sqlite|g" -e "s|@CTL_SOCK@|$KAM_CTL|g" \
        -e "s|@DOMAIN@|$DOMAIN|g" "$KAM_TEMPLATE" >"$cfg"
    kamailio -c -f "$cfg" >"$WORK/kamailio/check.log" 2>&1 || {
        RES_NOTE[kamailio]="config check failed (see $WORK/kamailio/check.log)"
        say "kamailio: ${RES_NOTE[kamailio]}"; tail -5 "$WORK/kamailio/check.log"; return 0; }
    kamailio -f "$cfg" -DD -E -m "$KAMAILIO_SHM_MB" >"$WORK/kamailio/kamailio.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    say "kamailio $(kamailio -v 2>/dev/null | awk 'NR==1{print $3}'): pid $pid, udp $HOST:$port, children $KAMAILIO_CHILDREN, -m $KAMAILIO_SHM_MB"
    if ! python3 "$BENCH_DIR/sip_ping.py" "$HOST" "$port" --timeout "$READY_TIMEOUT" >/dev/null; then
        RES_NOTE[kamailio]="did not answer OPTIONS within ${READY_TIMEOUT}s (see $WORK/kamailio/kamailio.log)"
        say "kamailio: ${RES_NOTE[kamailio]}"; tail -5 "$WORK/kamailio/kamailio.log"
        stop_pid "$pid"; forget_pid "$pid"; return 0
    fi
    say "kamailio: memory at start: $(mem_report kamailio "$pid")"
    bench_server kamailio "$port" "$pid"
    bound="$(kamcmd -s "unix:$KAM_CTL" stats.get_statistics location_contacts 2>/dev/null | awk -F' = ' 'NR == 1 {print $2}')"
    say "kamailio: usrloc contacts at the end: ${bound:-?}"
    stop_pid "$pid"; forget_pid "$pid"
}

# ---- CarePhone ------------------------------------------------------------------------------
run_carephone() {
    local sport hport pid data bin_dir
    if [ -z "${CAREPHONE_BIN:-}" ]; then
        if ! command -v swift >/dev/null; then
            RES_NOTE[carephone]="swift not found and CAREPHONE_BIN not set"
            say "carephone: skipped: ${RES_NOTE[carephone]}"; return 0
        fi
        say "carephone: swift build -c release (in $REPO_DIR; log $WORK/carephone-build.log)"
        mkdir -p "$WORK"
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
    data="$WORK/carephone/data"
    mkdir -p "$data"
    say "carephone: importing users: $CAREPHONE_BIN users import ... --data $data --domain $DOMAIN"
    if ! carephone_import "$WORK/users.csv" "$data" >"$WORK/carephone/import.log" 2>&1; then
        RES_NOTE[carephone]="users import failed (see $WORK/carephone/import.log)"
        say "carephone: skipped: ${RES_NOTE[carephone]}"; tail -5 "$WORK/carephone/import.log"; return 0
    fi
    sport="$(free_port)"; hport="$(free_port)"
    carephone_serve "$data" "$sport" "$hport" >"$WORK/carephone/serve.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    say "carephone: pid $pid, sip udp $HOST:$sport, http $hport"
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
    say "carephone: memory at start: $(mem_report carephone "$pid")"
    bench_server carephone "$sport" "$pid"
    stop_pid "$pid"; forget_pid "$pid"
}

# ---- main -----------------------------------------------------------------------------------
say "digest REGISTER benchmark: $BENCH_USERS users, ${BENCH_SECONDS}s steps, rates: $BENCH_RATES"
say "host: $(nproc) CPUs, $(awk '/model name/{sub(/^[^:]*: /,""); print; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "sipp $(sipp -v 2>&1 | awk '/SIPp v/{print $2; exit}')"
for server in $BENCH_SERVERS; do
    case "$server" in
        kamailio) run_kamailio ;;
        carephone) run_carephone ;;
        *) die "unknown server '$server' in BENCH_SERVERS" ;;
    esac
done

echo
echo "== Digest REGISTER: highest rate held for ${BENCH_SECONDS}s with 0 failures (achieved >= ${HELD_FRACTION_PCT}% of target)"
echo "   rate = registrations/s (each = REGISTER/401 + REGISTER/200)"
echo "   response times from SIPp -trace_rtt: whole ms, and SIPp's clock advances in steps of ${RTT_STEP_MS:-?} ms here"
echo "   (smallest non-zero sample seen), so 0 means below one step"
echo "   p99 full = first REGISTER sent -> 200 received; p99 auth = authenticated REGISTER -> 200"
echo "   (step tables above: times in ms; drops s/c = kernel UDP receive-buffer drops at the server / at SIPp;"
echo "    CPU in % of one core: server, SIPp, and all other processes on the machine during the step)"
printf '%-10s %12s %10s %10s  %s\n' server "max reg/s" "p99 full" "p99 auth" "memory after $BENCH_USERS bindings"
for server in $BENCH_SERVERS; do
    if [ -n "${RES_RATE[$server]:-}" ] && [ -n "${RES_MEM[$server]:-}" ]; then
        printf '%-10s %12s %7s ms %7s ms  %s\n' "$server" "${RES_RATE[$server]}" "${RES_P99F[$server]:--}" \
            "${RES_P99A[$server]:--}" "${RES_MEM[$server]}"
        printf '%-10s highest rate held with no retransmission at all up to it: %s\n' "" "${RES_CLEAN[$server]:--}"
        [ -n "${RES_NOTE[$server]:-}" ] && printf '%-10s note: %s\n' "" "${RES_NOTE[$server]}"
    else
        printf '%-10s skipped: %s\n' "$server" "${RES_NOTE[$server]:-not run}"
    fi
done
k="${RES_RATE[kamailio]:-}" c="${RES_RATE[carephone]:-}"
if [ -n "$k" ] && [ -n "$c" ] && [ -n "${RES_MEM[carephone]:-}" ] && [ "$k" -gt 0 ]; then
    echo "ratio CarePhone/Kamailio (max held rate): $(awk -v c="$c" -v k="$k" 'BEGIN{printf "%.2f", c/k}')"
else
    echo "ratio CarePhone/Kamailio (max held rate): n/a (both servers must complete)"
fi
