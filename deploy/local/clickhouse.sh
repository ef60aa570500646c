#!/usr/bin/env bash
# Project-local ClickHouse for development, tests and CI.
#
#   deploy/local/clickhouse.sh start         install if missing, write config, start, wait for SELECT 1
#   deploy/local/clickhouse.sh stop          graceful stop, then kill
#   deploy/local/clickhouse.sh status        exit 0 when running and answering
#   deploy/local/clickhouse.sh client [args] clickhouse-client against this server
#
# Everything lives under <repo>/run/clickhouse (ignored by git), found from this script's location so
# that any clone works. The server listens on 127.0.0.1 only.
#
# Environment:
#   CXM_CH_TCP_PORT       native port (default 9000)
#   CXM_CH_HTTP_PORT      HTTP port (default 8123)
#   CXM_CH_START_TIMEOUT  seconds to wait for SELECT 1 (default 60)
#   CXM_CH_USER           OS user to run the server as when started by root (default: root, which 18.16
#                         accepts; set clickhouse for servers that refuse root; run/clickhouse is chowned)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="$repo/run/clickhouse"
pidfile="$dir/clickhouse-server.pid"
tcp_port="${CXM_CH_TCP_PORT:-9000}"
http_port="${CXM_CH_HTTP_PORT:-8123}"
start_timeout="${CXM_CH_START_TIMEOUT:-60}"

say() { echo "clickhouse.sh: $*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

install_if_missing() {
	if [ -n "$(server_bin)" ] && [ -n "$(client_bin)" ]; then
		return
	fi
	apt_install clickhouse-server clickhouse-client
	[ -n "$(server_bin)" ] || die "apt-get finished but clickhouse-server is still not on PATH"
}

# run_user is the OS user the server runs as: the caller, unless CXM_CH_USER names another (18.16 runs
# as root; for a server that refuses root, CXM_CH_USER=clickhouse uses the package's user).
run_user() {
	if [ -n "${CXM_CH_USER:-}" ]; then
		echo "$CXM_CH_USER"
	elif [ "$(id -u)" -ne 0 ]; then
		id -un
	else
		echo root
	fi
}

pid_alive() { alive "$pidfile"; }

client() { "$(client_bin)" --host 127.0.0.1 --port "$tcp_port" "$@"; }

answers() { [ "$(client --query 'SELECT 1' 2>/dev/null)" = "1" ]; }

write_config() {
	mkdir -p "$dir"/{data,tmp,log,user_files,format_schemas,dictionaries}
	# A go.mod of its own keeps `go build ./...`, vet and test from walking the live data directory (parts
	# come and go while the server merges, and the walk fails on a vanished one).
	[ -f "$repo/run/go.mod" ] || printf 'module cxm.invalid/run\n' >"$repo/run/go.mod"
	local f
	for f in config users; do
		sed -e "s|@DIR@|$dir|g" -e "s|@TCP_PORT@|$tcp_port|g" -e "s|@HTTP_PORT@|$http_port|g" \
			"$here/clickhouse/$f.xml.in" >"$dir/$f.xml"
	done
}

tail_log() {
	local f
	for f in "$dir/log/clickhouse-server.err.log" "$dir/log/clickhouse-server.log" "$dir/log/stdout.log"; do
		if [ -s "$f" ]; then
			echo "---- last lines of $f" >&2
			tail -n 30 "$f" >&2
		fi
	done
}

start() {
	if pid_alive; then
		if answers; then
			say "already running (pid $(cat "$pidfile")) on 127.0.0.1:$tcp_port"
			return 0
		fi
		say "pid $(cat "$pidfile") alive but not answering yet; waiting"
	else
		if answers; then
			die "something else already answers on 127.0.0.1:$tcp_port; set CXM_CH_TCP_PORT or stop it"
		fi
		install_if_missing
		write_config
		rm -f "$pidfile"
		local user bin
		user="$(run_user)"
		bin="$(server_bin)"
		if [ "$user" != "$(id -un)" ]; then
			chown -R "$user": "$dir"
			# The server user must be able to reach run/clickhouse through the repo's parent dirs.
			su -s /bin/sh "$user" -c "test -w '$dir/data'" ||
				die "user $user cannot write $dir (check the permissions of its parent directories)"
			su -s /bin/sh "$user" -c "cd '$dir' || exit 1; nohup '$bin' --config-file='$dir/config.xml' >'$dir/log/stdout.log' 2>&1 </dev/null & echo \$! >'$pidfile'"
		else
			# The pid file is written here, not by the server: 18.16 only honours its pid option in some modes.
			(cd "$dir" || exit 1; nohup "$bin" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 </dev/null & echo $! >"$pidfile")
		fi
		say "starting $bin as $user, config $dir/config.xml"
	fi
	local waited=0
	until answers; do
		if [ "$waited" -ge "$start_timeout" ]; then
			say "ClickHouse did not answer SELECT 1 on 127.0.0.1:$tcp_port within ${start_timeout}s"
			tail_log
			exit 1
		fi
		if ! pid_alive; then
			say "ClickHouse exited during startup"
			tail_log
			exit 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
	say "running (pid $(cat "$pidfile" 2>/dev/null || echo '?')): native 127.0.0.1:$tcp_port, http 127.0.0.1:$http_port, version $(client --query 'SELECT version()')"
}

stop() {
	if ! pid_alive; then
		say "not running"
		rm -f "$pidfile"
		return 0
	fi
	stop_pid "$pidfile" ClickHouse
}

status() {
	if pid_alive && answers; then
		say "running (pid $(cat "$pidfile")) on 127.0.0.1:$tcp_port, version $(client --query 'SELECT version()')"
		return 0
	fi
	if pid_alive; then
		say "pid $(cat "$pidfile") alive but not answering on 127.0.0.1:$tcp_port"
		return 1
	fi
	say "not running"
	return 3
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
start) start ;;
stop) stop ;;
status) status ;;
restart) stop && start ;;
client)
	[ -n "$(client_bin)" ] || die "clickhouse-client not installed (run: $0 start)"
	client "$@"
	;;
*)
	echo "usage: $0 {start|stop|status|restart|client [args]}" >&2
	exit 2
	;;
esac
