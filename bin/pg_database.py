"""Create or drop a PostgreSQL database for CI: ``pg_database.py create|drop ADMIN_URL NAME``.

Exits non-zero with a clear message when the server cannot be reached.
"""

import sys

import psycopg


def main(action: str, admin_url: str, name: str) -> int:
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if action == "create":
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is unreachable at {admin_url}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
