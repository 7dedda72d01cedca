#!/usr/bin/env bash
# The whole test suite twice: on SQLite, then on a throwaway PostgreSQL cluster with a throwaway Redis.
#
#   scripts/test-all.sh [pytest args...]      e.g. scripts/test-all.sh -x -k comments
#
# Installs redis-server, chromium and nginx (and PostgreSQL when initdb is missing) with apt when run as root; with
# CI=true a tool it cannot install is a failure, not skipped tests. pytest runs with -rs: skips show their reasons. PostgreSQL and
# Redis listen on free loopback ports with their files (and the unix socket) in one temp directory, and are
# stopped and removed on exit, also when tests fail or the script is interrupted. As root, PostgreSQL runs
# as an unprivileged user (postgres, else a created engagement-pg). Exits non-zero when either run fails.
# PYTHON picks the interpreter (default: .venv/bin/python when present, else python3).
set -uo pipefail

cd "$(dirname "$0")/.."
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'test-all: %s\n' "$*" >&2; exit 2; }
is_root() { [[ "$(id -u)" == 0 ]]; }

# --- tools --------------------------------------------------------------------------------------------
APT_UPDATED=""
apt_install() {
    is_root || return 1
    command -v apt-get >/dev/null || return 1
    if [[ -z "$APT_UPDATED" ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

find_pg_bin() {
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
        return 0
    fi
    # Debian/Ubuntu keep the server binaries out of PATH.
    local candidate
    for candidate in /usr/local/pgsql/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# A service a test needs and cannot get: a warning (its tests skip, with the reason under -rs) on a laptop, a
# failure on CI (CI=true), where a skipped test would pass for a tested one.
missing_tool() {
    if [[ "${CI:-}" == "true" ]]; then
        die "could not install $1 on CI (not root or no apt); $2 would skip"
    fi
    echo "test-all: could not install $1 (not root or no apt); $2 will skip" >&2
}
has_nginx() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }

if ! command -v redis-server >/dev/null; then
    log "redis-server not found: installing it with apt"
    apt_install redis-server || missing_tool redis-server "the Redis tests"
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    log "chromium not found: installing it with apt (for the API docs browser test)"
    apt_install chromium || missing_tool chromium "the browser test"
fi
if ! has_nginx; then
    log "nginx not found: installing it with apt (the production recipe's proxy, for the slow-client tests)"
    apt_install nginx-light || apt_install nginx || missing_tool nginx "the slow-client tests"
fi
PG_BIN="$(find_pg_bin)" || {
    log "initdb not found: installing postgresql with apt"
    apt_install postgresql || die "PostgreSQL is not installed and could not be (run as root with apt, or install it)"
    PG_BIN="$(find_pg_bin)" || die "postgresql installed but initdb not found"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- run 1: SQLite -----------------------------------------------------------------------------------------
log "pytest on SQLite"
sqlite_started=$SECONDS
env -u ENGAGEMENT_TEST_DATABASE_URL -u ENGAGEMENT_TEST_REDIS_URL "$PYTHON" -m pytest -rs "$@"
sqlite_status=$?
sqlite_seconds=$((SECONDS - sqlite_started))

# --- throwaway PostgreSQL and Redis ---------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/engagement-test-all.XXXXXX")"
PG_USER=""
as_pg_user() {
    if [[ -z "$PG_USER" ]]; then
        "$@"
    elif command -v runuser >/dev/null; then
        runuser -u "$PG_USER" -- "$@"
    else
        su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
}
cleanup() {
    local status=$?
    if [[ -f "$WORK/pgdata/postmaster.pid" ]]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$WORK/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ -s "$WORK/redis.pid" ]]; then
        local redis_pid
        redis_pid="$(cat "$WORK/redis.pid")"
        kill "$redis_pid" 2>/dev/null || true
        # Redis reopens its log file for each line: wait until it is gone, or it recreates files in $WORK.
        for _ in $(seq 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if is_root; then
    # PostgreSQL refuses to run as root.
    if id postgres >/dev/null 2>&1; then
        PG_USER=postgres
    else
        id engagement-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin engagement-pg \
            || die "cannot create an unprivileged user for PostgreSQL"
        PG_USER=engagement-pg
    fi
    chown "$PG_USER" "$WORK"
fi

PG_PORT="$(free_port)"
log "PostgreSQL ($("$PG_BIN/postgres" --version)) on 127.0.0.1:$PG_PORT in $WORK"
as_pg_user "$PG_BIN/initdb" -D "$WORK/pgdata" -U postgres --auth=trust --no-locale -E UTF8 --no-sync \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
# Durability off: a test cluster is thrown away, and fsyncs dominate CREATE DATABASE.
as_pg_user "$PG_BIN/pg_ctl" -D "$WORK/pgdata" -l "$WORK/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK -F -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
    >/dev/null || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }

redis_status="not started"
if command -v redis-server >/dev/null; then
    REDIS_PORT="$(free_port)"
    if redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$WORK" \
        --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"; then
        for _ in $(seq 50); do [[ -s "$WORK/redis.pid" ]] && break; sleep 0.1; done
        export ENGAGEMENT_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
        redis_status="127.0.0.1:$REDIS_PORT"
    fi
fi
log "Redis: $redis_status"

# --- run 2: PostgreSQL -----------------------------------------------------------------------------------
log "pytest on PostgreSQL"
pg_started=$SECONDS
ENGAGEMENT_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres" "$PYTHON" -m pytest -rs "$@"
pg_status=$?
pg_seconds=$((SECONDS - pg_started))

log "SQLite: exit $sqlite_status in ${sqlite_seconds}s; PostgreSQL: exit $pg_status in ${pg_seconds}s"
if [[ $sqlite_status -ne 0 || $pg_status -ne 0 ]]; then
    exit 1
fi
exit 0
