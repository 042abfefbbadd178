#!/usr/bin/env python3
"""Outbox queries for reminders.sh (CarePhone schema v7, table sms_outbox).

  outbox.py stats DB                  queued rows, by purpose/encoding/segments, DB file sizes
  outbox.py make-due DB N IDS_FILE    make N planned reminders due now (one per patient where
                                      possible), write their ids to IDS_FILE
  outbox.py states DB IDS_FILE        state counts of those rows, plus 'sent twice' checks
"""
import os
import sqlite3
import sys
import time


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    return db


def stats(path: str) -> None:
    db = connect(path)
    total = db.execute("SELECT count(*) FROM sms_outbox").fetchone()[0]
    queued = db.execute("SELECT count(*) FROM sms_outbox WHERE state = 'queued'").fetchone()[0]
    parts = db.execute("SELECT coalesce(sum(segments), 0) FROM sms_outbox WHERE state = 'queued'").fetchone()[0]
    visits = db.execute("SELECT count(DISTINCT appointment_id) FROM sms_outbox").fetchone()[0]
    pending = db.execute("SELECT count(*) FROM appointments WHERE status IN ('booked', 'confirmed') AND start_at > ?",
                         (int(time.time() * 1000),)).fetchone()[0]
    enc = ",".join(f"{e}x{s}:{n}" for e, s, n in db.execute(
        "SELECT encoding, segments, count(*) FROM sms_outbox GROUP BY 1, 2 ORDER BY 1, 2"))
    db.close()
    size = sum(os.path.getsize(path + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(path + suffix))
    print(f"outbox_rows={total} queued={queued} parts={parts} visits_with_texts={visits} pending_visits={pending} "
          f"db_bytes={size} main_bytes={os.path.getsize(path)} encodings={enc}")


def make_due(path: str, count: int, ids_file: str) -> None:
    now = int(time.time() * 1000)
    db = connect(path)
    db.execute("BEGIN IMMEDIATE")
    # Earliest queued reminder of each patient first, so every text goes to its own number and
    # a duplicate at fakesmsc is visible as the same (number, text) twice.
    rows = db.execute(
        """
        SELECT id FROM (
            SELECT id, row_number() OVER (PARTITION BY to_number ORDER BY send_at, id) AS n, send_at
            FROM sms_outbox WHERE state = 'queued' AND purpose = 'reminder' AND expires_at > ?
        ) ORDER BY n, send_at, id LIMIT ?
        """, (now + 600_000, count)).fetchall()
    ids = [r[0] for r in rows]
    db.executemany("UPDATE sms_outbox SET send_at = ?, updated_at = ? WHERE id = ?", [(now - 1000, now, i) for i in ids])
    db.execute("COMMIT")
    with open(ids_file, "w") as f:
        f.write("\n".join(ids) + "\n")
    db.execute("CREATE TEMP TABLE chosen (id TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO chosen VALUES (?)", [(i,) for i in ids])
    numbers, parts = db.execute(
        "SELECT count(DISTINCT to_number), sum(segments) FROM sms_outbox WHERE id IN (SELECT id FROM chosen)").fetchone()
    enc = ",".join(f"{e}x{s}:{n}" for e, s, n in db.execute(
        "SELECT encoding, segments, count(*) FROM sms_outbox WHERE id IN (SELECT id FROM chosen) GROUP BY 1, 2 ORDER BY 1, 2"))
    print(f"due={len(ids)} numbers={numbers} parts={parts or 0} encodings={enc}")


def states(path: str, ids_file: str) -> None:
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    db = connect(path)
    db.execute("CREATE TEMP TABLE chosen (id TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO chosen VALUES (?)", [(i,) for i in ids])
    counts = dict(db.execute(
        "SELECT state, count(*) FROM sms_outbox WHERE id IN (SELECT id FROM chosen) GROUP BY state").fetchall())
    attempts = db.execute(
        "SELECT coalesce(max(attempts), 0), coalesce(sum(attempts > 1), 0) FROM sms_outbox WHERE id IN (SELECT id FROM chosen)"
    ).fetchone()
    others = db.execute(
        "SELECT count(*) FROM sms_outbox WHERE id NOT IN (SELECT id FROM chosen) AND state <> 'queued'").fetchone()[0]
    errors = db.execute(
        "SELECT last_error, count(*) FROM sms_outbox WHERE id IN (SELECT id FROM chosen) AND last_error IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 3").fetchall()
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) +
          f" max_attempts={attempts[0]} retried={attempts[1]} other_rows_not_queued={others}" +
          "".join(f" | error x{n}: {e}" for e, n in errors))


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "stats":
        stats(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "make-due":
        make_due(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "states":
        states(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
