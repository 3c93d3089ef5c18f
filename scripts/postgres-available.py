"""Exit 0 if the test PostgreSQL answers, 1 if not (printing why); used by `make test`."""

import os
import sys

import psycopg

url = os.environ.get("ACTIVES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
try:
    with psycopg.connect(url, connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    sys.stderr.write(f"PostgreSQL at {url} is not reachable: {str(exc).strip()}\n")
    sys.exit(1)
