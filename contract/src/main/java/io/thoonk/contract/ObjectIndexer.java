package io.thoonk.contract;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Indexes a whole shard once: puts every object on it into its team's object index
 * ({@link Keys#teamObjects}), and drops index entries of objects that no longer exist. For data
 * that predates the index, or was written by original Thoonk peers that know nothing of it; from
 * then on the object scripts keep the index current (see docs/contract.md).
 *
 * <p>It walks the contract's registry set {@code feeds} with {@code SSCAN}, then every index key
 * with {@code SCAN}/{@code SSCAN}, a page at a time; each page is one script call that checks
 * every name again atomically, so objects created or deleted meanwhile are never mis-indexed. It
 * blocks no other client for longer than one page. Running it again is harmless.
 *
 * <p>Every Redis call finishes within the connection's timeout
 * ({@link StatefulRedisConnection#getTimeout()}); failures are Lettuce's
 * {@link RedisException}s, a call without an answer in time a {@link RedisCommandTimeoutException}.
 * Names whose team (by the given function) is not a valid team id are counted as skipped: no team
 * can be moved under such a name.
 */
public final class ObjectIndexer {

    /** Names read and checked per script call. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    /**
     * How far an indexing run got; given to the progress callback after every page and returned at
     * the end.
     *
     * @param scanned names read from {@code feeds} (SSCAN may return a name twice)
     * @param indexed names that were not in their team's index and now are
     * @param skipped names whose team is not a valid team id
     * @param pruned  index entries removed because their object no longer exists
     * @param done    true on the last report of a run
     */
    public record Progress(long scanned, long indexed, long skipped, long pruned, boolean done) {
    }

    private final Function<String, String> teamOf;
    private final int pageSize;

    /**
     * @param teamOf   the deployment's team rule: object name to team id (for the standard rule,
     *                 {@code name -> StandardTeams.teamOf(name, globalTeam)})
     * @param pageSize names per scan page and script call
     */
    public ObjectIndexer(Function<String, String> teamOf, int pageSize) {
        this.teamOf = Objects.requireNonNull(teamOf, "teamOf == null");
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    public ObjectIndexer(Function<String, String> teamOf) {
        this(teamOf, DEFAULT_PAGE_SIZE);
    }

    /**
     * Indexes every object of the shard {@code connection} talks to (its primary), reporting to
     * {@code progress} after every page (of {@code feeds}, of the scan for index keys, of each
     * index) and once at the end, all on the calling thread. Returns the final counts.
     *
     * <p>A {@code progress} consumer that throws stops the run there, between pages: the pages done
     * so far stay done, and the exception propagates unchanged. That is how a caller cancels.
     */
    public Progress indexShard(StatefulRedisConnection<String, String> connection, Consumer<Progress> progress) {
        Objects.requireNonNull(connection, "connection == null");
        Objects.requireNonNull(progress, "progress == null");
        Run run = new Run(connection, progress);
        run.indexRegistry();
        run.pruneIndexes();
        Progress last = run.progress(true);
        progress.accept(last);
        return last;
    }

    /** One indexing run's state. */
    private final class Run {
        private final StatefulRedisConnection<String, String> connection;
        private final RedisCommands<String, String> sync;
        private final Consumer<Progress> progress;
        private final ScanArgs page = ScanArgs.Builder.limit(pageSize);
        private long scanned;
        private long indexed;
        private long skipped;
        private long pruned;

        Run(StatefulRedisConnection<String, String> connection, Consumer<Progress> progress) {
            this.connection = connection;
            this.sync = connection.sync();
            this.progress = progress;
        }

        Progress progress(boolean done) {
            return new Progress(scanned, indexed, skipped, pruned, done);
        }

        void indexRegistry() {
            ValueScanCursor<String> cursor = sync.sscan(Keys.FEEDS, page);
            while (true) {
                List<String> keys = new ArrayList<>();
                List<String> args = new ArrayList<>();
                keys.add(Keys.FEEDS);
                args.add("add");
                for (String name : cursor.getValues()) {
                    scanned++;
                    String team = teamOf.apply(name);
                    if (team == null || NameRules.team(team).isPresent()) {
                        skipped++;
                        continue;
                    }
                    keys.add(Keys.teamObjects(team));
                    keys.add(Keys.config(name));
                    args.add(name);
                }
                if (args.size() > 1) {
                    indexed += runScript(keys, args);
                }
                progress.accept(progress(false));
                if (cursor.isFinished()) {
                    return;
                }
                cursor = sync.sscan(Keys.FEEDS, cursor, page);
            }
        }

        void pruneIndexes() {
            ScanArgs indexKeys = ScanArgs.Builder.matches(Keys.TEAM_OBJECTS_PREFIX + "*").limit(pageSize);
            KeyScanCursor<String> cursor = sync.scan(indexKeys);
            while (true) {
                for (String index : cursor.getKeys()) {
                    pruneIndex(index);
                }
                progress.accept(progress(false));
                if (cursor.isFinished()) {
                    return;
                }
                cursor = sync.scan(cursor, indexKeys);
            }
        }

        private void pruneIndex(String index) {
            ScanCursor at = ScanCursor.INITIAL;
            do {
                ValueScanCursor<String> cursor = sync.sscan(index, at, page);
                List<String> keys = new ArrayList<>();
                List<String> args = new ArrayList<>();
                keys.add(Keys.FEEDS);
                keys.add(index);
                args.add("prune");
                for (String name : cursor.getValues()) {
                    keys.add(Keys.config(name));
                    args.add(name);
                }
                if (args.size() > 1) {
                    pruned += runScript(keys, args);
                }
                progress.accept(progress(false));
                at = cursor;
            } while (!at.isFinished());
        }

        private long runScript(List<String> keys, List<String> args) {
            CompletableFuture<Long> call = Script.INDEX.run(connection.async(), ScriptOutputType.INTEGER,
                    keys.toArray(String[]::new), args.toArray(String[]::new));
            Duration timeout = connection.getTimeout();
            try {
                return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                call.cancel(true);
                throw new RedisCommandTimeoutException("the index script did not answer within " + timeout
                        + " (" + (args.size() - 1) + " names)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisCommandInterruptedException(e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RedisException r) {
                    throw r;
                }
                throw new RedisException("the index script failed: " + e.getCause(), e.getCause());
            }
        }
    }
}
