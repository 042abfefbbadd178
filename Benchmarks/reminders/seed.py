#!/usr/bin/env python3
"""Bulk-load patients and visits into a CarePhone database (schema v7) for reminders.sh.

Rows go straight into SQLite in one transaction (the CLI books one visit per process).
Deterministic for a given --seed and --now. Patients are split evenly across three
languages/zones, as the clinic's reminder templates are:

    en     America/New_York  +1 212 555 xxxx
    it     Europe/Rome       +39 347 xxx xxxx
    zh-TW  Asia/Taipei       +886 9xx xxx xxx

all with SMS consent ('intake form'). Visits (status 'booked', version 1, kind 'inPerson',
30 minutes) start on a 15-minute slot between 08:00 and 18:00 provider time (Europe/Rome),
Monday to Saturday, on a random day of the next --days days, at least one hour from --now;
each goes to a random patient.
"""
import argparse
import datetime as dt
import random
import sqlite3
import sys
import time
import zoneinfo

PEOPLE = [
    ("en", "America/New_York", "+1212555{:04d}", ["Mary", "John", "Linda", "James"], ["Smith", "Brown", "Miller", "Davis"]),
    ("it", "Europe/Rome", "+39347{:07d}", ["Giulia", "Marco", "Chiara", "Luca"], ["Rossi", "Bianchi", "Esposito", "Ricci"]),
    ("zh-TW", "Asia/Taipei", "+8869{:08d}", ["怡君", "志明", "淑芬", "家豪"], ["陳", "林", "黃", "張"]),
]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True)
    p.add_argument("--patients", type=int, default=10_000)
    p.add_argument("--visits", type=int, default=100_000)
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--provider-extension", default="1002")
    p.add_argument("--now", type=int, help="milliseconds since 1970 (default: now)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.patients < 1 or a.visits < 1 or a.days < 1:
        p.error("--patients, --visits and --days must be at least 1")
    if a.patients > 10_000 * len(PEOPLE):
        p.error("at most 30,000 patients (the numbering plan of each language has 10,000)")

    now_ms = a.now if a.now is not None else int(time.time() * 1000)
    rng = random.Random(a.seed)
    db = sqlite3.connect(a.db, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    row = db.execute(
        "SELECT p.id, p.organisation_id, p.user_id, p.time_zone FROM providers p JOIN users u ON u.id = p.user_id "
        "WHERE u.extension = ?", (a.provider_extension,)).fetchone()
    if row is None:
        print(f"seed.py: extension {a.provider_extension} is not a provider "
              f"(carephone providers add --extension {a.provider_extension})", file=sys.stderr)
        return 2
    provider_id, organisation_id, provider_user, provider_zone = row
    zone = zoneinfo.ZoneInfo(provider_zone)

    started = time.monotonic()
    db.execute("BEGIN")
    patients = []
    for i in range(a.patients):
        locale, tz, number, firsts, lasts = PEOPLE[i % len(PEOPLE)]
        n = i // len(PEOPLE)
        patients.append((organisation_id, firsts[n % len(firsts)], lasts[(n // len(firsts)) % len(lasts)],
                         number.format(n), locale, tz, 1, "intake form", now_ms))
    db.executemany(
        "INSERT INTO patients (organisation_id, first_name, last_name, mobile, locale, time_zone, sms_consent, "
        "consent_source, consent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", patients)
    patient_ids = [r[0] for r in db.execute(
        "SELECT id FROM patients WHERE organisation_id = ? ORDER BY id DESC LIMIT ?", (organisation_id, a.patients))]

    today = dt.datetime.fromtimestamp(now_ms / 1000, zone).date()
    earliest = now_ms + 3_600_000
    slots_per_day = 40  # 08:00-18:00 every 15 minutes

    def visits():
        made = 0
        while made < a.visits:
            day = today + dt.timedelta(days=rng.randrange(a.days))
            if day.isoweekday() == 7:
                continue
            slot = rng.randrange(slots_per_day)
            local = dt.datetime(day.year, day.month, day.day, 8 + slot // 4, (slot % 4) * 15, tzinfo=zone)
            start = int(local.timestamp() * 1000)
            if start < earliest:
                continue
            made += 1
            yield (f"bench-{made}@carephone", organisation_id, provider_id, rng.choice(patient_ids), start,
                   start + 1_800_000, provider_zone, "inPerson", "booked", 1, provider_user, now_ms, now_ms)

    db.executemany(
        "INSERT INTO appointments (uid, organisation_id, provider_id, patient_id, start_at, end_at, time_zone, kind, "
        "status, version, changed_by, changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits())
    db.execute("COMMIT")
    seconds = time.monotonic() - started
    print(f"patients={a.patients} visits={a.visits} provider={provider_id} organisation={organisation_id} "
          f"seconds={seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
