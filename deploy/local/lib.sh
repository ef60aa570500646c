# Shared by clickhouse.sh and cluster.sh (sourced, not run): finding the ClickHouse binaries, installing
# missing Debian packages, and the pid-file life cycle. The caller defines say and die.

server_bin() { command -v clickhouse-server || { [ -x /usr/sbin/clickhouse-server ] && echo /usr/sbin/clickhouse-server; } || true; }
client_bin() { command -v clickhouse-client || true; }

# apt_install PKG... installs Debian packages (with sudo unless root), quietly.
apt_install() {
	command -v apt-get >/dev/null || die "$* missing and apt-get not available: install them yourself"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	say "installing $* with apt-get"
	$sudo apt-get update -qq || true
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# alive PIDFILE: the process the pid file names is running.
alive() {
	[ -f "$1" ] || return 1
	local pid
	pid="$(cat "$1" 2>/dev/null)" || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop_pid PIDFILE WHAT: SIGTERM, up to 30 s for it to exit, then SIGKILL; removes the pid file.
stop_pid() {
	alive "$1" || { rm -f "$1"; return 0; }
	local pid i
	pid="$(cat "$1")"
	kill -TERM "$pid"
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$2 (pid $pid) still alive after 30s; killing"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$1"
	say "$2 stopped (pid $pid)"
}
