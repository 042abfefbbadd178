#!/usr/bin/env bash
# Benchmarks/reminders.sh: planning reminders for a big calendar, and the send rate through Kannel
# (issue 5).
#
# Phase 1, planning: a data folder with the demo organisation (serve --demo, then stopped),
# extension 1002 made a provider (carephone providers add), then BENCH_PATIENTS patients (en/New
# York, it/Rome, zh-TW/Taipei, all consenting) and BENCH_VISITS booked visits over the next
# BENCH_DAYS days are bulk-loaded into SQLite (reminders/seed.py, one transaction). The server is
# started; once it is up it plans reminders for every pending future visit, in the background
# (CalendarServices.planAtStart -> ReminderScheduler.planAll) and logs `reminders planned` with
# visits=, queued= and seconds=. Printed: that planning time and counts, the time from exec to
# `CarePhone is running` (planning included), the server's VmRSS/VmHWM once running, the outbox
# rows and the database size. The SMS gateway is `none` here, so nothing is sent.
#
# Phase 2, send rate: Kannel 1.4.5 (bearerbox, smsbox, kannel-extras' fakesmsc as the SMSC) on
# free loopback ports. BENCH_TEXTS of the reminders planned in phase 1 (the earliest of each
# patient, so each goes to its own number) are made due now (send_at moved; everything else
# about them is what the planner wrote: real texts in three languages, GSM-7 and UCS-2,
# multi-part). They stay purpose 'reminder' on purpose: the dispatcher re-checks consent, the
# visit's status and version for each, as it does in production. The server is started again
# with the Kannel gateway (it re-plans all visits at start, finding every key already queued:
# a second planning figure), and the script times from `CarePhone is running` until fakesmsc
# has logged every text (parts joined), then until every chosen row is 'delivered' by Kannel's
# delivery reports. It checks that no text reached fakesmsc twice.
#
# Kamailio has no reminder planning and no SMS, so there is no side-by-side run.
#
# Environment (all optional):
#   BENCH_PATIENTS=10000    patients (at most 30000)
#   BENCH_VISITS=100000     booked visits
#   BENCH_DAYS=60           visits fall in the next BENCH_DAYS days
#   BENCH_TEXTS=2000        reminders made due at once in phase 2
#   BENCH_START_TIMEOUT=600 seconds the server may take to be ready (planning runs before that)
#   BENCH_SEND_TIMEOUT=600  seconds for all texts to reach fakesmsc and be reported delivered
#   BENCH_KEEP=0            1 keeps the work directory (logs, database, Kannel logs)
#   BENCH_WORKDIR=          work directory (default: mktemp -d /tmp/carephone-bench-reminders.XXXXXX)
#   KANNEL_LOG_LEVEL=1      bearerbox/smsbox log level (0 debug ... 4 panic); fakesmsc always -v 0
#   CAREPHONE_BIN=          a built binary (default: release build into CAREPHONE_BENCH_BUILD)
#   CAREPHONE_BENCH_BUILD=<repo>/.build-bench   scratch path of that build (apart from .build, so
#                           it never waits on another build's lock)
#   CAREPHONE_BUILD_TIMEOUT=1800
#
# Everything runs on 127.0.0.1 on free ports; every process started here is stopped by PID.

set -u -o pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
HOST="127.0.0.1"
BENCH_PATIENTS="${BENCH_PATIENTS:-10000}"
BENCH_VISITS="${BENCH_VISITS:-100000}"
BENCH_DAYS="${BENCH_DAYS:-60}"
BENCH_TEXTS="${BENCH_TEXTS:-2000}"
BENCH_START_TIMEOUT="${BENCH_START_TIMEOUT:-600}"
BENCH_SEND_TIMEOUT="${BENCH_SEND_TIMEOUT:-600}"
BENCH_KEEP="${BENCH_KEEP:-0}"
KANNEL_LOG_LEVEL="${KANNEL_LOG_LEVEL:-1}"
CAREPHONE_BIN="${CAREPHONE_BIN:-}"
GIVEN_BIN="$CAREPHONE_BIN"
CAREPHONE_BENCH_BUILD="${CAREPHONE_BENCH_BUILD:-$REPO_DIR/.build-bench}"
CAREPHONE_BUILD_TIMEOUT="${CAREPHONE_BUILD_TIMEOUT:-1800}"
FAKESMSC=/usr/lib/kannel/test/fakesmsc

die() { echo "reminders.sh: $*" >&2; exit 2; }
say() { echo "[$(date +%H:%M:%S)] $*"; }
for v in BENCH_PATIENTS BENCH_VISITS BENCH_DAYS BENCH_TEXTS BENCH_START_TIMEOUT BENCH_SEND_TIMEOUT CAREPHONE_BUILD_TIMEOUT; do
    case "${!v}" in ''|*[!0-9]*|0) die "$v must be a whole number above 0";; esac
done
for tool in python3 awk timeout; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y python3)"
done
for tool in bearerbox smsbox; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || die "$tool not found (apt-get install -y kannel)"
done
[ -x "$FAKESMSC" ] || die "$FAKESMSC not found (apt-get install -y kannel-extras)"
BEARERBOX="$(command -v bearerbox || echo /usr/sbin/bearerbox)"
SMSBOX="$(command -v smsbox || echo /usr/sbin/smsbox)"

# ---- the server: both invocations here, easy to change ----------------------------------------
# carephone_serve LOGBASE [--demo]: starts the server in the background; sets SERVER_PID.
carephone_serve() {
    local base="$1"; shift
    "$CAREPHONE_BIN" serve --data "$DATA" --config "$WORK/config.json" --bind "$HOST" --sip-port "$SIP_PORT" \
        --http-port "$HTTP_PORT" --http-bind "$HOST" --rtp-ports "$RTP_FIRST-$((RTP_FIRST + 99))" \
        --key-file "$WORK/carephone.key" "$@" >"$base.out" 2>"$base.err" &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
}
# carephone_config GATEWAY_JSON: the config for both phases (gateway "none" in phase 1).
carephone_config() {
    cat >"$WORK/config.json" <<JSON
{"log_level": "info", "dialplan_folder": "$WORK/dialplans",
 "sms": $1,
 "reminders": {"offsets": "48h, 2h", "quiet_hours": "21:00-08:00", "poll_milliseconds": 100}}
JSON
}

WORK="${BENCH_WORKDIR:-$(mktemp -d /tmp/carephone-bench-reminders.XXXXXX)}"
mkdir -p "$WORK" || die "cannot create $WORK"
. "$BENCH_DIR/lib/common.sh"
FIFO_FD=
close_fifo() { if [ -n "$FIFO_FD" ]; then exec {FIFO_FD}>&-; FIFO_FD=; fi; }
trap 'cleanup; close_fifo' EXIT
RUN_STARTED="$(now_s)"

if [ -z "$CAREPHONE_BIN" ]; then
    say "swift build -c release --product carephone --scratch-path $CAREPHONE_BENCH_BUILD (log $WORK/build.log)"
    (cd "$REPO_DIR" && timeout "$CAREPHONE_BUILD_TIMEOUT" swift build -c release --product carephone \
        --scratch-path "$CAREPHONE_BENCH_BUILD") >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; die "build failed"; }
    CAREPHONE_BIN="$(cd "$REPO_DIR" && swift build -c release --scratch-path "$CAREPHONE_BENCH_BUILD" --show-bin-path)/carephone"
fi
[ -x "$CAREPHONE_BIN" ] || die "no carephone binary at $CAREPHONE_BIN"
CAREPHONE_BIN="$(cd "$(dirname "$CAREPHONE_BIN")" && pwd)/$(basename "$CAREPHONE_BIN")"

DATA="$WORK/data"
DB="$DATA/carephone.sqlite"
mkdir -p "$DATA" "$WORK/dialplans"
SIP_PORT="$(free_port)"; HTTP_PORT="$(free_port)"
RTP_FIRST=$(( 30000 + (RANDOM % 300) * 100 ))

# wait_ready BASE: until the server prints `CarePhone is running` (bounded); sets READY_S.
wait_ready() {
    local base="$1" t0="$2" deadline=$(( $(date +%s) + BENCH_START_TIMEOUT ))
    until grep -q "CarePhone is running" "$base.out" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -5 "$base.err"; die "the server exited before it was ready ($base.err)"; }
        [ "$(date +%s)" -lt "$deadline" ] || { tail -5 "$base.err"; die "the server was not ready within $BENCH_START_TIMEOUT s"; }
        sleep 0.05
    done
    READY_S="$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN{printf "%.2f", b - a}')"
}
stop_server() { stop_pid "$SERVER_PID"; forget_pid "$SERVER_PID"; }
# wait_planned BASE: planning runs in the background after the server is ready; until its
# `reminders planned` line (bounded).
wait_planned() {
    local base="$1" deadline=$(( $(date +%s) + BENCH_START_TIMEOUT ))
    until grep -q "reminders planned" "$base.err" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -5 "$base.err"; die "the server exited while planning ($base.err)"; }
        [ "$(date +%s)" -lt "$deadline" ] || die "no 'reminders planned' line within $BENCH_START_TIMEOUT s"
        sleep 0.05
    done
}
# planned BASE KEY: a field of the `reminders planned` log line (visits, queued, seconds).
planned() { grep "reminders planned" "$1.err" | tail -1 | grep -o "$2=[0-9.]*" | cut -d= -f2; }
kv() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

# ---- phase 1: planning ------------------------------------------------------------------------
say "binary $CAREPHONE_BIN; work $WORK"
say "phase 1: $BENCH_PATIENTS patients, $BENCH_VISITS visits over $BENCH_DAYS days"
carephone_config '{"gateway": "none"}'
carephone_serve "$WORK/demo" --demo
t0="$(now_s)"; wait_ready "$WORK/demo" "$t0"; stop_server
"$CAREPHONE_BIN" providers add --data "$DATA" --extension 1002 --time-zone Europe/Rome >"$WORK/providers.log" 2>&1 ||
    { cat "$WORK/providers.log"; die "carephone providers add failed"; }
seed="$(python3 "$BENCH_DIR/reminders/seed.py" --db "$DB" --patients "$BENCH_PATIENTS" --visits "$BENCH_VISITS" \
    --days "$BENCH_DAYS")" || die "seeding failed"
say "loaded: $seed"

t0="$(now_s)"
carephone_serve "$WORK/plan"
wait_ready "$WORK/plan" "$t0"
P1_READY="$READY_S"
wait_planned "$WORK/plan"
P1_VISITS="$(planned "$WORK/plan" visits)"; P1_QUEUED="$(planned "$WORK/plan" queued)"; P1_SECONDS="$(planned "$WORK/plan" seconds)"
P1_RSS="$(mb "$(kb_of "$SERVER_PID" VmRSS)")"; P1_HWM="$(mb "$(kb_of "$SERVER_PID" VmHWM)")"
P1_CPU="$(awk -v t="$(cpu_ticks "$SERVER_PID")" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t / hz}')"
stop_server
[ -n "$P1_SECONDS" ] || { grep -i "remind" "$WORK/plan.err" | tail -3; die "no 'reminders planned' line in $WORK/plan.err"; }
P1_STATS="$(python3 "$BENCH_DIR/reminders/outbox.py" stats "$DB")" || die "cannot read the outbox"
say "planned: visits=$P1_VISITS queued=$P1_QUEUED in ${P1_SECONDS}s (ready after ${P1_READY}s), VmRSS ${P1_RSS} MB (VmHWM ${P1_HWM} MB)"
say "outbox: $P1_STATS"

# ---- phase 2: send rate through Kannel --------------------------------------------------------
ADMIN_PORT="$(free_port)"; SMSBOX_PORT="$(free_port)"; SENDSMS_PORT="$(free_port)"; FAKE_PORT="$(free_port)"
ADMIN_PW="admin-$RANDOM$RANDOM"; SMS_PW="pw-$RANDOM$RANDOM"; SECRET="cb-$RANDOM$RANDOM$RANDOM$RANDOM$RANDOM-$RANDOM"
K="$WORK/kannel"; mkdir -p "$K"
# The configuration of Tests/InteropTests/KannelProcess.swift (Kannel User Guide, "Configuration").
cat >"$K/kannel.conf" <<CONF
group = core
admin-port = $ADMIN_PORT
admin-interface = $HOST
admin-password = $ADMIN_PW
status-password = $ADMIN_PW
admin-allow-ip = $HOST
smsbox-port = $SMSBOX_PORT
smsbox-interface = $HOST
box-allow-ip = $HOST
dlr-storage = internal
store-type = file
store-location = "$K/kannel.store"
log-file = "$K/bearerbox.log"
log-level = $KANNEL_LOG_LEVEL
access-log = "$K/access.log"

group = smsc
smsc = fake
smsc-id = fake
port = $FAKE_PORT
our-host = $HOST
connect-allow-ip = $HOST

group = smsbox
bearerbox-host = $HOST
bearerbox-port = $SMSBOX_PORT
sendsms-port = $SENDSMS_PORT
sendsms-interface = $HOST
mo-recode = true
http-request-retry = 5
http-queue-delay = 1
log-file = "$K/smsbox.log"
log-level = $KANNEL_LOG_LEVEL

group = sendsms-user
username = carephone
password = $SMS_PW
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "http://$HOST:$HTTP_PORT/sms/kannel/inbound?secret=$SECRET&from=%p&to=%P&text=%b"
CONF
admin_status() { curl -s --max-time 2 "http://$HOST:$ADMIN_PORT/status.txt?password=$ADMIN_PW" 2>/dev/null; }
# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds, with the Kannel processes alive.
wait_for() {
    local what="$1" deadline=$(( $(date +%s) + $2 )) p; shift 2
    until "$@"; do
        for p in "${KANNEL_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || die "a Kannel process exited while waiting for $what (logs in $K)"; done
        [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for $what; status: $(admin_status | head -5)"
        sleep 0.05
    done
}
KANNEL_PIDS=()
"$BEARERBOX" "$K/kannel.conf" >"$K/bearerbox.out" 2>"$K/bearerbox.err" &
KANNEL_PIDS+=($!); STARTED_PIDS+=($!)
# fakesmsc panics if the fake SMSC port is not listening yet; the status names it once bound.
wait_for "bearerbox to bind the fake SMSC port" 20 eval 'admin_status | grep -q "FAKE:$FAKE_PORT"'
"$SMSBOX" "$K/kannel.conf" >"$K/smsbox.out" 2>"$K/smsbox.err" &
KANNEL_PIDS+=($!); STARTED_PIDS+=($!)
# fakesmsc reads MO lines from stdin: a FIFO we hold open read-write, so it never sees EOF.
mkfifo "$K/fakesmsc.stdin" || die "mkfifo failed"
exec {FIFO_FD}<>"$K/fakesmsc.stdin"
"$FAKESMSC" -H "$HOST" -r "$FAKE_PORT" -i 0 -v 0 <"$K/fakesmsc.stdin" >"$K/fakesmsc.out" 2>"$K/fakesmsc.err" &
KANNEL_PIDS+=($!); STARTED_PIDS+=($!)
wait_for "fakesmsc and smsbox to connect" 20 eval \
    'admin_status | grep -q online && admin_status | grep -q "smsbox:" && (exec 3<>/dev/tcp/$HOST/$SENDSMS_PORT) 2>/dev/null'
say "phase 2: Kannel up (sendsms $HOST:$SENDSMS_PORT, fake SMSC $FAKE_PORT, pids ${KANNEL_PIDS[*]})"

carephone_config "{\"gateway\": \"kannel\", \"from\": \"+390212345678\", \"kannel_sendsms_url\": \"http://$HOST:$SENDSMS_PORT/cgi-bin/sendsms\",
  \"kannel_username\": \"carephone\", \"kannel_password\": \"$SMS_PW\", \"callback_secret\": \"$SECRET\"}"
DUE="$(python3 "$BENCH_DIR/reminders/outbox.py" make-due "$DB" "$BENCH_TEXTS" "$WORK/due.ids")" || die "cannot make texts due"
say "made due: $DUE"
[ "$(kv "$DUE" due)" = "$BENCH_TEXTS" ] || say "warning: only $(kv "$DUE" due) reminders could be made due"

t0="$(now_s)"
carephone_serve "$WORK/send"
SEND="$(python3 "$BENCH_DIR/reminders/watch_send.py" --serve-log "$WORK/send.out" --fakesmsc-log "$K/fakesmsc.err" \
    --texts "$(kv "$DUE" due)" --timeout "$((BENCH_START_TIMEOUT + BENCH_SEND_TIMEOUT))" --server-pid "$SERVER_PID" \
    --kannel-pids "${KANNEL_PIDS[*]}" --db "$DB" --ids "$WORK/due.ids")"
P2_RSS="$(mb "$(kb_of "$SERVER_PID" VmRSS)")"
wait_planned "$WORK/send"
P2_REPLAN="$(planned "$WORK/send" seconds)"; P2_REQUEUED="$(planned "$WORK/send" queued)"
stop_server
STATES="$(python3 "$BENCH_DIR/reminders/outbox.py" states "$DB" "$WORK/due.ids")"
SENT_LINES="$(grep -c "Sent SMS" "$K/access.log" 2>/dev/null || true)"; DLRS="$(grep -c "Receive DLR" "$K/access.log" 2>/dev/null || true)"
say "sent: $SEND"
say "outbox states of the chosen rows: $STATES"
grep -E "outbox:" "$WORK/send.err" | head -3

# ---- summary ----------------------------------------------------------------------------------
RUN_S="$(awk -v a="$RUN_STARTED" -v b="$(now_s)" 'BEGIN{printf "%.0f", b - a}')"
echo
echo "Planning ($BENCH_VISITS visits, $BENCH_PATIENTS patients, offsets 48h+2h, quiet hours 21:00-08:00)"
printf "  %-44s %s\n" "visits planned / reminders queued" "$P1_VISITS / $P1_QUEUED" \
    "planning time (server log)" "${P1_SECONDS} s" \
    "visits planned per second" "$(awk -v v="$P1_VISITS" -v s="$P1_SECONDS" 'BEGIN{ if (s > 0) printf "%.0f", v / s; else print "-" }')" \
    "exec to 'CarePhone is running'" "${P1_READY} s (server CPU ${P1_CPU} s)" \
    "server VmRSS / VmHWM once running" "${P1_RSS} / ${P1_HWM} MB" \
    "outbox rows (count(*) FROM sms_outbox)" "$(kv "$P1_STATS" outbox_rows) ($(kv "$P1_STATS" parts) parts; $(kv "$P1_STATS" encodings))" \
    "database size (sqlite + wal)" "$(mb "$(( $(kv "$P1_STATS" db_bytes) / 1024 ))") MB" \
    "re-plan at the next start (all keys queued)" "${P2_REPLAN:-?} s, queued ${P2_REQUEUED:-?}"
echo "Sending through Kannel ($(kv "$DUE" due) texts due at once, $(kv "$DUE" parts) parts, 8 concurrent sends)"
printf "  %-44s %s\n" "outcome" "$(kv "$SEND" outcome)" \
    "texts at fakesmsc (parts)" "$(kv "$SEND" texts) ($(kv "$SEND" parts)), duplicates $(kv "$SEND" duplicates)" \
    "ready -> first / last text at fakesmsc" "$(kv "$SEND" first_mt_s) / $(kv "$SEND" all_mt_s) s" \
    "send rate (ready -> last text)" "$(kv "$SEND" texts_per_s) texts/s ($(kv "$SEND" parts_per_s) parts/s)" \
    "send rate (first -> last text)" "$(kv "$SEND" texts_per_s_first_to_last) texts/s" \
    "ready -> all 'delivered'" "$(kv "$SEND" all_delivered_s) s" \
    "CPU over the burst: server / Kannel" "$(kv "$SEND" server_cpu_pct)% / $(kv "$SEND" kannel_cpu_pct)% of one core" \
    "server VmRSS after the burst" "${P2_RSS} MB" \
    "outbox states of those rows" "$STATES" \
    "Kannel access log: Sent SMS / Receive DLR" "$SENT_LINES / $DLRS"
echo
echo "Command: ${GIVEN_BIN:+CAREPHONE_BIN=$GIVEN_BIN }$(for v in BENCH_PATIENTS BENCH_VISITS BENCH_DAYS BENCH_TEXTS; do printf '%s=%s ' "$v" "${!v}"; done)Benchmarks/reminders.sh"
echo "Total run time: ${RUN_S} s"
