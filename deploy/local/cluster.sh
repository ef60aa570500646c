#!/usr/bin/env bash
# A local ClickHouse cluster for tests and for trying CXM on one: 2 shards × 2 replicas (four
# clickhouse-server processes on loopback ports of their own) and one ZooKeeper.
#
#   deploy/local/cluster.sh start             install what is missing, write configs, start all, wait
#   deploy/local/cluster.sh stop              stop the four servers and ZooKeeper (graceful, then kill)
#   deploy/local/cluster.sh status            exit 0 when every server and ZooKeeper answer
#   deploy/local/cluster.sh addrs             the servers' native addresses, comma-separated
#   deploy/local/cluster.sh client N [args]   clickhouse-client against server N (1..4)
#   deploy/local/cluster.sh kill N            kill -9 server N (fault tests)
#   deploy/local/cluster.sh stop-server N     stop server N gracefully
#   deploy/local/cluster.sh start-server N    start server N again and wait for it
#   deploy/local/cluster.sh zk-stop|zk-start  stop / start ZooKeeper
#
# Servers 1 and 2 are the replicas of shard 1, 3 and 4 of shard 2; macros {cluster}, {shard}, {replica}
# (replica names ch1..ch4, unique across the cluster). Everything lives under <repo>/run/cluster (ignored by
# git) unless CXM_CLUSTER_DIR names another directory. Only the processes this script started (pid files)
# are ever signalled: a single development server on 9000 keeps running.
#
# Environment:
#   CXM_CLUSTER_DIR         state directory (default <repo>/run/cluster)
#   CXM_CLUSTER_PORT_BASE   ZooKeeper on BASE, server N native on BASE+N, HTTP on BASE+10+N,
#                           interserver on BASE+20+N (default 19100)
#   CXM_CLUSTER_NAME        the <remote_servers> cluster name and {cluster} macro (default cxm_local)
#   CXM_CLUSTER_START_TIMEOUT  seconds to wait for each process (default 90)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${CXM_CLUSTER_DIR:-$repo/run/cluster}"
base="${CXM_CLUSTER_PORT_BASE:-19100}"
name="${CXM_CLUSTER_NAME:-cxm_local}"
start_timeout="${CXM_CLUSTER_START_TIMEOUT:-90}"
zk_port="$base"
zk_jar=/usr/share/java/zookeeper.jar
servers=(1 2 3 4)

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }

tcp_port() { echo $((base + $1)); }
http_port() { echo $((base + 10 + $1)); }
interserver_port() { echo $((base + 20 + $1)); }
shard_of() { echo $((($1 + 1) / 2)); }

# shellcheck source=deploy/local/lib.sh
. "$here/lib.sh"

install_if_missing() {
	local missing=()
	[ -n "$(server_bin)" ] || missing+=(clickhouse-server)
	[ -n "$(client_bin)" ] || missing+=(clickhouse-client)
	[ -f "$zk_jar" ] || missing+=(zookeeper)
	command -v java >/dev/null || missing+=(default-jre-headless)
	[ ${#missing[@]} -eq 0 ] && return
	apt_install "${missing[@]}"
	[ -n "$(server_bin)" ] && [ -f "$zk_jar" ] || die "apt-get finished but clickhouse-server or ZooKeeper is still missing"
}

# ---- ZooKeeper

zk_dir="$dir/zookeeper"
zk_pidfile="$zk_dir/zookeeper.pid"

# ZooKeeper's "stat" (whitelisted in zoo.cfg) says "Mode: standalone" once it serves requests: a listening
# port is not enough, and 18.16 gives up starting when its replicated tables cannot reach ZooKeeper.
zk_answers() {
	local reply=""
	reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && printf stat >&3 && timeout 2 cat <&3) 2>/dev/null)" || true
	[[ "$reply" == *"Mode: standalone"* ]]
}

zk_start() {
	if alive "$zk_pidfile"; then
		return 0
	fi
	mkdir -p "$zk_dir/data" "$zk_dir/log"
	cat >"$zk_dir/zoo.cfg" <<EOF
tickTime=2000
dataDir=$zk_dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,stat
autopurge.purgeInterval=1
EOF
	(cd "$zk_dir" || exit 1; nohup java -Xmx256m -Dzookeeper.log.dir="$zk_dir/log" -cp "$zk_jar" \
		org.apache.zookeeper.server.ZooKeeperServerMain "$zk_dir/zoo.cfg" >"$zk_dir/log/stdout.log" 2>&1 </dev/null &
		echo $! >"$zk_pidfile")
	local waited=0
	until zk_answers; do
		alive "$zk_pidfile" || { tail -n 30 "$zk_dir/log/stdout.log" >&2; die "ZooKeeper exited during startup"; }
		[ "$waited" -lt "$start_timeout" ] || die "ZooKeeper did not listen on 127.0.0.1:$zk_port within ${start_timeout}s"
		sleep 1
		waited=$((waited + 1))
	done
	say "ZooKeeper running (pid $(cat "$zk_pidfile")) on 127.0.0.1:$zk_port"
}

zk_stop() { stop_pid "$zk_pidfile" ZooKeeper; }

# ---- ClickHouse servers

sdir() { echo "$dir/ch$1"; }
spidfile() { echo "$(sdir "$1")/clickhouse-server.pid"; }

client() { # N args...
	local n="$1"
	shift
	"$(client_bin)" --host 127.0.0.1 --port "$(tcp_port "$n")" "$@"
}

answers() { [ "$(client "$1" --query 'SELECT 1' 2>/dev/null)" = "1" ]; }

shards_xml() {
	local s r
	for s in 1 2; do
		echo "            <shard>"
		echo "                <internal_replication>true</internal_replication>"
		for r in $((2 * s - 1)) $((2 * s)); do
			echo "                <replica><host>127.0.0.1</host><port>$(tcp_port "$r")</port></replica>"
		done
		echo "            </shard>"
	done
}

write_config() { # N
	local n="$1" d f shards
	d="$(sdir "$n")"
	mkdir -p "$d"/{data,tmp,log,user_files,format_schemas,dictionaries}
	shards="$(shards_xml)"
	for f in config users; do
		SHARDS="$shards" awk -v dir="$d" -v tcp="$(tcp_port "$n")" -v http="$(http_port "$n")" \
			-v inter="$(interserver_port "$n")" -v cluster="$name" -v shard="$(shard_of "$n")" \
			-v replica="ch$n" -v zk="$zk_port" '
			/^@SHARDS@$/ { print ENVIRON["SHARDS"]; next }
			{
				gsub(/@DIR@/, dir); gsub(/@TCP_PORT@/, tcp); gsub(/@HTTP_PORT@/, http)
				gsub(/@INTERSERVER_PORT@/, inter); gsub(/@CLUSTER@/, cluster); gsub(/@SHARD@/, shard)
				gsub(/@REPLICA@/, replica); gsub(/@ZK_PORT@/, zk)
				print
			}' "$here/cluster/$f.xml.in" >"$d/$f.xml"
	done
}

server_launch() { # N
	local n="$1" d
	d="$(sdir "$n")"
	if alive "$(spidfile "$n")"; then
		return 0
	fi
	answers "$n" && die "something else already answers on 127.0.0.1:$(tcp_port "$n"); set CXM_CLUSTER_PORT_BASE"
	write_config "$n"
	# After a kill -9 a replica may hold parts ZooKeeper never heard of, and 18.16 then refuses to start
	# ("The local set of parts … doesn't look like the set of parts in ZooKeeper"). The flag is the
	# documented recovery: such parts go to detached/ and the replica fetches what it lacks from the others.
	mkdir -p "$d/data/flags"
	touch "$d/data/flags/force_restore_data"
	# One command after the cd, so $! is the server itself and not a subshell around it.
	(cd "$d" || exit 1; nohup "$(server_bin)" --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1 </dev/null &
		echo $! >"$(spidfile "$n")")
}

server_wait() { # N
	local n="$1" waited=0 d tries=0
	d="$(sdir "$n")"
	until answers "$n"; do
		if ! alive "$(spidfile "$n")"; then
			# 18.16 exits when a replicated table cannot reach ZooKeeper while it starts (ZooKeeper
			# just started, or still closing the sessions of a killed server): try again a few times.
			if [ "$tries" -lt 5 ] && grep -aq "ZooKeeper" <(tail -n 50 "$d/log/clickhouse-server.err.log" 2>/dev/null); then
				tries=$((tries + 1))
				say "server $n could not reach ZooKeeper while starting; retry $tries"
				sleep 2
				server_launch "$n"
				continue
			fi
			grep -a "<Error>" "$d/log/clickhouse-server.err.log" | tail -n 5 >&2 2>/dev/null || true
			die "server $n exited during startup"
		fi
		if [ "$waited" -ge "$start_timeout" ]; then
			grep -a "<Error>" "$d/log/clickhouse-server.err.log" | tail -n 5 >&2 2>/dev/null || true
			die "server $n did not answer on 127.0.0.1:$(tcp_port "$n") within ${start_timeout}s"
		fi
		sleep 1
		waited=$((waited + 1))
	done
}

server_stop() { stop_pid "$(spidfile "$1")" "server $1"; }

check_n() { [[ "${1:-}" =~ ^[1-4]$ ]] || die "want a server number 1..4, got '${1:-}'"; }

addrs() {
	local n out=()
	for n in "${servers[@]}"; do out+=("127.0.0.1:$(tcp_port "$n")"); done
	(IFS=,; echo "${out[*]}")
}

start() {
	install_if_missing
	zk_start
	local n
	for n in "${servers[@]}"; do server_launch "$n"; done
	for n in "${servers[@]}"; do server_wait "$n"; done
	say "running: cluster $name, servers $(addrs) (shard 1: 1,2; shard 2: 3,4), ZooKeeper 127.0.0.1:$zk_port, version $(client 1 --query 'SELECT version()')"
}

stop() {
	local n
	for n in "${servers[@]}"; do server_stop "$n"; done
	zk_stop
}

status() {
	local n rc=0
	for n in "${servers[@]}"; do
		if alive "$(spidfile "$n")" && answers "$n"; then
			say "server $n running (pid $(cat "$(spidfile "$n")")) on 127.0.0.1:$(tcp_port "$n")"
		else
			say "server $n not running"
			rc=3
		fi
	done
	if alive "$zk_pidfile" && zk_answers; then
		say "ZooKeeper running (pid $(cat "$zk_pidfile")) on 127.0.0.1:$zk_port"
	else
		say "ZooKeeper not running"
		rc=3
	fi
	return $rc
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
start) start ;;
stop) stop ;;
status) status ;;
addrs) addrs ;;
client)
	check_n "${1:-}"
	n="$1"
	shift
	client "$n" "$@"
	;;
kill)
	check_n "${1:-}"
	if alive "$(spidfile "$1")"; then
		kill -KILL "$(cat "$(spidfile "$1")")"
		say "server $1 killed (kill -9)"
	fi
	;;
stop-server) check_n "${1:-}" && server_stop "$1" ;;
start-server) check_n "${1:-}" && server_launch "$1" && server_wait "$1" && say "server $1 running" ;;
zk-stop) zk_stop ;;
zk-start) zk_start ;;
*)
	echo "usage: $0 {start|stop|status|addrs|client N [args]|kill N|stop-server N|start-server N|zk-stop|zk-start}" >&2
	exit 2
	;;
esac
