package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncLiveObject;
import io.thoonk.client.Event;
import io.thoonk.client.HistoryTruncatedException;
import io.thoonk.client.Item;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Published;
import io.thoonk.client.Durability;
import io.thoonk.client.ReplicationUnavailableException;
import io.thoonk.client.WriteOutcomeUnknownException;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What every object implementation shares: its keys, running its scripts with the common
 * arguments, translating failures, revision and replay.
 */
abstract class ObjectSupport implements AsyncLiveObject {

    final DefaultThoonk thoonk;
    final String name;
    final String team;
    final ObjectType type;
    /** How this view's writes are acknowledged. */
    final Durability durability;
    private final String[] keys;
    private final String[] readKeys;

    ObjectSupport(DefaultThoonk thoonk, String name, ObjectType type) {
        this(thoonk, name, type, thoonk.options().durability());
    }

    ObjectSupport(DefaultThoonk thoonk, String name, ObjectType type, Durability durability) {
        this.thoonk = thoonk;
        this.name = Names.objectName(name);
        this.type = type;
        this.durability = Objects.requireNonNull(durability, "durability == null");
        this.team = thoonk.options().teamRule().teamOf(name);
        this.keys = Keys.common(name, team, Keys.specific(type.contractName(), name));
        this.readKeys = Keys.common(name, team, Keys.read(name));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ObjectType type() {
        return type;
    }

    String item(String item) {
        return Names.item(item, thoonk.options().maxItemBytes());
    }

    /**
     * Runs this type's write script with {@code args} after the common four: a change, remembered
     * under a request id of its own (so its retries never apply twice) and acknowledged with this
     * view's durability.
     */
    <T> CompletableFuture<T> write(Script script, ScriptOutputType output, String id, String relativeId,
                                   long expected, String... args) {
        return run(script, keys, output, true, id, relativeId, expected, args);
    }

    /** Runs an op of this type's write script that only reads (the job reads of jobs.lua): fenced, not remembered. */
    <T> CompletableFuture<T> query(Script script, ScriptOutputType output, String id, String... args) {
        return run(script, keys, output, false, id, null, -1, args);
    }

    /** Runs the shared read script ({@code read.lua}), fenced like a write. */
    <T> CompletableFuture<T> read(ScriptOutputType output, String op, String id) {
        return run(Script.READ, readKeys, output, false, id, null, -1, readArgs(op, id));
    }

    /**
     * Runs {@code script} with the common four arguments and then {@code args} on the team's shard
     * (see {@link ShardCall} for rerouting and riding failovers). A {@code change} carries a request
     * id (the same at every attempt) and is acknowledged with this view's durability.
     */
    <T> CompletableFuture<T> run(Script script, String[] scriptKeys, ScriptOutputType output, boolean change,
                                 String id, String relativeId, long expected, String... args) {
        return run(ShardCall.GiveUp.NEVER, script, scriptKeys, output, change, id, relativeId, expected, args);
    }

    /**
     * A take of a blocking take (queue.lua's {@code take}, jobs.lua's {@code claim}): a write that
     * starts no retry after {@code giveUp}, unless it may already have taken an item (then it asks
     * again with its request id until the command timeout; see {@link ShardCall}).
     */
    <T> CompletableFuture<T> take(ShardCall.GiveUp giveUp, Script script, ScriptOutputType output, String... args) {
        return run(giveUp, script, keys, output, true, null, null, -1, args);
    }

    private <T> CompletableFuture<T> run(ShardCall.GiveUp giveUp, Script script, String[] scriptKeys,
                                         ScriptOutputType output, boolean change, String id, String relativeId,
                                         long expected, String... args) {
        String[] callKeys = change ? Keys.withRequest(scriptKeys, team, thoonk.nextRequestId()) : scriptKeys;
        Durability asked = change ? durability : Durability.PRIMARY;
        return ShardCall.run(thoonk, team, route -> runOn(route, script, callKeys, output, asked, args),
                new Failures.Context(name, type, team, id, relativeId, expected), change,
                thoonk.options().commandTimeout(), giveUp);
    }

    /** One call of {@code script} on {@code route}'s shard, sending the route's team epoch. */
    private <T> CompletableFuture<T> runOn(Route route, Script script, String[] scriptKeys, ScriptOutputType output,
                                           Durability asked, String... args) {
        String[] all = new String[4 + args.length];
        all[0] = name;
        all[1] = thoonk.options().instanceId();
        all[2] = route.epochArgument();
        all[3] = thoonk.defaultHistoryLength();
        System.arraycopy(args, 0, all, 4, args.length);
        if (asked == Durability.REPLICATED && route.replicas() == Route.Replicas.NONE) {
            return CompletableFuture.failedFuture(new ReplicationUnavailableException(name, route.shardId(),
                    route.stateReason()));
        }
        if (route.effective(asked) == Durability.REPLICATED) {
            Duration timeout = thoonk.options().replicationTimeout();
            return route.shard().runReplicated(script, output, scriptKeys, all, timeout.toMillis(),
                    () -> new WriteOutcomeUnknownException(name, route.shardId(), "the primary applied it, but no"
                            + " replica confirmed it within " + timeout + " (ThoonkOptions.replicationTimeout), so a"
                            + " failover now could lose it"));
        }
        return route.shard().run(script, output, scriptKeys, all);
    }

    private String[] readArgs(String op, String id) {
        return new String[] {type.contractName(), op, id == null ? "" : id};
    }

    /**
     * Runs {@code op} (which reads) on the team's shard, rerouted when the team's fence says the
     * route is stale and tried again on the new primary when the shard's primary fails or changes
     * (see {@link ShardCall}), failing with the client's exception types, and at the latest after
     * the command timeout (with a {@link io.thoonk.client.ThoonkTimeoutException}).
     */
    <T> CompletableFuture<T> onShard(Function<Route, CompletableFuture<T>> op) {
        return ShardCall.run(thoonk, team, op, new Failures.Context(name, type, team, null, null, -1), false,
                thoonk.options().commandTimeout());
    }

    /**
     * {@link #onShard(Function)} for an operation that only waits, up to {@code giveUp}, by design:
     * {@code op} is given the time left at each attempt, and no retry starts after {@code giveUp}
     * (see {@link ShardCall}).
     */
    <T> CompletableFuture<T> waitOnShard(BiFunction<Route, Duration, CompletableFuture<T>> op, ShardCall.GiveUp giveUp) {
        Duration wait = giveUp.left();
        return ShardCall.run(thoonk, team, route -> op.apply(route, giveUp.left()),
                new Failures.Context(name, type, team, null, null, -1), false,
                thoonk.options().commandTimeout().plus(wait), giveUp);
    }

    @Override
    public CompletableFuture<Long> revision() {
        return read(ScriptOutputType.INTEGER, "revision", null);
    }

    /**
     * The history up to the revision current when the shard's fence admitted the first page (see
     * {@link #history}).
     */
    @Override
    public CompletableFuture<List<Event>> replay(long fromRevision) {
        Names.revision(fromRevision);
        return history(fromRevision, -1).thenApply(slice -> {
            if (slice.lost()) {
                throw new HistoryTruncatedException(name, slice.lostFrom(), slice.lostUntil() > slice.current()
                        ? 0 : slice.lostUntil());
            }
            return slice.events();
        });
    }

    /**
     * The history from {@code from} to {@code to} ({@code -1}: the current revision), a page per
     * read.lua call: each page fenced, so a stale route is refused and the whole read rerouted like
     * any read (see {@link #onShard(Function)}).
     */
    CompletableFuture<History.Slice> history(long from, long to) {
        return onShard(route -> History.read(name, from, to, (first, last, count) -> runOn(route, Script.READ, readKeys,
                ScriptOutputType.MULTI, Durability.PRIMARY, type.contractName(), "history", Long.toString(first),
                last < 0 ? "" : Long.toString(last), Integer.toString(count))));
    }

    static String expected(long expectedRevision) {
        return expectedRevision < 0 ? "" : Long.toString(Names.revision(expectedRevision));
    }

    static Published published(String id, Long revision) {
        return new Published(id, revision);
    }

    /** {@code [item, revision]} or nil, as read.lua's 'get' answers. */
    static Optional<Item> itemOf(String id, List<Object> reply) {
        if (isNil(reply)) {
            return Optional.empty();
        }
        return Optional.of(new Item(id, (String) reply.get(0), (Long) reply.get(1)));
    }

    /** {@code id, item, revision, ...} as read.lua's 'all' answers. */
    static List<Item> itemsOf(List<Object> reply) {
        List<Item> items = new ArrayList<>(reply.size() / 3);
        for (int i = 0; i + 2 < reply.size(); i += 3) {
            items.add(new Item((String) reply.get(i), (String) reply.get(i + 1), (Long) reply.get(i + 2)));
        }
        return items;
    }

    /** A script's nil reply read with a MULTI output: null, empty, or one null element. */
    static boolean isNil(List<Object> reply) {
        return reply == null || reply.isEmpty() || reply.get(0) == null;
    }

    @SuppressWarnings("unchecked")
    static List<String> strings(List<Object> reply) {
        return (List<String>) (List<?>) reply;
    }
}
