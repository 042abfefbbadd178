#!/usr/bin/env python3
"""Times a burst of due reminders from CarePhone through Kannel to fakesmsc (reminders.sh).

Polls every 20 ms, bounded by --timeout:
  - the server's stdout for `CarePhone is running` (the dispatcher starts with the services);
  - fakesmsc's stderr (`-v 0`) for `Got message N: <from to [udh HEADER] TYPE PAYLOAD>`, joining
    the parts of concatenated texts (3GPP TS 23.040 §9.2.3.24.1 UDH, IEI 0x00 or 0x08), until
    --texts whole texts have arrived;
  - then the database, until every chosen outbox row is 'delivered' (Kannel's delivery reports).
Prints one line of key=value figures; times are seconds after the ready line.
"""
import argparse
import collections
import os
import sqlite3
import sys
import time
import urllib.parse


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def url_bytes(text):
    return urllib.parse.unquote_to_bytes(text.replace("+", " "))


def parse_mt(line):
    """(to, text, part) or None; part is (reference, total, sequence) or None."""
    marker = line.find("Got message ")
    if marker < 0:
        return None
    start = line.find(": <", marker)
    if start < 0 or not line.endswith(">"):
        return None
    fields = line[start + 3:-1].split(" ", 3)
    if len(fields) != 4:
        return None
    _, to, kind, payload = fields
    part = None
    if kind == "udh":
        rest = payload.split(" ", 2)
        if len(rest) != 3:
            return None
        h = url_bytes(rest[0])
        if len(h) >= 6 and h[1] == 0x00:
            part = (h[3], h[4], h[5])
        elif len(h) >= 7 and h[1] == 0x08:
            part = (h[3] << 8 | h[4], h[5], h[6])
        kind, payload = rest[1], rest[2]
    if kind == "text":
        text = payload
    elif kind in ("ucs-2", "ucs2"):
        text = url_bytes(payload).decode("utf-16-be", errors="replace")
    else:
        text = url_bytes(payload).decode("utf-8", errors="replace")
    return to, text, part


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--serve-log", required=True)
    p.add_argument("--fakesmsc-log", required=True)
    p.add_argument("--texts", type=int, required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--kannel-pids", default="")
    p.add_argument("--db", required=True)
    p.add_argument("--ids", required=True)
    a = p.parse_args()
    kannel = [int(x) for x in a.kannel_pids.split()]
    with open(a.ids) as f:
        ids = [line.strip() for line in f if line.strip()]

    t0 = time.monotonic()
    deadline = t0 + a.timeout
    ready = first = last = delivered_at = None
    cpu = {}
    parts = 0
    texts = collections.Counter()
    pending = {}
    offset = 0
    buffered = ""
    db = None
    delivered = 0
    outcome = "timeout"
    next_check = t0 + 1
    settled_since = None

    def open_db():
        c = sqlite3.connect(a.db, isolation_level=None)
        c.execute("PRAGMA busy_timeout = 2000")
        c.execute("CREATE TEMP TABLE chosen (id TEXT PRIMARY KEY)")
        c.executemany("INSERT INTO chosen VALUES (?)", [(i,) for i in ids])
        return c
    while time.monotonic() < deadline:
        now = time.monotonic()
        if ready is None:
            try:
                with open(a.serve_log, errors="replace") as f:
                    if "CarePhone is running" in f.read():
                        ready = now
                        cpu["ready"] = (cpu_ticks([a.server_pid]), cpu_ticks(kannel), time.monotonic())
            except OSError:
                pass
        try:
            with open(a.fakesmsc_log, "rb") as f:
                f.seek(offset)
                chunk = f.read()
            offset += len(chunk)
            buffered += chunk.decode("utf-8", errors="replace")
        except OSError:
            pass
        *lines, buffered = buffered.split("\n")
        for line in lines:
            mt = parse_mt(line.rstrip("\r"))
            if mt is None:
                continue
            to, text, part = mt
            parts += 1
            if first is None:
                first = now
            if part is None:
                texts[(to, text)] += 1
                continue
            key = (to, part[0], part[1])
            entry = pending.setdefault(key, {})
            entry[part[2]] = text
            if len(entry) == part[1]:
                texts[(to, "".join(entry[i] for i in sorted(entry)))] += 1
                del pending[key]
        whole = sum(texts.values())
        if last is None and whole >= a.texts:
            last = now
            cpu["last"] = (cpu_ticks([a.server_pid]), cpu_ticks(kannel), time.monotonic())
        if last is not None:
            if db is None:
                db = open_db()
            try:
                delivered = db.execute("SELECT count(*) FROM sms_outbox WHERE state = 'delivered' "
                                       "AND id IN (SELECT id FROM chosen)").fetchone()[0]
            except sqlite3.OperationalError:
                pass
            if delivered >= len(ids):
                delivered_at = now
                outcome = "ok"
                break
        elif ready is not None and now >= next_check:
            # Every second: when no chosen row is left to send (all failed, say) nothing more
            # will come; give stragglers 5 s and stop.
            next_check = now + 1
            if db is None:
                db = open_db()
            try:
                open_rows = db.execute("SELECT count(*) FROM sms_outbox WHERE state IN ('queued', 'sending') "
                                       "AND id IN (SELECT id FROM chosen)").fetchone()[0]
            except sqlite3.OperationalError:
                open_rows = 1
            if open_rows == 0:
                settled_since = settled_since or now
                if now - settled_since > 5:
                    outcome = "rows_settled_before_all_texts_arrived"
                    break
        if not alive(a.server_pid):
            outcome = "server_exited"
            break
        time.sleep(0.05 if last is not None else 0.02)

    whole = sum(texts.values())
    dups = sum(n - 1 for n in texts.values() if n > 1)
    hz = os.sysconf("SC_CLK_TCK")

    def rel(t):
        return "-" if t is None or ready is None else f"{t - ready:.3f}"

    out = [f"outcome={outcome}", f"texts={whole}", f"parts={parts}", f"duplicates={dups}",
           f"incomplete={len(pending)}", f"delivered={delivered}", f"first_mt_s={rel(first)}",
           f"all_mt_s={rel(last)}", f"all_delivered_s={rel(delivered_at)}"]
    if ready is not None and last is not None and last > ready:
        out.append(f"texts_per_s={whole / (last - ready):.1f}")
        out.append(f"parts_per_s={parts / (last - ready):.1f}")
    if first is not None and last is not None and last > first:
        out.append(f"texts_per_s_first_to_last={(whole - 1) / (last - first):.1f}")
    if "ready" in cpu and "last" in cpu:
        (s0, k0, w0), (s1, k1, w1) = cpu["ready"], cpu["last"]
        wall = max(w1 - w0, 1e-6)
        out.append(f"server_cpu_pct={100 * (s1 - s0) / hz / wall:.0f}")
        out.append(f"kannel_cpu_pct={100 * (k1 - k0) / hz / wall:.0f}")
    print(" ".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
