# SPDX-License-Identifier: GPL-2.0-or-later
# mariadb.sh - a private MariaDB server for tests and `make run`: Debian's
# mariadb-server binaries, a datadir of our own, a socket and a TCP port of
# our own.  Never the system service.  Source it, then:
#   mariadb_start DIR [PORT]   start (or reuse) a server with data in DIR
#   mariadb_stop DIR           stop it (waits for the process to exit)
#   mariadb_sql DIR SQL...     run SQL as root over the socket

mariadb_bin() {
    for b in /usr/sbin/mariadbd /usr/sbin/mysqld /usr/bin/mariadbd; do
        [ -x "$b" ] && { echo "$b"; return 0; }
    done
    echo "mariadb-server is not installed (run tools/ensure-deps.sh)" >&2
    return 1
}

mariadb_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mariadb_sql() {
    local dir=$1; shift
    mariadb --no-defaults -uroot -S "$dir/mysqld.sock" -N -B -e "$*"
}

mariadb_start() {
    local dir=$1 port=${2:-} bind=${3:-127.0.0.1} bin
    bin=$(mariadb_bin) || return 1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -S "$dir/mysqld.sock" ] && mariadb_sql "$dir" "SELECT 1" >/dev/null 2>&1; then
        return 0
    fi
    [ -n "$port" ] || port=$(mariadb_free_port)
    if [ ! -d "$dir/data/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
    fi
    echo "$port" > "$dir/port"
    "$bin" --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" \
        --port="$port" --bind-address="$bind" --pid-file="$dir/mysqld.pid" \
        --user="$(id -un)" --log-error="$dir/error.log" \
        --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
        --skip-log-bin --max-connections=500 --skip-name-resolve \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
        >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
        mariadb_sql "$dir" "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "mariadb did not start; see $dir/error.log" >&2
    tail -20 "$dir/error.log" >&2
    return 1
}

mariadb_stop() {
    local dir=$1 pid
    [ -f "$dir/mysqld.pid" ] || return 0
    pid=$(cat "$dir/mysqld.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
}

# mariadb_new_db DIR NAME USER PASSWORD - a database and a user limited to it.
mariadb_new_db() {
    local dir=$1 name=$2 user=$3 pw=$4
    mariadb_sql "$dir" "CREATE DATABASE IF NOT EXISTS \`$name\`;
        CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$pw';
        CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$pw';
        GRANT ALL ON \`$name\`.* TO '$user'@'%';
        GRANT ALL ON \`$name\`.* TO '$user'@'localhost';"
}
