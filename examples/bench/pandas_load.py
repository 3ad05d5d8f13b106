#!/usr/bin/python3
"""The usual Python ways of loading a warehouse, on the rows a load of
examples/bench stored, into the same PostgreSQL: the comparison of
docs/performance.md ("Against the usual way").

It reads every staging table of the database --source (filled by
`go run ./examples/bench ... -sink postgres://.../SOURCE`; not timed),
copies their definitions into the empty database --target (pg_dump
--schema-only), and loads the same rows there, timed, in each way below,
emptying the tables between two ways:

  to_sql        pandas DataFrame.to_sql(method="multi", chunksize=1000) into
                the existing tables: plain multi-row INSERTs, no upsert
  executemany   psycopg2 cursor.executemany of INSERT ... ON CONFLICT (key)
                DO UPDATE, one statement per row: the old system's upsert
  execute_values psycopg2.extras.execute_values of the same upsert, 1,000
                rows per statement: the fast upsert psycopg2 offers
  copy          COPY FROM STDIN (CSV) into the empty tables: PostgreSQL's
                own bulk path, no upsert (the floor any upsert pays more than)

Each way commits once per table. Run (Debian: apt-get install
python3-pandas python3-psycopg2 python3-sqlalchemy postgresql-client):

  /usr/bin/python3 examples/bench/pandas_load.py --source postgresql://postgres@127.0.0.1:5432/cmp_go --target postgresql://postgres@127.0.0.1:5432/cmp_py
"""
import argparse
import io
import subprocess
import sys
import time

import pandas as pd
import psycopg2
import psycopg2.extensions
import psycopg2.extras
import sqlalchemy

SCHEMA = "staging"


def keep_json_text():
    # JSON columns stay text, as they came from the API.
    psycopg2.extras.register_default_json(loads=lambda s: s, globally=True)
    psycopg2.extras.register_default_jsonb(loads=lambda s: s, globally=True)


def tables(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1", (SCHEMA,))
        return [r[0] for r in cur.fetchall()]


def primary_key(conn, table):
    with conn.cursor() as cur:
        cur.execute("""SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)""", (f'"{SCHEMA}"."{table}"',))
        return [r[0] for r in cur.fetchall()]


def q(name):
    return '"' + name.replace('"', '""') + '"'


def upsert_sql(table, cols, key, values):
    sets = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in cols if c not in key)
    return (f"INSERT INTO {q(SCHEMA)}.{q(table)} ({', '.join(q(c) for c in cols)}) VALUES {values} "
            f"ON CONFLICT ({', '.join(q(k) for k in key)}) DO " + (f"UPDATE SET {sets}" if sets else "NOTHING"))


def rows_of(df):
    # None for NaN/NaT, Python values for the driver.
    return [tuple(None if pd.isna(v) else v for v in r) for r in df.astype(object).itertuples(index=False, name=None)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="database a bench load filled")
    ap.add_argument("--target", required=True, help="an empty database on the same server")
    ap.add_argument("--ways", default="to_sql,executemany,execute_values,copy")
    args = ap.parse_args()
    keep_json_text()

    src = psycopg2.connect(args.source)
    reader = sqlalchemy.create_engine(args.source.replace("postgresql://", "postgresql+psycopg2://", 1))
    frames, keys = {}, {}
    for t in tables(src):
        if t == "bench_wide":
            continue  # the bench's own ceiling table
        frames[t] = pd.read_sql(sqlalchemy.text(f"SELECT * FROM {q(SCHEMA)}.{q(t)}"), reader)
        keys[t] = primary_key(src, t)
    src.close()
    reader.dispose()
    total = sum(len(f) for f in frames.values())
    print(f"{len(frames)} tables, {total} rows from {args.source.rsplit('/', 1)[-1]}")

    tgt = psycopg2.connect(args.target)
    with tgt.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {q(SCHEMA)} CASCADE")
    tgt.commit()
    schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "-n", SCHEMA, args.source], check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.target], input=schema, check=True, capture_output=True, text=True)
    engine = sqlalchemy.create_engine(args.target.replace("postgresql://", "postgresql+psycopg2://", 1))

    def empty():
        with tgt.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(f"{q(SCHEMA)}.{q(t)}" for t in frames))
        tgt.commit()

    for way in args.ways.split(","):
        empty()
        start = time.perf_counter()
        for t, df in frames.items():
            cols = list(df.columns)
            if way == "to_sql":
                df.to_sql(t, engine, schema=SCHEMA, if_exists="append", index=False, method="multi", chunksize=1000)
                continue
            with tgt.cursor() as cur:
                if way == "executemany":
                    cur.executemany(upsert_sql(t, cols, keys[t], "(" + ", ".join(["%s"] * len(cols)) + ")"), rows_of(df))
                elif way == "execute_values":
                    psycopg2.extras.execute_values(cur, upsert_sql(t, cols, keys[t], "%s"), rows_of(df), page_size=1000)
                elif way == "copy":
                    buf = io.StringIO()
                    df.to_csv(buf, index=False, header=False)
                    buf.seek(0)
                    cur.copy_expert(f"COPY {q(SCHEMA)}.{q(t)} ({', '.join(q(c) for c in cols)}) FROM STDIN WITH (FORMAT csv)", buf)
                else:
                    sys.exit(f"unknown way {way}")
            tgt.commit()
        wall = time.perf_counter() - start
        with tgt.cursor() as cur:
            cur.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM {q(SCHEMA)}.{q(t)})" for t in frames))
            stored = cur.fetchone()[0]
        if stored != total:
            sys.exit(f"{way}: {stored} rows stored of {total}")
        print(f"way={way} rows={total} wall={wall:.3f}s rows/s={total / wall:.0f}")
    tgt.close()


if __name__ == "__main__":
    main()
