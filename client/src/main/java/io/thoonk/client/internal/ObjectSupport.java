package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncLiveObject;
import io.thoonk.client.Event;
import io.thoonk.client.HistoryTruncatedException;
import io.thoonk.client.Item;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Published;
import io.thoonk.client.TeamFencedException;
import io.thoonk.client.ThoonkException;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
    private final String[] keys;
    private final String[] readKeys;

    ObjectSupport(DefaultThoonk thoonk, String name, ObjectType type) {
        this.thoonk = thoonk;
        this.name = Names.objectName(name);
        this.type = type;
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

    /** Runs this type's write script with {@code args} after the common four. */
    <T> CompletableFuture<T> write(Script script, ScriptOutputType output, String id, String relativeId,
                                   long expected, String... args) {
        return run(script, keys, output, id, relativeId, expected, args);
    }

    /** Runs the shared read script ({@code read.lua}), fenced like a write. */
    <T> CompletableFuture<T> read(ScriptOutputType output, String op, String id) {
        return run(Script.READ, readKeys, output, id, null, -1, readArgs(op, id));
    }

    /**
     * Runs {@code script} with the common four arguments and then {@code args} on the team's
     * shard, rerouting when the team's fence refuses (see {@link #onShard(Function, Failures.Context)}).
     */
    <T> CompletableFuture<T> run(Script script, String[] scriptKeys, ScriptOutputType output, String id,
                                         String relativeId, long expected, String... args) {
        return onShard(route -> runOn(route, script, scriptKeys, output, args),
                new Failures.Context(name, type, team, id, relativeId, expected), Duration.ZERO);
    }

    /** One call of {@code script} on {@code route}'s shard, sending the route's team epoch. */
    private <T> CompletableFuture<T> runOn(Route route, Script script, String[] scriptKeys, ScriptOutputType output,
                                           String... args) {
        String[] all = new String[4 + args.length];
        all[0] = name;
        all[1] = thoonk.options().instanceId();
        all[2] = route.epochArgument();
        all[3] = thoonk.defaultHistoryLength();
        System.arraycopy(args, 0, all, 4, args.length);
        return route.shard().run(script, output, scriptKeys, all);
    }

    private String[] readArgs(String op, String id) {
        return new String[] {type.contractName(), op, id == null ? "" : id};
    }

    /**
     * Runs {@code op} on the team's shard, failing with the client's exception types, and at the
     * latest after the command timeout (with a {@link io.thoonk.client.ThoonkTimeoutException}).
     */
    <T> CompletableFuture<T> onShard(Function<Route, CompletableFuture<T>> op) {
        return onShard(op, new Failures.Context(name, type, team, null, null, -1), Duration.ZERO);
    }

    /** {@link #onShard(Function)} for an operation that waits up to {@code wait} by design. */
    <T> CompletableFuture<T> onShard(Function<Route, CompletableFuture<T>> op, Duration wait) {
        return onShard(op, new Failures.Context(name, type, team, null, null, -1), wait);
    }

    /**
     * Runs {@code op} on the team's shard. When the shard refuses because the team's fence says the
     * route is stale (the team moved, or is frozen while it moves), the route is refreshed and the
     * operation retried until {@link io.thoonk.client.ThoonkOptions#rerouteDeadline()}; only then
     * does the caller see the {@link TeamFencedException}. Reads and writes alike: the scripts
     * check the fence for both. Whatever happens, the call completes within the command timeout
     * (plus {@code wait}).
     */
    private <T> CompletableFuture<T> onShard(Function<Route, CompletableFuture<T>> op, Failures.Context context,
                                             Duration wait) {
        long deadline = System.nanoTime() + thoonk.options().rerouteDeadline().toNanos();
        return thoonk.within(attempt(op, context, deadline), thoonk.options().commandTimeout().plus(wait), name);
    }

    private <T> CompletableFuture<T> attempt(Function<Route, CompletableFuture<T>> op, Failures.Context context,
                                             long deadline) {
        return thoonk.router().route(team)
                .thenCompose(route -> route.shard().admit(() -> op.apply(route)))
                .handle((value, error) -> error == null ? CompletableFuture.completedFuture(value)
                        : this.<T>failedOrRerouted(error, op, context, deadline))
                .thenCompose(f -> f);
    }

    /** A stale route (fenced) is refreshed and the call tried again, until the reroute deadline. */
    private <T> CompletableFuture<T> failedOrRerouted(Throwable error, Function<Route, CompletableFuture<T>> op,
                                                      Failures.Context context, long deadline) {
        ThoonkException failure = Failures.exception(Await.unwrap(error), context);
        if (failure instanceof TeamFencedException && System.nanoTime() < deadline
                && thoonk.router().invalidate(team)) {
            return CompletableFuture.supplyAsync(() -> null, REROUTE_PAUSE)
                    .thenCompose(ignored -> this.<T>attempt(op, context, deadline));
        }
        return CompletableFuture.failedFuture(failure);
    }

    private static final java.util.concurrent.Executor REROUTE_PAUSE =
            CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS);

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
                ScriptOutputType.MULTI, type.contractName(), "history", Long.toString(first),
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
