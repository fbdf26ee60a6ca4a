#!/bin/sh
# Registers shards with the coordinators through `thoonk admin`. The chart's post-install and
# post-upgrade Job runs it after every install and upgrade, so it is idempotent:
#   - a shard that is not registered yet is added (add-shard ID PRIMARY --replica R... --weight W);
#     the coordinator checks first that the primary answers and that every replica follows it;
#   - a shard that is registered already (by an earlier run, or by a run racing this one) is left as
#     it is: after a failover its primary is another node, which is as it should be. Replicas the
#     chart has but its record lacks (replicasPerShard raised) are reported, not added;
#   - while the coordinators or the nodes are still starting (unreachable, a replica not connected
#     yet) it retries, every THOONK_REGISTER_RETRY_SECONDS, until THOONK_REGISTER_TIMEOUT seconds have
#     passed; a refusal that retrying cannot change (an invalid argument, or a primary that another
#     shard uses) ends the attempts on that shard at once.
# Exit status: 0 once every shard is registered, 1 if any is not.
#
# Environment:
#   THOONK_SHARDS       one shard per line: ID PRIMARY_HOST:PORT [REPLICA_HOST:PORT...]
#   THOONK_COORDINATOR  the coordinators, host:port[,host:port...] (read by thoonk itself)
#   THOONK_SHARD_WEIGHT relative capacity of a new shard (default 1)
#   THOONK_REGISTER_TIMEOUT, THOONK_REGISTER_RETRY_SECONDS  (default 600 and 5)
#   THOONK_CLI          the thoonk command (default: thoonk on the PATH)
set -u

thoonk=${THOONK_CLI:-thoonk}
timeout=${THOONK_REGISTER_TIMEOUT:-600}
retry=${THOONK_REGISTER_RETRY_SECONDS:-5}
weight=${THOONK_SHARD_WEIGHT:-1}
deadline=$(( $(date +%s) + timeout ))

say() {
  echo "register-shards: $*"
}

# The registered shards, one JSON line each (`admin shards --output json`), read once and again only
# after a failed attempt (another run may have registered a shard meanwhile).
listing=""
listed=0
list_shards() {
  if ! listing=$("$thoonk" admin shards --output json </dev/null 2>&1); then
    say "cannot list the shards yet: $listing"
    listed=0
    return 1
  fi
  listed=1
}

# Reports replicas of the chart that the shard's record does not name.
check_replicas() {
  id=$1
  record=$2
  shift 2
  for replica in "$@"; do
    case $record in
      *"\"$replica\""*) ;;
      *) say "warning: shard $id is registered without replica $replica; the coordinators neither watch it nor promote it (remove and re-add the shard once it owns no team, see docs/operations.md)" ;;
    esac
  done
}

# register ID PRIMARY [REPLICA...]: 0 once registered, 1 when it gives up.
register() {
  id=$1
  primary=$2
  shift 2
  while :; do
    if [ "$listed" = 1 ] || list_shards; then
      record=$(printf '%s\n' "$listing" | grep -F "\"id\":\"$id\"")
      if [ -n "$record" ]; then
        say "shard $id is registered already: $record"
        check_replicas "$id" "$record" "$@"
        return 0
      fi
      flags=""
      for replica in "$@"; do
        flags="$flags --replica $replica"
      done
      # shellcheck disable=SC2086 # one word per flag and address
      out=$("$thoonk" admin add-shard "$id" "$primary" $flags --weight "$weight" </dev/null 2>&1)
      status=$?
      if [ "$status" = 0 ]; then
        say "$out"
        return 0
      fi
      case $out in
        *"ALREADY_EXISTS: shard '$id' is already registered"*)
          say "shard $id was registered meanwhile"
          return 0 ;;
        *"ALREADY_EXISTS"*)
          say "cannot register shard $id: $out"
          return 1 ;;
      esac
      # exit status 2: a usage error or an invalid argument
      if [ "$status" = 2 ]; then
        say "cannot register shard $id: $out"
        return 1
      fi
      say "shard $id is not registered yet: $out"
      listed=0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "gave up registering shard $id after ${timeout}s"
      return 1
    fi
    sleep "$retry"
  done
}

if [ -z "${THOONK_SHARDS:-}" ]; then
  say "THOONK_SHARDS is empty: no shard to register"
  exit 1
fi

failed=0
# one shard a line; read from a here-document so that `failed` is set in this shell
while read -r id primary replicas; do
  [ -n "${id:-}" ] || continue
  # shellcheck disable=SC2086 # replicas: one address a word
  register "$id" "$primary" $replicas || failed=1
done <<SHARDS
$THOONK_SHARDS
SHARDS

if [ "$failed" = 0 ]; then
  say "every shard is registered"
fi
exit "$failed"
