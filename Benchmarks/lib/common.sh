# Benchmarks/lib/common.sh: process bookkeeping, free ports and CPU counters shared by the
# benchmark scripts. Sourced after WORK, BENCH_KEEP, BENCH_WORKDIR and die() are defined.

# ---- process bookkeeping: everything we start is stopped by PID ----------------------------
STARTED_PIDS=()
stop_pid() {   # stop_pid PID: TERM, wait up to 5 s, then KILL
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}
cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
    STARTED_PIDS=()
    if [ "$BENCH_KEEP" = 1 ]; then
        echo "Work directory kept: $WORK"
    elif [ -z "${BENCH_WORKDIR:-}" ]; then
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

forget_pid() {
    local keep=() p
    for p in "${STARTED_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    STARTED_PIDS=("${keep[@]}")
}

# free_port [ADDR]: a port free for both UDP and TCP on ADDR (127.0.0.1), not handed out already.
USED_PORTS=" "
free_port() {
    local p
    p="$(python3 - "$USED_PORTS" "${1:-127.0.0.1}" <<'EOF'
import socket, sys
used = set(sys.argv[1].split())
addr = sys.argv[2]
for _ in range(200):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind((addr, 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind((addr, port))
    except OSError:
        t.close(); continue
    t.close(); u.close()
    if str(port) not in used and port != 5060:
        print(port); break
EOF
)"
    [ -n "$p" ] || die "no free port found"
    USED_PORTS+="$p "
    echo "$p"
}

# PID plus its direct children (Kamailio forks its workers from the main process).
proc_tree() {
    local pid="$1"
    echo "$pid"
    ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' '
}
cpu_ticks() {  # cpu_ticks PID... -> utime+stime summed (clock ticks)
    local total=0 pid t
    for pid in "$@"; do
        t="$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')"
        [ -n "$t" ] && total=$((total + t))
    done
    echo "$total"
}
busy_ticks() {  # all CPUs' non-idle ticks since boot (/proc/stat)
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
now_s() { date +%s.%N; }
kb_of() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
mb() { awk -v k="${1:-0}" 'BEGIN{printf "%.1f", k/1024}'; }
pctl() {  # pctl RTTFILE TIMER PERCENT -> nearest-rank percentile in ms
    awk -F';' -v t="$2" 'NR > 1 && $3 == t {print $2 + 0}' "$1" | sort -n |
        awk -v p="$3" '{a[NR] = $1} END { if (NR == 0) { print "-"; exit }
            r = int((p * NR + 99) / 100); if (r < 1) r = 1; printf "%g\n", a[r] }'
}
