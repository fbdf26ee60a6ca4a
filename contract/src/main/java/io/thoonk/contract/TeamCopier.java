package io.thoonk.contract;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * Copies one team's objects from a source Redis to a target Redis in bounded steps while the team
 * keeps being written on the source, then tells whether the copy is exact: the data part of a
 * team move (the coordinator's mover decides when to freeze, verify and switch).
 *
 * <p><b>What is copied.</b> Every object named in the team's object index on the source
 * ({@link Keys#teamObjects}, read with {@code SSCAN}: never a scan of the keyspace), with every key
 * the contract gives its type ({@link Keys#specific}, the config, revision and history), its
 * membership of {@code feeds} and of the index; the revision counter and history of every deleted
 * name in the team's index of deleted names ({@link Keys#teamDeleted}, copied too), so that a name
 * created again on the target goes on from its old revision; and the team's live request keys, found through the
 * team's request index ({@link Keys#teamRequests}), so a write retried after the move is not
 * applied twice. The team's fence is not copied: the mover writes fences.
 *
 * <p><b>Bounded steps.</b> A key of at most twice {@code pageSize} elements (and every string) is
 * copied with {@code DUMP} / {@code RESTORE ... REPLACE}, its TTL kept; a bigger one in pages of
 * {@code pageSize} ({@code HSCAN}, {@code ZSCAN}, {@code SSCAN}, {@code LRANGE}, {@code XRANGE}
 * read, one write each), so neither Redis spends more than about a millisecond on one command
 * however big the object. Deleting ({@link #deleteTeam}) uses {@code UNLINK}, which frees big
 * values off the main thread.
 *
 * <p><b>Change capture.</b> Before its first copy, the copier creates the team's change log on the
 * source ({@link Keys#teamChanges}, a stream with a TTL of {@link #CHANGE_LOG_TTL}, refreshed every
 * round) and sets the {@link TeamFence#CAPTURE_FIELD} field of the team's fence: from then on every
 * script that changes one of the team's objects appends an entry naming the object, the change's
 * event type and its item id (common.lua's {@code capture}, read with the fence in the same
 * {@code HMGET}). So every change made after that point is either seen by a later page of the copy
 * or is in the log, however short the objects' histories are ({@code history_length} 0 included).
 *
 * <p><b>Rounds.</b> {@link #copyRound} does one round: objects not copied yet are copied whole;
 * then the log is read from where the previous round stopped up to its end when the round began,
 * a page at a time, and grouped by object: for each object every item an entry names is copied
 * again from the source's current state (set on the target, or deleted there when gone), the keys
 * without per-item entries (counters, config, lists: queue, sorted-feed and job ids; job claims)
 * are copied whole, and the history entries the target lacks are appended; an object seen for the
 * first time, or with a {@code delete} among its entries, is copied whole again. What was consumed
 * is then trimmed from the log ({@code XTRIM MINID}), so it stays about one round long. Each round
 * copies what changed during the previous one, so rounds shrink while writes are slower than the
 * copy; a round run after writes stopped (the team frozen) leaves the target equal to the source,
 * which {@link #verify} checks. A log that disappeared while capturing (it expired, or someone
 * deleted it) is noticed at the next refresh: it is created again and every object copied whole.
 *
 * <p><b>Lists.</b> Lists (queue ids, sorted-feed ids, job ids) have no per-item entries: an object
 * with a list is caught up by copying the whole list each time it changed, so a busy big list costs
 * a whole copy per round.
 *
 * <p><b>Ending capture.</b> The copier never switches capture off itself: whoever ends the move
 * calls {@link #stopCapture} on the source (rolled back, or after the switch). If nobody does, the
 * log expires and changes append nothing more (the scripts never create the log); the field is
 * left, harmless, until the next move or fence write removes it.
 *
 * <p><b>Checkpoints and retries.</b> The copier calls its {@link Checkpoint} between pages and
 * steps, so a caller can stop a long copy within a page (a cancel, a failover, a budget of write
 * pause) by throwing from it. During rounds run with {@code frozen == false}, a call answered
 * {@code NOREPLICAS}, {@code LOADING} or {@code BUSY} (a primary whose replica lags, that is
 * loading its data, or that runs a long script) is sent again after a short backoff, as long as the
 * connection's timeout allows; frozen rounds and {@link #verify} never wait.
 *
 * <p>Changes made without our scripts (writes of original Thoonk peers during the move) are not
 * captured, beyond what the whole-key copies carry; {@link #verify} then finds a difference in size.
 *
 * <p>One thread uses a copier; {@link #progress} may be read from any. Every Redis call finishes
 * within the connection's timeout; a failed call is a {@link TeamCopyException} naming the side,
 * with Redis' failure as its cause ({@link RedisCommandTimeoutException} for a timeout).
 */
public final class TeamCopier {

    /** Elements per page (scans, items, change-log entries); keys of up to twice as many go in one DUMP. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    /**
     * How long the change log lives unless the copier refreshes it (every round, and at least every
     * 30 s between pages): a copier that stopped without anyone switching capture off leaves a log
     * that goes away by itself.
     */
    public static final Duration CHANGE_LOG_TTL = Duration.ofMinutes(10);

    private static final long LOG_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Error codes of a Redis that cannot take the call now but will soon: retried while copying. */
    private static final Set<String> TRANSIENT = Set.of("NOREPLICAS", "LOADING", "BUSY");

    /**
     * Where the copy stands, for someone to decide whether it goes on: called on the copier's
     * thread between two pages or steps of a copy (every page of a big key, every page of the
     * change log, every object). Whatever it throws ends the copy ({@link #copyRound} or
     * {@link #verify}) and reaches the caller as it is; what the copy did so far stays on the target.
     */
    @FunctionalInterface
    public interface Checkpoint {

        /** Goes on whatever happens. */
        Checkpoint NONE = object -> { };

        /**
         * @param object the object being copied or verified ("" between objects)
         * @throws InterruptedException to stop the copy because the thread was interrupted
         */
        void reached(String object) throws InterruptedException;
    }

    /**
     * How far the copy got; counts only grow.
     *
     * @param objectsTotal       objects known (in the source's index or index of deleted names when last read, and
     *                           those the log named)
     * @param objectsCopied      objects copied whole at least once
     * @param bytesCopied        bytes of data written to the target (payloads of DUMP, fields and values)
     * @param longestStepMillis  the longest single Redis call of the copy, as the copier waited for it
     * @param retries            calls sent again after a transient refusal ({@code NOREPLICAS}, {@code LOADING},
     *                           {@code BUSY})
     */
    public record Progress(long objectsTotal, long objectsCopied, long bytesCopied, long longestStepMillis,
                           long retries) {
    }

    /**
     * What one {@link #copyRound} did.
     *
     * @param objectsChanged  objects caught up item by item from the change log
     * @param itemsChanged    item ids copied again
     * @param objectsCopied   objects copied whole (new ones, deleted or re-created ones)
     * @param changes         change-log entries read
     * @param requests        request keys copied
     * @param bytes           bytes written
     * @param millis          how long the round took
     */
    public record Round(int objectsChanged, long itemsChanged, int objectsCopied, long changes, long requests,
                        long bytes, long millis) {

        /** True when the round found nothing to do: the target was up to date when it started. */
        public boolean idle() {
            return objectsChanged == 0 && objectsCopied == 0 && requests == 0;
        }
    }

    private final String team;
    private final Endpoint source;
    private final Endpoint target;
    private final int pageSize;
    private final Checkpoint checkpoint;
    private final byte[] changeLog;
    private final Map<String, CopiedObject> objects = new LinkedHashMap<>();
    private final Set<String> objectsCopiedOnce = new HashSet<>();
    private final AtomicLong objectsTotal = new AtomicLong();
    private final AtomicLong objectsCopied = new AtomicLong();
    private final AtomicLong bytesCopied = new AtomicLong();
    private final AtomicLong longestStepNanos = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** The id of the last change-log entry applied to the target; null until capture started. */
    private String logPosition;
    private long logRefreshedAt;
    /** The log was found gone between pages: the next round starts capturing again and copies everything. */
    private boolean logLost;
    /**
     * Objects copied whole since this round read the log's end: the entries up to that end are
     * older than their copy, which holds what those changes did.
     */
    private final Set<String> copiedThisRound = new HashSet<>();
    /** The object being copied, for the checkpoint; "" between objects. */
    private String current = "";
    /** Request index entries scored at least this (epoch ms) are copied by the next round; 0: all live ones. */
    private long requestsFrom;
    /** Request ids copied last round whose expiry is at least {@link #requestsFrom}: not copied again. */
    private Set<ByteBuffer> requestsCopiedAtBoundary = Set.of();

    /** One object's copy state. */
    private static final class CopiedObject {
        final String name;
        String type;
        /** Copied whole since capture started: changes are applied item by item from then on. */
        boolean copied;
        /** The id of the newest history entry on the target; null: none. */
        String lastHistoryId;

        CopiedObject(String name) {
            this.name = name;
        }
    }

    /** The changes the log names for one object, gathered from its pages. */
    private static final class Changes {
        final Set<String> ids = new LinkedHashSet<>();
        boolean whole;
    }

    /**
     * @param team       the team (its index and request index are read on the source)
     * @param source     a connection to the source primary; binary, since items may be any bytes
     * @param target     a connection to the target primary
     * @param pageSize   elements per page; keys of up to twice as many are copied in one {@code DUMP} (1..100,000)
     * @param checkpoint called between pages and steps; may throw to stop the copy
     */
    public TeamCopier(String team, StatefulRedisConnection<byte[], byte[]> source,
                      StatefulRedisConnection<byte[], byte[]> target, int pageSize, Checkpoint checkpoint) {
        this.team = Objects.requireNonNull(team, "team == null");
        NameRules.team(team).ifPresent(v -> {
            throw new IllegalArgumentException(v.message());
        });
        Objects.requireNonNull(source, "source == null");
        Objects.requireNonNull(target, "target == null");
        if (pageSize < 1 || pageSize > 100_000) {
            throw new IllegalArgumentException("pageSize must be 1..100000, was " + pageSize);
        }
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint == null");
        this.source = new Endpoint(source.async(), TeamCopyException.Side.SOURCE, source.getTimeout(),
                longestStepNanos, retries);
        this.target = new Endpoint(target.async(), TeamCopyException.Side.TARGET, target.getTimeout(),
                longestStepNanos, retries);
        this.pageSize = pageSize;
        this.changeLog = bytes(Keys.teamChanges(team));
    }

    /** A copier that goes on whatever happens between pages ({@link Checkpoint#NONE}). */
    public TeamCopier(String team, StatefulRedisConnection<byte[], byte[]> source,
                      StatefulRedisConnection<byte[], byte[]> target, int pageSize) {
        this(team, source, target, pageSize, Checkpoint.NONE);
    }

    public TeamCopier(String team, StatefulRedisConnection<byte[], byte[]> source,
                      StatefulRedisConnection<byte[], byte[]> target) {
        this(team, source, target, DEFAULT_PAGE_SIZE);
    }

    /** The counts so far; safe from any thread. */
    public Progress progress() {
        return new Progress(objectsTotal.get(), objectsCopied.get(), bytesCopied.get(),
                TimeUnit.NANOSECONDS.toMillis(longestStepNanos.get()), retries.get());
    }

    /**
     * One round: the first starts capturing changes and copies every object; later ones copy what
     * is not on the target yet and apply the changes logged since the previous round. See the
     * class comment.
     *
     * @param frozen true when no write can reach the team on the source any more (its fence is
     *               frozen): job claims are then copied whole too, since renewing a claim
     *               ({@code touch}) records no change; and no call is retried, since every moment
     *               counts against the write pause
     * @throws TeamCopyException    a Redis call failed
     * @throws InterruptedException from the checkpoint; anything else it throws passes through too
     */
    public Round copyRound(boolean frozen) throws InterruptedException {
        long started = System.nanoTime();
        long bytesBefore = bytesCopied.get();
        source.retrying = !frozen;
        target.retrying = !frozen;
        current = "";
        step();
        long roundTime = sourceTimeMillis();
        keepCapturing();
        String end = lastLogId();
        copiedThisRound.clear();
        for (String name : teamNames(source)) {
            objects.computeIfAbsent(name, CopiedObject::new);
        }
        objectsTotal.set(objects.size());
        int copied = 0;
        for (CopiedObject o : new ArrayList<>(objects.values())) {
            if (!o.copied) {
                copyWhole(o);
                copied++;
                current = "";
                step();
            }
        }
        int[] changed = new int[2];
        long[] counts = new long[2];
        applyLog(end, changed, counts);
        if (frozen) {
            for (CopiedObject o : objects.values()) {
                if ("job".equals(o.type)) {
                    current = o.name;
                    copyKey(Keys.claimed(o.name));
                }
            }
        }
        current = "";
        long requests = copyRequests(roundTime);
        return new Round(changed[0], counts[0], copied + changed[1], counts[1], requests,
                bytesCopied.get() - bytesBefore, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Compares the target with the source, object by object: the revision, every string's value,
     * the size of every other key ({@code HLEN}, {@code ZCARD}, {@code SCARD}, {@code LLEN},
     * {@code XLEN}) and its type, and membership of {@code feeds}; for the names in the team's
     * index of deleted names too, and both indexes themselves. Meaningful when the source no
     * longer changes (the team frozen) and a round ran after it froze. Calls the checkpoint before
     * each object; retries nothing.
     *
     * @return the differences found, for a person (at most 20); empty when the copy is exact
     * @throws TeamCopyException    a Redis call failed
     * @throws InterruptedException from the checkpoint; anything else it throws passes through too
     */
    public List<String> verify() throws InterruptedException {
        source.retrying = false;
        target.retrying = false;
        List<String> differences = new ArrayList<>();
        Set<String> indexed = members(source, Keys.teamObjects(team));
        compareSets("object index", indexed, members(target, Keys.teamObjects(team)), differences);
        Set<String> deleted = members(source, Keys.teamDeleted(team));
        compareSets("index of deleted names", deleted, members(target, Keys.teamDeleted(team)), differences);
        Set<String> names = new LinkedHashSet<>(indexed);
        names.addAll(deleted);
        for (String name : names) {
            checkpoint.reached(name);
            String type = string(source.call(c -> c.hget(bytes(Keys.config(name)), bytes("type"))));
            List<String> keys = new ArrayList<>(ObjectShape.of(type, name).allKeys());
            List<Command<String>> typeCalls = keys.stream().map(k -> (Command<String>) c -> c.type(bytes(k))).toList();
            List<String> sourceTypes = source.batch(typeCalls, false);
            List<String> targetTypes = target.batch(typeCalls, false);
            List<Command<?>> sourceSizes = new ArrayList<>();
            List<Command<?>> targetSizes = new ArrayList<>();
            List<String> sized = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String st = sourceTypes.get(i);
                String tt = targetTypes.get(i);
                if (!st.equals(tt)) {
                    differences.add(keys.get(i) + ": " + st + " on the source, " + tt + " on the target");
                    continue;
                }
                byte[] k = bytes(keys.get(i));
                sized.add(keys.get(i));
                sourceSizes.add(c -> size(c, k, st));
                targetSizes.add(c -> size(c, k, st));
            }
            List<Object> s = source.batch(sourceSizes, false);
            List<Object> t = target.batch(targetSizes, false);
            for (int i = 0; i < sized.size(); i++) {
                Object sv = normalize(s.get(i));
                Object tv = normalize(t.get(i));
                if (!Objects.equals(sv, tv)) {
                    differences.add(sized.get(i) + ": " + sv + " on the source, " + tv + " on the target");
                }
            }
            boolean inFeeds = source.call(c -> c.sismember(bytes(Keys.FEEDS), bytes(name)));
            if (inFeeds != target.call(c -> c.sismember(bytes(Keys.FEEDS), bytes(name)))) {
                differences.add(name + ": in 'feeds' " + (inFeeds ? "on the source only" : "on the target only"));
            }
            if (differences.size() >= 20) {
                break;
            }
        }
        return differences.size() > 20 ? differences.subList(0, 20) : differences;
    }

    private static void compareSets(String what, Set<String> onSource, Set<String> onTarget,
                                    List<String> differences) {
        if (!onSource.equals(onTarget)) {
            Set<String> missing = new LinkedHashSet<>(onSource);
            missing.removeAll(onTarget);
            Set<String> extra = new LinkedHashSet<>(onTarget);
            extra.removeAll(onSource);
            differences.add(what + " differs: missing on the target " + limit(missing) + ", only on the target "
                    + limit(extra));
        }
    }

    private static Object normalize(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : value;
    }

    private static String limit(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        return list.size() > 5 ? list.subList(0, 5) + " and " + (list.size() - 5) + " more" : list.toString();
    }

    private static RedisFuture<?> size(RedisAsyncCommands<byte[], byte[]> on, byte[] k, String type) {
        return switch (type) {
            case "string" -> on.get(k);
            case "hash" -> on.hlen(k);
            case "zset" -> on.zcard(k);
            case "set" -> on.scard(k);
            case "list" -> on.llen(k);
            case "stream" -> on.xlen(k);
            default -> on.exists(k);
        };
    }

    // ---- change capture ----

    /**
     * Switches change capture off on a team's source: removes the fence's
     * {@link TeamFence#CAPTURE_FIELD} field and deletes the change log. For whoever ends a move
     * (rolled back, or switched); harmless when capture was never on.
     *
     * @throws RedisException a call failed or did not answer within the connection's timeout
     */
    public static void stopCapture(StatefulRedisConnection<byte[], byte[]> connection, String team) {
        Objects.requireNonNull(connection, "connection == null");
        Objects.requireNonNull(team, "team == null");
        Endpoint on = new Endpoint(connection.async(), null, connection.getTimeout(), null, null);
        on.batch(List.<Command<?>>of(c -> c.hdel(bytes(Keys.fence(team)), bytes(TeamFence.CAPTURE_FIELD)),
                c -> c.unlink(bytes(Keys.teamChanges(team)))), false);
    }

    /**
     * Starts capturing the first time; later, refreshes the log's TTL. A log found gone (now, or
     * between pages) means changes may have been lost: capture starts again and every object is
     * copied whole again.
     */
    private void keepCapturing() {
        if (logPosition != null && !logLost && refreshLog()) {
            return;
        }
        if (logPosition != null) {
            objects.values().forEach(o -> o.copied = false);
        }
        // a left-over log of an earlier copier goes; the new one gets its TTL before changes may
        // be appended to it, and the fence's field switches the scripts on last
        source.call(c -> c.unlink(changeLog));
        String start = source.call(c -> c.xadd(changeLog, Map.of(bytes("start"), bytes(team))));
        source.call(c -> c.pexpire(changeLog, CHANGE_LOG_TTL.toMillis()));
        source.call(c -> c.hset(bytes(Keys.fence(team)), bytes(TeamFence.CAPTURE_FIELD), bytes("1")));
        logRefreshedAt = System.nanoTime();
        logPosition = start;
        logLost = false;
    }

    /** Gives the log its full TTL again; false when it is gone. */
    private boolean refreshLog() {
        boolean there = Boolean.TRUE.equals(source.call(c -> c.pexpire(changeLog, CHANGE_LOG_TTL.toMillis())));
        logRefreshedAt = System.nanoTime();
        if (!there) {
            logLost = true;
        }
        return there;
    }

    /** The id of the log's newest entry (the position when it has none past it). */
    private String lastLogId() {
        List<StreamMessage<byte[], byte[]>> last = source.call(c -> c.xrevrange(changeLog, Range.create("-", "+"),
                Limit.from(1)));
        return last.isEmpty() ? logPosition : last.get(0).getId();
    }

    /**
     * Applies the log's entries after {@link #logPosition} up to {@code end}: read a page at a
     * time and gathered by object; the items they name are copied whenever enough gathered, the
     * whole keys and history of each object caught up once at the end (a list is not copied again
     * for every batch of items); then the entries are trimmed from the log. Adds to
     * {@code objectCounts} [caught up, copied whole] and {@code counts} [items, entries].
     */
    private void applyLog(String end, int[] objectCounts, long[] counts) throws InterruptedException {
        current = "";
        Map<String, Changes> gathered = new LinkedHashMap<>();
        Map<String, CopiedObject> caughtUp = new LinkedHashMap<>();
        long items = 0;
        String read = logPosition;
        while (compareIds(read, end) < 0) {
            String after = read;
            List<StreamMessage<byte[], byte[]>> page = source.call(c -> c.xrange(changeLog,
                    Range.from(Range.Boundary.excluding(after), Range.Boundary.including(end)), Limit.from(pageSize)));
            if (page.isEmpty()) {
                break;
            }
            for (StreamMessage<byte[], byte[]> entry : page) {
                Map<String, byte[]> fields = fields(entry);
                byte[] object = fields.get("o");
                if (object == null) {
                    continue;
                }
                counts[1]++;
                Changes changes = gathered.computeIfAbsent(new String(object, StandardCharsets.UTF_8),
                        n -> new Changes());
                String kind = string(fields.get("k"));
                byte[] id = fields.get("i");
                if ("delete".equals(kind)) {
                    changes.whole = true;
                } else if (id != null && id.length > 0
                        && changes.ids.add(new String(id, StandardCharsets.ISO_8859_1))) {
                    items++;
                }
            }
            read = page.get(page.size() - 1).getId();
            step();
            if (items >= 8L * pageSize) {
                counts[0] += copyGathered(gathered, caughtUp, objectCounts);
                gathered.clear();
                items = 0;
            }
        }
        counts[0] += copyGathered(gathered, caughtUp, objectCounts);
        for (CopiedObject o : caughtUp.values()) {
            finishCatchUp(o);
            current = "";
            step();
        }
        objectCounts[0] += caughtUp.size();
        consumed(read);
    }

    /** The log's entries up to {@code id} are on the target: the next round starts after it, and the log drops them. */
    private void consumed(String id) {
        if (compareIds(id, logPosition) <= 0) {
            return;
        }
        logPosition = id;
        long[] at = streamId(id);
        String next = at[0] + "-" + (at[1] + 1);
        source.call(c -> c.xtrim(changeLog, new XTrimArgs().minId(next)));
    }

    /**
     * Copies the items the gathered changes name, object by object, or the object whole (one seen
     * for the first time, deleted, or of another type now); adds the objects caught up item by
     * item to {@code caughtUp}, for their whole keys and history. Returns the items copied again.
     */
    private long copyGathered(Map<String, Changes> gathered, Map<String, CopiedObject> caughtUp,
                              int[] objectCounts) throws InterruptedException {
        long items = 0;
        for (Map.Entry<String, Changes> e : gathered.entrySet()) {
            String name = e.getKey();
            if (copiedThisRound.contains(name)) {
                continue;
            }
            CopiedObject o = objects.computeIfAbsent(name, CopiedObject::new);
            objectsTotal.set(objects.size());
            current = name;
            if (!o.copied || e.getValue().whole || (!caughtUp.containsKey(name) && !sameType(o))) {
                copyWhole(o);
                caughtUp.remove(name);
                objectCounts[1]++;
            } else {
                caughtUp.put(name, o);
                copyItems(ObjectShape.of(o.type, o.name), e.getValue().ids);
                items += e.getValue().ids.size();
            }
            current = "";
            step();
        }
        return items;
    }

    private static Map<String, byte[]> fields(StreamMessage<byte[], byte[]> entry) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        entry.getBody().forEach((k, v) -> fields.put(new String(k, StandardCharsets.UTF_8), v));
        return fields;
    }

    /** Between two pages or steps: the checkpoint, and the log's TTL refreshed now and then. */
    private void step() throws InterruptedException {
        checkpoint.reached(current);
        if (logPosition != null && !logLost && System.nanoTime() - logRefreshedAt > LOG_REFRESH_NANOS) {
            refreshLog();
        }
    }

    // ---- whole copies ----

    /**
     * Copies an object whole: its keys on the target are replaced by the source's. The target's
     * index names the object before any of its keys is written, so that {@link #deleteTeam} finds
     * a copy that stopped half way (a failed target, a leader that stopped); its final membership
     * is set after the copy, as the source's is then.
     */
    private void copyWhole(CopiedObject o) throws InterruptedException {
        current = o.name;
        o.type = string(source.call(c -> c.hget(bytes(Keys.config(o.name)), bytes("type"))));
        target.call(c -> c.sadd(bytes(Keys.teamObjects(team)), bytes(o.name)));
        byte[][] stale = ObjectShape.everyKey(o.name).stream().map(TeamCopier::bytes).toArray(byte[][]::new);
        target.call(c -> c.unlink(stale));
        for (String key : ObjectShape.of(o.type, o.name).allKeys()) {
            copyKey(key);
        }
        List<StreamMessage<byte[], byte[]>> last = target.call(c -> c.xrevrange(bytes(Keys.history(o.name)),
                Range.create("-", "+"), Limit.from(1)));
        o.lastHistoryId = last.isEmpty() ? null : last.get(0).getId();
        membership(o.name);
        o.copied = true;
        copiedThisRound.add(o.name);
        if (objectsCopiedOnce.add(o.name)) {
            objectsCopied.incrementAndGet();
        }
    }

    /**
     * The object's membership of the target's index, index of deleted names and {@code feeds}, as
     * on the source now.
     */
    private void membership(String name) {
        byte[] n = bytes(name);
        List<byte[]> sets = List.of(bytes(Keys.teamObjects(team)), bytes(Keys.teamDeleted(team)), bytes(Keys.FEEDS));
        List<Boolean> on = source.batch(sets.stream().map(set -> (Command<Boolean>) c -> c.sismember(set, n))
                .toList(), false);
        List<Command<Long>> writes = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            byte[] set = sets.get(i);
            boolean member = on.get(i);
            writes.add(c -> member ? c.sadd(set, n) : c.srem(set, n));
        }
        target.batch(writes, false);
    }

    /**
     * Makes {@code key} on the target what it is on the source: absent, a {@code RESTORE} of its
     * {@code DUMP} (small keys and strings), or rebuilt page by page; its TTL kept.
     */
    private void copyKey(String key) throws InterruptedException {
        byte[] k = bytes(key);
        String type = source.call(c -> c.type(k));
        if ("none".equals(type)) {
            target.call(c -> c.unlink(k));
            return;
        }
        List<Long> sizeAndTtl = source.batch(List.<Command<Long>>of(c -> sizeOf(c, k, type), c -> c.pttl(k)), false);
        long length = "string".equals(type) ? 0 : sizeAndTtl.get(0);
        long ttl = sizeAndTtl.get(1);
        if (length <= 2L * pageSize) {
            byte[] dump = source.call(c -> c.dump(k));
            if (dump == null) {
                target.call(c -> c.unlink(k));
                return;
            }
            RestoreArgs args = RestoreArgs.Builder.ttl(Math.max(0, ttl)).replace();
            target.call(c -> c.restore(k, dump, args));
            bytesCopied.addAndGet(dump.length);
            return;
        }
        target.call(c -> c.unlink(k));
        switch (type) {
            case "hash" -> copyHashPages(k);
            case "zset" -> copyZsetPages(k);
            case "set" -> copySetPages(k);
            case "list" -> copyListPages(k);
            case "stream" -> copyStreamPages(k, null);
            default -> throw new RedisException("key " + key + " has type " + type + ", which a team never holds");
        }
        if (ttl > 0) {
            target.call(c -> c.pexpire(k, ttl));
        }
    }

    private static RedisFuture<Long> sizeOf(RedisAsyncCommands<byte[], byte[]> on, byte[] k, String type) {
        return switch (type) {
            case "hash" -> on.hlen(k);
            case "zset" -> on.zcard(k);
            case "set" -> on.scard(k);
            case "list" -> on.llen(k);
            case "stream" -> on.xlen(k);
            default -> on.strlen(k);
        };
    }

    private void copyHashPages(byte[] k) throws InterruptedException {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ScanCursor from = at;
            MapScanCursor<byte[], byte[]> cursor = source.call(c -> c.hscan(k, from, page));
            Map<byte[], byte[]> fields = cursor.getMap();
            if (!fields.isEmpty()) {
                target.call(c -> c.hset(k, fields));
                fields.forEach((f, v) -> bytesCopied.addAndGet(f.length + v.length));
            }
            at = cursor;
            step();
        } while (!at.isFinished());
    }

    private void copyZsetPages(byte[] k) throws InterruptedException {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ScanCursor from = at;
            ScoredValueScanCursor<byte[]> cursor = source.call(c -> c.zscan(k, from, page));
            List<ScoredValue<byte[]>> values = cursor.getValues();
            if (!values.isEmpty()) {
                @SuppressWarnings("unchecked")
                ScoredValue<byte[]>[] array = values.toArray(new ScoredValue[0]);
                target.call(c -> c.zadd(k, (Object[]) array));
                values.forEach(v -> bytesCopied.addAndGet(v.getValue().length + 8));
            }
            at = cursor;
            step();
        } while (!at.isFinished());
    }

    private void copySetPages(byte[] k) throws InterruptedException {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ScanCursor from = at;
            ValueScanCursor<byte[]> cursor = source.call(c -> c.sscan(k, from, page));
            List<byte[]> values = cursor.getValues();
            if (!values.isEmpty()) {
                target.call(c -> c.sadd(k, values.toArray(byte[][]::new)));
                values.forEach(v -> bytesCopied.addAndGet(v.length));
            }
            at = cursor;
            step();
        } while (!at.isFinished());
    }

    /**
     * A list page by page. Exact only if the list did not change meanwhile; a list changes only
     * with a change our scripts capture, so the next round copies it again.
     */
    private void copyListPages(byte[] k) throws InterruptedException {
        for (long start = 0; ; start += pageSize) {
            long from = start;
            List<byte[]> values = source.call(c -> c.lrange(k, from, from + pageSize - 1));
            if (!values.isEmpty()) {
                target.call(c -> c.rpush(k, values.toArray(byte[][]::new)));
                values.forEach(v -> bytesCopied.addAndGet(v.length));
            }
            if (values.size() < pageSize) {
                return;
            }
            step();
        }
    }

    /** Stream entries after {@code after} (null: all), a page at a time, appended with their ids. */
    private String copyStreamPages(byte[] k, String after) throws InterruptedException {
        String last = after;
        while (true) {
            Range<String> range = last == null ? Range.create("-", "+")
                    : Range.from(Range.Boundary.excluding(last), Range.Boundary.including("+"));
            List<StreamMessage<byte[], byte[]>> entries = source.call(c -> c.xrange(k, range, Limit.from(pageSize)));
            appendEntries(k, entries);
            if (!entries.isEmpty()) {
                last = entries.get(entries.size() - 1).getId();
            }
            if (entries.size() < pageSize) {
                return last;
            }
            step();
        }
    }

    /** Appends entries with their ids, in order (a retry never leaves a hole: see {@link Endpoint#batch}). */
    private void appendEntries(byte[] k, List<StreamMessage<byte[], byte[]>> entries) {
        List<Command<String>> writes = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> e : entries) {
            XAddArgs id = new XAddArgs().id(e.getId());
            writes.add(c -> c.xadd(k, id, e.getBody()));
            e.getBody().forEach((f, v) -> bytesCopied.addAndGet(f.length + v.length));
        }
        target.batch(writes, true);
    }

    // ---- catching up ----

    /** Whether the object's type on the source is still the one it was copied with. */
    private boolean sameType(CopiedObject o) {
        String type = string(source.call(c -> c.hget(bytes(Keys.config(o.name)), bytes("type"))));
        return Objects.equals(type, o.type);
    }

    /**
     * After its items: the keys without per-item entries copied whole, the history entries the
     * target lacks appended, the membership of the index and {@code feeds} as on the source.
     */
    private void finishCatchUp(CopiedObject o) throws InterruptedException {
        current = o.name;
        for (String key : ObjectShape.of(o.type, o.name).wholeKeys()) {
            copyKey(key);
        }
        byte[] history = bytes(Keys.history(o.name));
        String last = copyStreamPages(history, o.lastHistoryId);
        if (last != null) {
            o.lastHistoryId = last;
        }
        trimHistory(history);
        membership(o.name);
    }

    /**
     * Drops the target's history entries older than the source's oldest, as the source trimmed
     * them: so a history whose entries between the copy and now were trimmed on the source has no
     * gap on the target either.
     */
    private void trimHistory(byte[] history) {
        List<StreamMessage<byte[], byte[]>> first = source.call(c -> c.xrange(history, Range.create("-", "+"),
                Limit.from(1)));
        if (!first.isEmpty()) {
            String oldest = first.get(0).getId();
            target.call(c -> c.xtrim(history, new XTrimArgs().minId(oldest)));
        }
    }

    /** Copies the entries of {@code ids} in each per-item key: set on the target as on the source, or deleted. */
    private void copyItems(ObjectShape shape, Collection<String> ids) throws InterruptedException {
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += pageSize) {
            List<byte[]> page = all.subList(from, Math.min(all.size(), from + pageSize)).stream()
                    .map(id -> id.getBytes(StandardCharsets.ISO_8859_1)).toList();
            for (ObjectShape.ItemKey itemKey : shape.itemKeys()) {
                copyItemPage(bytes(itemKey.key()), itemKey.kind(), page);
            }
            step();
        }
    }

    private void copyItemPage(byte[] k, ObjectShape.Kind kind, List<byte[]> ids) {
        byte[][] members = ids.toArray(byte[][]::new);
        List<Command<?>> writes = new ArrayList<>();
        List<byte[]> gone = new ArrayList<>();
        switch (kind) {
            case HASH -> {
                List<KeyValue<byte[], byte[]>> values = source.call(c -> c.hmget(k, members));
                Map<byte[], byte[]> set = new LinkedHashMap<>();
                for (int i = 0; i < ids.size(); i++) {
                    KeyValue<byte[], byte[]> v = values.get(i);
                    if (v.hasValue()) {
                        set.put(ids.get(i), v.getValue());
                        bytesCopied.addAndGet(ids.get(i).length + v.getValue().length);
                    } else {
                        gone.add(ids.get(i));
                    }
                }
                if (!set.isEmpty()) {
                    writes.add(c -> c.hset(k, set));
                }
                if (!gone.isEmpty()) {
                    writes.add(c -> c.hdel(k, gone.toArray(byte[][]::new)));
                }
            }
            case ZSET -> {
                List<Double> scores = source.call(c -> c.zmscore(k, members));
                List<ScoredValue<byte[]>> set = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    Double score = scores.get(i);
                    if (score == null) {
                        gone.add(ids.get(i));
                    } else {
                        set.add(ScoredValue.just(score, ids.get(i)));
                        bytesCopied.addAndGet(ids.get(i).length + 8);
                    }
                }
                if (!set.isEmpty()) {
                    Object[] array = set.toArray(new ScoredValue[0]);
                    writes.add(c -> c.zadd(k, array));
                }
                if (!gone.isEmpty()) {
                    writes.add(c -> c.zrem(k, gone.toArray(byte[][]::new)));
                }
            }
            case SET -> {
                List<Boolean> in = source.call(c -> c.smismember(k, members));
                List<byte[]> set = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    (Boolean.TRUE.equals(in.get(i)) ? set : gone).add(ids.get(i));
                }
                if (!set.isEmpty()) {
                    writes.add(c -> c.sadd(k, set.toArray(byte[][]::new)));
                }
                if (!gone.isEmpty()) {
                    writes.add(c -> c.srem(k, gone.toArray(byte[][]::new)));
                }
            }
        }
        target.batch(writes, false);
    }

    // ---- request keys ----

    /**
     * Copies the request keys the source's request index lists with an expiry at or after
     * {@link #requestsFrom} (all live ones the first time), value and TTL; the next round copies
     * those added since this one started ({@code roundTime}: the source's clock, which scores them).
     */
    private long copyRequests(long roundTime) throws InterruptedException {
        byte[] index = bytes(Keys.teamRequests(team));
        long from = requestsFrom == 0 ? roundTime : requestsFrom;
        long nextFrom = roundTime + 60_000;
        Set<ByteBuffer> atNextBoundary = new HashSet<>();
        long copied = 0;
        for (long offset = 0; ; offset += pageSize) {
            long at = offset;
            List<ScoredValue<byte[]>> page = source.call(c -> c.zrangebyscoreWithScores(index,
                    Range.create((double) from, Double.POSITIVE_INFINITY), Limit.create(at, pageSize)));
            if (page.isEmpty()) {
                break;
            }
            page = page.stream().filter(e -> !requestsCopiedAtBoundary.contains(ByteBuffer.wrap(e.getValue())))
                    .toList();
            List<Command<?>> reads = new ArrayList<>();
            for (ScoredValue<byte[]> entry : page) {
                if (entry.getScore() >= nextFrom) {
                    atNextBoundary.add(ByteBuffer.wrap(entry.getValue()));
                }
                byte[] key = requestKey(entry.getValue());
                reads.add(c -> c.get(key));
                reads.add(c -> c.pttl(key));
            }
            List<Object> values = source.batch(reads, false);
            List<Command<?>> writes = new ArrayList<>();
            for (int i = 0; i < page.size(); i++) {
                byte[] value = (byte[]) values.get(2 * i);
                long ttl = (Long) values.get(2 * i + 1);
                if (value == null || ttl <= 0) {
                    continue;
                }
                ScoredValue<byte[]> entry = page.get(i);
                writes.add(c -> c.set(requestKey(entry.getValue()), value, SetArgs.Builder.px(ttl)));
                writes.add(c -> c.zadd(index, entry.getScore(), entry.getValue()));
                bytesCopied.addAndGet(value.length);
                copied++;
            }
            if (!writes.isEmpty()) {
                writes.add(c -> c.pexpire(index, Duration.ofMillis(60_000)));
            }
            target.batch(writes, false);
            step();
        }
        requestsFrom = nextFrom;
        requestsCopiedAtBoundary = atNextBoundary;
        return copied;
    }

    private byte[] requestKey(byte[] id) {
        return requestKey(team, id);
    }

    private static byte[] requestKey(String team, byte[] id) {
        byte[] prefix = bytes(Keys.REQUEST_PREFIX + team + ":");
        byte[] key = Arrays.copyOf(prefix, prefix.length + id.length);
        System.arraycopy(id, 0, key, prefix.length, id.length);
        return key;
    }

    // ---- deleting ----

    /**
     * Deletes a team's copy on one Redis, in bounded steps: every key of every object its index
     * names (a page of names per {@code UNLINK}) and their names in {@code feeds}, the revision
     * counter and history of every name its index of deleted names holds, the request keys its
     * request index names, then the three indexes and the change log. The fence is left alone. For
     * the source after a move, and for the target when a move is rolled back; writes must be fenced
     * off meanwhile. Running it again is harmless.
     *
     * @return how many objects it deleted
     * @throws RedisException a call failed or did not answer within the connection's timeout
     */
    public static long deleteTeam(StatefulRedisConnection<byte[], byte[]> connection, String team, int pageSize) {
        Objects.requireNonNull(connection, "connection == null");
        Objects.requireNonNull(team, "team == null");
        Endpoint on = new Endpoint(connection.async(), null, connection.getTimeout(), null, null);
        byte[] index = bytes(Keys.teamObjects(team));
        byte[] deleted = bytes(Keys.teamDeleted(team));
        long objects = deleteNamed(on, index, pageSize);
        deleteNamed(on, deleted, pageSize);
        byte[] requests = bytes(Keys.teamRequests(team));
        while (true) {
            List<byte[]> ids = on.call(c -> c.zrange(requests, 0, pageSize - 1));
            if (ids.isEmpty()) {
                break;
            }
            byte[][] keys = ids.stream().map(id -> requestKey(team, id)).toArray(byte[][]::new);
            on.call(c -> c.unlink(keys));
            on.call(c -> c.zrem(requests, ids.toArray(byte[][]::new)));
        }
        on.call(c -> c.unlink(requests, index, deleted, bytes(Keys.teamChanges(team))));
        return objects;
    }

    /** Unlinks every key of every name in the set {@code names} and takes them out of {@code feeds}; returns how many names. */
    private static long deleteNamed(Endpoint on, byte[] names, int pageSize) {
        long count = 0;
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ScanCursor from = at;
            ValueScanCursor<byte[]> cursor = on.call(c -> c.sscan(names, from, page));
            List<byte[]> keys = new ArrayList<>();
            for (byte[] name : cursor.getValues()) {
                ObjectShape.everyKey(new String(name, StandardCharsets.UTF_8)).forEach(k -> keys.add(bytes(k)));
            }
            if (!keys.isEmpty()) {
                on.call(c -> c.unlink(keys.toArray(byte[][]::new)));
                on.call(c -> c.srem(bytes(Keys.FEEDS), cursor.getValues().toArray(byte[][]::new)));
                count += cursor.getValues().size();
            }
            at = cursor;
        } while (!at.isFinished());
        return count;
    }

    // ---- Redis calls ----

    /** One Redis call, sent again as it is when a transient refusal is retried. */
    @FunctionalInterface
    private interface Command<T> {
        RedisFuture<? extends T> send(RedisAsyncCommands<byte[], byte[]> redis);
    }

    /**
     * One Redis of a copy: sends calls, waits for them within the connection's timeout, retries
     * transient refusals while {@link #retrying}, and names itself in failures.
     */
    private static final class Endpoint {
        final RedisAsyncCommands<byte[], byte[]> commands;
        /** Null: failures are Redis' own (deleting, stopping capture: the caller knows the side). */
        final TeamCopyException.Side side;
        final Duration timeout;
        final AtomicLong longestStepNanos;
        final AtomicLong retries;
        boolean retrying;

        Endpoint(RedisAsyncCommands<byte[], byte[]> commands, TeamCopyException.Side side, Duration timeout,
                 AtomicLong longestStepNanos, AtomicLong retries) {
            this.commands = commands;
            this.side = side;
            this.timeout = timeout;
            this.longestStepNanos = longestStepNanos == null ? new AtomicLong() : longestStepNanos;
            this.retries = retries == null ? new AtomicLong() : retries;
        }

        <T> T call(Command<T> command) {
            return batch(List.of(command), false).get(0);
        }

        /**
         * Sends the calls pipelined and waits for all (one step: at most the timeout in all);
         * returns their results in order. While {@link #retrying}, the calls refused with a
         * transient error are sent again after a backoff (5 ms, doubling up to 200 ms) until the
         * timeout. {@code ordered}: the calls must take effect in order (stream appends with
         * explicit ids), so only a refused tail is sent again; a refusal followed by a success
         * fails the step.
         */
        <T> List<T> batch(List<? extends Command<? extends T>> calls, boolean ordered) {
            Object[] results = new Object[calls.size()];
            long started = System.nanoTime();
            long deadline = started + timeout.toNanos();
            long backoff = FIRST_BACKOFF_NANOS;
            List<Integer> pending = IntStream.range(0, calls.size()).boxed().toList();
            while (!pending.isEmpty()) {
                List<RedisFuture<? extends T>> futures = new ArrayList<>(pending.size());
                for (int i : pending) {
                    futures.add(calls.get(i).send(commands));
                }
                List<Integer> refused = new ArrayList<>();
                RedisException refusal = null;
                for (int j = 0; j < pending.size(); j++) {
                    try {
                        results[pending.get(j)] = await(futures.get(j), deadline);
                    } catch (RedisCommandInterruptedException e) {
                        throw e;
                    } catch (RedisException e) {
                        if (!retrying || !isTransient(e)) {
                            throw failure(e);
                        }
                        refused.add(pending.get(j));
                        refusal = refusal == null ? e : refusal;
                    }
                }
                if (refused.isEmpty()) {
                    break;
                }
                boolean tail = pending.subList(pending.indexOf(refused.get(0)), pending.size()).equals(refused);
                if ((ordered && !tail) || System.nanoTime() + backoff >= deadline) {
                    throw failure(refusal);
                }
                LockSupport.parkNanos(backoff);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new RedisCommandInterruptedException(new InterruptedException());
                }
                backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS);
                retries.addAndGet(refused.size());
                pending = refused;
            }
            longestStepNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
            @SuppressWarnings("unchecked")
            List<T> list = (List<T>) Arrays.asList(results);
            return list;
        }

        private <T> T await(RedisFuture<T> future, long deadline) {
            try {
                return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new RedisCommandTimeoutException("no answer within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisCommandInterruptedException(e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RedisException r) {
                    throw r;
                }
                throw new RedisException(cause.getMessage() == null ? "the call failed" : cause.getMessage(), cause);
            }
        }

        private RedisException failure(RedisException e) {
            return side == null || e instanceof TeamCopyException ? e : new TeamCopyException(side, e);
        }

        private static boolean isTransient(RedisException e) {
            String message = e.getMessage();
            if (message == null) {
                return false;
            }
            int space = message.indexOf(' ');
            return TRANSIENT.contains(space < 0 ? message : message.substring(0, space));
        }
    }

    // ---- helpers ----

    /** The names in the team's object index and its index of deleted names on {@code on}. */
    private Set<String> teamNames(Endpoint on) {
        Set<String> names = members(on, Keys.teamObjects(team));
        names.addAll(members(on, Keys.teamDeleted(team)));
        return names;
    }

    /** The members of the set {@code key} on {@code on}, read with SSCAN a page at a time. */
    private Set<String> members(Endpoint on, String key) {
        Set<String> names = new LinkedHashSet<>();
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        byte[] index = bytes(key);
        do {
            ScanCursor from = at;
            ValueScanCursor<byte[]> cursor = on.call(c -> c.sscan(index, from, page));
            cursor.getValues().forEach(n -> names.add(new String(n, StandardCharsets.UTF_8)));
            at = cursor;
        } while (!at.isFinished());
        return names;
    }

    private long sourceTimeMillis() {
        List<byte[]> time = source.call(RedisAsyncCommands::time);
        return Long.parseLong(string(time.get(0))) * 1000 + Long.parseLong(string(time.get(1))) / 1000;
    }

    private static int compareIds(String a, String b) {
        long[] x = streamId(a);
        long[] y = streamId(b);
        int c = Long.compare(x[0], y[0]);
        return c != 0 ? c : Long.compare(x[1], y[1]);
    }

    private static long[] streamId(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? new long[] {Long.parseLong(id), 0}
                : new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
