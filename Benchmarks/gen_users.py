#!/usr/bin/env python3
"""Generate a deterministic set of SIP test users for benchmarks and interop tests.

Python 3 standard library only. Writes any of:

  --carephone-csv FILE   CarePhone import CSV: extension,display_name,sip_password,email (header row)
  --sipp-csv FILE        SIPp injection file (-inf): user;domain;[authentication username=U password=P]
                         The whole [authentication ...] keyword is one field because SIPp does not
                         expand [fieldN] inside it. First line: SEQUENTIAL (or --sipp-order RANDOM/USER).
  --kamailio-db FILE     SQLite DB with Kamailio's 'version' and 'subscriber' tables (auth_db schema 7),
                         ha1 = md5(user:realm:password), ha1b = md5(user@domain:realm:password).

Passwords are derived from the extension and a seed, so every run (and every tool) agrees on them:
  password = sha256("<seed>:<extension>").hexdigest()[:16]

Example:
  gen_users.py --first 10000 --count 10000 --domain bench.carephone.test \
      --carephone-csv users.csv --sipp-csv sipp_users.csv --kamailio-db kamailio.sqlite
"""
import argparse
import csv
import hashlib
import os
import sqlite3
import sys

# Kamailio 5.6 db_sqlite schema (/usr/share/kamailio/db_sqlite/{standard,auth_db}-create.sql).
KAMAILIO_SCHEMA = """
CREATE TABLE version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT INTO version (table_name, table_version) values ('version','1');
CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);
CREATE INDEX subscriber_username_idx ON subscriber (username);
INSERT INTO version (table_name, table_version) values ('subscriber','7');
"""


def md5hex(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def password_for(ext, seed):
    return hashlib.sha256(("%s:%s" % (seed, ext)).encode("utf-8")).hexdigest()[:16]


def users(first, count, seed):
    for ext in range(first, first + count):
        yield str(ext), password_for(ext, seed)


def write_carephone_csv(path, rows, domain):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["extension", "display_name", "sip_password", "email"])
        for ext, pw in rows:
            w.writerow([ext, "Bench User %s" % ext, pw, "user%s@%s" % (ext, domain)])


def write_sipp_csv(path, rows, domain, order):
    with open(path, "w", encoding="utf-8") as f:
        f.write(order + "\n")
        for ext, pw in rows:
            f.write("%s;%s;[authentication username=%s password=%s]\n" % (ext, domain, ext, pw))


def write_kamailio_db(path, rows, domain, realm):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(KAMAILIO_SCHEMA)
    db.executemany(
        "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES (?,?,?,?,?)",
        [
            (ext, domain, pw, md5hex("%s:%s:%s" % (ext, realm, pw)),
             md5hex("%s@%s:%s:%s" % (ext, domain, realm, pw)))
            for ext, pw in rows
        ],
    )
    db.commit()
    db.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--first", type=int, default=10000, help="first extension (default 10000)")
    p.add_argument("--count", type=int, default=10000, help="number of users (default 10000)")
    p.add_argument("--domain", default="bench.carephone.test", help="SIP domain (default bench.carephone.test)")
    p.add_argument("--realm", default=None, help="digest realm for ha1 (default: the domain)")
    p.add_argument("--seed", default="carephone-bench", help="password derivation seed")
    p.add_argument("--carephone-csv")
    p.add_argument("--sipp-csv")
    p.add_argument("--sipp-order", default="SEQUENTIAL", choices=["SEQUENTIAL", "RANDOM", "USER"])
    p.add_argument("--kamailio-db")
    a = p.parse_args(argv)
    if not (a.carephone_csv or a.sipp_csv or a.kamailio_db):
        p.error("nothing to write: give --carephone-csv, --sipp-csv and/or --kamailio-db")
    realm = a.realm or a.domain
    rows = list(users(a.first, a.count, a.seed))
    if a.carephone_csv:
        write_carephone_csv(a.carephone_csv, rows, a.domain)
    if a.sipp_csv:
        write_sipp_csv(a.sipp_csv, rows, a.domain, a.sipp_order)
    if a.kamailio_db:
        write_kamailio_db(a.kamailio_db, rows, a.domain, realm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
