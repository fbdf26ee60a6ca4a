package io.thoonk.contract;

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

/**
 * Copies one team's objects from a source Redis to a target Redis in bounded steps while the team
 * keeps being written on the source, then tells whether the copy is exact: the data part of a
 * team move (the coordinator's mover decides when to freeze, verify and switch).
 *
 * <p><b>What is copied.</b> Every object named in the team's object index on the source
 * ({@link Keys#teamObjects}, read with {@code SSCAN}: never a scan of the keyspace), with every key
 * the contract gives its type ({@link Keys#specific}, the config, revision and history), its
 * membership of {@code feeds} and of the index; and the team's live request keys, found through the
 * team's request index ({@link Keys#teamRequests}), so a write retried after the move is not
 * applied twice. The team's fence is not copied: the mover writes fences.
 *
 * <p><b>Bounded steps.</b> A key of at most {@code pageSize} elements (and every string) is copied
 * with {@code DUMP} / {@code RESTORE ... REPLACE}, its TTL kept; a bigger one in pages of
 * {@code pageSize} ({@code HSCAN}, {@code ZSCAN}, {@code SSCAN}, {@code LRANGE}, {@code XRANGE}
 * read, one write each), so neither Redis spends more than about a millisecond on one command
 * however big the object. Deleting ({@link #deleteTeam}) uses {@code UNLINK}, which frees big
 * values off the main thread.
 *
 * <p><b>Rounds and change capture.</b> {@link #copyRound} does one round: objects not copied yet are
 * copied whole, noting the object's revision <em>before</em> the copy; an object whose revision
 * moved since is caught up from its history ({@code feed.history}, one entry per change, each naming
 * the item): every item a change names is copied again from the source's current state (set on the
 * target, or deleted there when gone), the keys without per-item entries (counters, config, lists,
 * job claims) are copied whole, and the new history entries are appended. An object whose history
 * does not reach back to the copied revision (trimmed, or kept at length 0), or that was deleted,
 * is copied whole again. Each round copies what changed during the previous one, so rounds shrink
 * while writes are slower than the copy; a round run after writes stopped (the team frozen) leaves
 * the target equal to the source, which {@link #verify} checks.
 *
 * <p>Changes made without a revision (writes of original Thoonk peers during the move) are not
 * captured, beyond what the whole-key copies carry; {@link #verify} then finds a difference in size.
 *
 * <p>One thread uses a copier; {@link #progress} may be read from any. Every Redis call finishes
 * within the connection's timeout or fails with a {@link RedisException}
 * ({@link RedisCommandTimeoutException} for a timeout).
 */
public final class TeamCopier {

    /** Elements per page, and the largest key copied in one {@code DUMP}. */
    public static final int DEFAULT_PAGE_SIZE = 1000;

    /**
     * How far the copy got; counts only grow.
     *
     * @param objectsTotal       objects known (in the source's index when last read)
     * @param objectsCopied      objects copied whole at least once
     * @param bytesCopied        bytes of data written to the target (payloads of DUMP, fields and values)
     * @param longestStepMillis  the longest single Redis call of the copy, as the copier waited for it
     */
    public record Progress(long objectsTotal, long objectsCopied, long bytesCopied, long longestStepMillis) {
    }

    /**
     * What one {@link #copyRound} did.
     *
     * @param objectsChanged  objects caught up from their history
     * @param itemsChanged    item ids copied again
     * @param objectsCopied   objects copied whole (new ones, and those whose history did not reach back)
     * @param requests        request keys copied
     * @param bytes           bytes written
     * @param millis          how long the round took
     */
    public record Round(int objectsChanged, long itemsChanged, int objectsCopied, long requests, long bytes,
                        long millis) {

        /** True when the round found nothing to do: the target was up to date when it started. */
        public boolean idle() {
            return objectsChanged == 0 && objectsCopied == 0 && requests == 0;
        }
    }

    private static final byte[] EVENT_FIELD = bytes("e");

    private final String team;
    private final RedisAsyncCommands<byte[], byte[]> source;
    private final RedisAsyncCommands<byte[], byte[]> target;
    private final Duration timeout;
    private final int pageSize;
    private final Map<String, CopiedObject> objects = new LinkedHashMap<>();
    private final AtomicLong objectsTotal = new AtomicLong();
    private final AtomicLong objectsCopied = new AtomicLong();
    private final AtomicLong bytesCopied = new AtomicLong();
    private final AtomicLong longestStepNanos = new AtomicLong();
    /** Request index entries scored at least this (epoch ms) are copied by the next round; 0: all live ones. */
    private long requestsFrom;
    /** Request ids copied last round whose expiry is at least {@link #requestsFrom}: not copied again. */
    private Set<java.nio.ByteBuffer> requestsCopiedAtBoundary = Set.of();

    /** One object's copy state. */
    private static final class CopiedObject {
        final String name;
        String type;
        /** The revision the target holds everything up to; -1: not copied yet. */
        long revision = -1;
        /** The id of the newest history entry on the target; null: none. */
        String lastHistoryId;

        CopiedObject(String name) {
            this.name = name;
        }
    }

    /**
     * @param team     the team (its index and request index are read on the source)
     * @param source   a connection to the source primary; binary, since items may be any bytes
     * @param target   a connection to the target primary
     * @param pageSize elements per page and the largest key copied in one {@code DUMP} (1..100,000)
     */
    public TeamCopier(String team, StatefulRedisConnection<byte[], byte[]> source,
                      StatefulRedisConnection<byte[], byte[]> target, int pageSize) {
        this.team = Objects.requireNonNull(team, "team == null");
        NameRules.team(team).ifPresent(v -> {
            throw new IllegalArgumentException(v.message());
        });
        Objects.requireNonNull(source, "source == null");
        Objects.requireNonNull(target, "target == null");
        if (pageSize < 1 || pageSize > 100_000) {
            throw new IllegalArgumentException("pageSize must be 1..100000, was " + pageSize);
        }
        this.source = source.async();
        this.target = target.async();
        this.timeout = source.getTimeout();
        this.pageSize = pageSize;
    }

    public TeamCopier(String team, StatefulRedisConnection<byte[], byte[]> source,
                      StatefulRedisConnection<byte[], byte[]> target) {
        this(team, source, target, DEFAULT_PAGE_SIZE);
    }

    /** The counts so far; safe from any thread. */
    public Progress progress() {
        return new Progress(objectsTotal.get(), objectsCopied.get(), bytesCopied.get(),
                TimeUnit.NANOSECONDS.toMillis(longestStepNanos.get()));
    }

    /**
     * One round: copies what is not on the target yet and what changed on the source since the
     * previous round (the first round copies everything). See the class comment.
     *
     * @param frozen true when no write can reach the team on the source any more (its fence is
     *               frozen): job claims are then copied whole too, since renewing a claim
     *               ({@code touch}) records no change
     */
    public Round copyRound(boolean frozen) {
        long started = System.nanoTime();
        long bytesBefore = bytesCopied.get();
        long roundTime = sourceTimeMillis();
        Set<String> indexed = indexNames(source);
        for (String name : indexed) {
            objects.computeIfAbsent(name, CopiedObject::new);
        }
        objectsTotal.set(objects.size());
        int changed = 0;
        int copied = 0;
        long items = 0;
        List<CopiedObject> all = new ArrayList<>(objects.values());
        for (int from = 0; from < all.size(); from += pageSize) {
            List<CopiedObject> page = all.subList(from, Math.min(all.size(), from + pageSize));
            List<RedisFuture<byte[]>> revisions = new ArrayList<>();
            for (CopiedObject o : page) {
                revisions.add(source.get(bytes(Keys.revision(o.name))));
            }
            awaitAll(revisions);
            for (int i = 0; i < page.size(); i++) {
                CopiedObject o = page.get(i);
                long revision = parseLong(result(revisions.get(i)));
                boolean inIndex = indexed.contains(o.name);
                if (o.revision < 0) {
                    copyWhole(o, revision, inIndex);
                    copied++;
                } else if (revision != o.revision) {
                    long n = catchUp(o, inIndex);
                    if (n < 0) {
                        copied++;
                    } else {
                        changed++;
                        items += n;
                    }
                } else if (frozen && "job".equals(o.type)) {
                    copyKey(Keys.claimed(o.name));
                }
            }
        }
        long requests = copyRequests(roundTime);
        return new Round(changed, items, copied, requests, bytesCopied.get() - bytesBefore,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Compares the target with the source, object by object: the revision, every string's value,
     * the size of every other key ({@code HLEN}, {@code ZCARD}, {@code SCARD}, {@code LLEN},
     * {@code XLEN}) and its type, and membership of {@code feeds}. Meaningful when the source no
     * longer changes (the team frozen) and a round ran after it froze.
     *
     * @return the differences found, for a person (at most 20); empty when the copy is exact
     */
    public List<String> verify() {
        List<String> differences = new ArrayList<>();
        Set<String> indexed = indexNames(source);
        Set<String> onTarget = indexNames(target);
        if (!indexed.equals(onTarget)) {
            Set<String> missing = new LinkedHashSet<>(indexed);
            missing.removeAll(onTarget);
            Set<String> extra = new LinkedHashSet<>(onTarget);
            extra.removeAll(indexed);
            differences.add("object index differs: missing on the target " + limit(missing) + ", only on the target "
                    + limit(extra));
        }
        for (String name : indexed) {
            String type = string(await(source.hget(bytes(Keys.config(name)), bytes("type"))));
            List<String> keys = new ArrayList<>(ObjectShape.of(type, name).allKeys());
            List<RedisFuture<String>> types = new ArrayList<>();
            for (String key : keys) {
                types.add(source.type(bytes(key)));
                types.add(target.type(bytes(key)));
            }
            awaitAll(types);
            List<RedisFuture<?>> sizes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String st = result(types.get(2 * i));
                String tt = result(types.get(2 * i + 1));
                if (!st.equals(tt)) {
                    differences.add(keys.get(i) + ": " + st + " on the source, " + tt + " on the target");
                    sizes.add(null);
                    sizes.add(null);
                    continue;
                }
                sizes.add(size(source, keys.get(i), st));
                sizes.add(size(target, keys.get(i), st));
            }
            awaitAll(sizes.stream().filter(Objects::nonNull).toList());
            for (int i = 0; i < keys.size(); i++) {
                RedisFuture<?> s = sizes.get(2 * i);
                RedisFuture<?> t = sizes.get(2 * i + 1);
                if (s == null) {
                    continue;
                }
                Object sv = normalize(result(s));
                Object tv = normalize(result(t));
                if (!Objects.equals(sv, tv)) {
                    differences.add(keys.get(i) + ": " + sv + " on the source, " + tv + " on the target");
                }
            }
            boolean inFeeds = await(source.sismember(bytes(Keys.FEEDS), bytes(name)));
            if (inFeeds != await(target.sismember(bytes(Keys.FEEDS), bytes(name)))) {
                differences.add(name + ": in 'feeds' " + (inFeeds ? "on the source only" : "on the target only"));
            }
            if (differences.size() >= 20) {
                break;
            }
        }
        return differences.size() > 20 ? differences.subList(0, 20) : differences;
    }

    private static Object normalize(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : value;
    }

    private static String limit(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        return list.size() > 5 ? list.subList(0, 5) + " and " + (list.size() - 5) + " more" : list.toString();
    }

    private RedisFuture<?> size(RedisAsyncCommands<byte[], byte[]> on, String key, String type) {
        byte[] k = bytes(key);
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

    // ---- whole copies ----

    /**
     * Copies an object whole: its keys on the target are replaced by the source's. The target's
     * index names the object before any of its keys is written, so that {@link #deleteTeam} finds
     * a copy that stopped half way (a failed target, a leader that stopped); its final membership
     * is set after the copy.
     */
    private void copyWhole(CopiedObject o, long revision, boolean inIndex) {
        o.type = string(await(source.hget(bytes(Keys.config(o.name)), bytes("type"))));
        await(target.sadd(bytes(Keys.teamObjects(team)), bytes(o.name)));
        byte[][] stale = ObjectShape.everyKey(o.name).stream().map(TeamCopier::bytes).toArray(byte[][]::new);
        await(target.unlink(stale));
        for (String key : ObjectShape.of(o.type, o.name).allKeys()) {
            copyKey(key);
        }
        List<StreamMessage<byte[], byte[]>> last = await(target.xrevrange(bytes(Keys.history(o.name)),
                Range.create("-", "+"), Limit.from(1)));
        o.lastHistoryId = last.isEmpty() ? null : last.get(0).getId();
        o.revision = revision;
        membership(o.name, inIndex);
        if (objectsCopiedOnce.add(o.name)) {
            objectsCopied.incrementAndGet();
        }
    }

    private final Set<String> objectsCopiedOnce = new HashSet<>();

    /** The object's membership of the target's index and {@code feeds}, as on the source. */
    private void membership(String name, boolean inIndex) {
        byte[] n = bytes(name);
        byte[] index = bytes(Keys.teamObjects(team));
        boolean inFeeds = await(source.sismember(bytes(Keys.FEEDS), n));
        List<RedisFuture<Long>> writes = new ArrayList<>();
        writes.add(inIndex ? target.sadd(index, n) : target.srem(index, n));
        writes.add(inFeeds ? target.sadd(bytes(Keys.FEEDS), n) : target.srem(bytes(Keys.FEEDS), n));
        awaitAll(writes);
    }

    /**
     * Makes {@code key} on the target what it is on the source: absent, a {@code RESTORE} of its
     * {@code DUMP} (small keys and strings), or rebuilt page by page; its TTL kept.
     */
    private void copyKey(String key) {
        byte[] k = bytes(key);
        String type = await(source.type(k));
        if ("none".equals(type)) {
            await(target.unlink(k));
            return;
        }
        long length = "string".equals(type) ? 0 : await(sizeOf(source, k, type));
        long ttl = await(source.pttl(k));
        if (length <= pageSize) {
            byte[] dump = await(source.dump(k));
            if (dump == null) {
                await(target.unlink(k));
                return;
            }
            RestoreArgs args = RestoreArgs.Builder.ttl(Math.max(0, ttl)).replace();
            await(target.restore(k, dump, args));
            bytesCopied.addAndGet(dump.length);
            return;
        }
        await(target.unlink(k));
        switch (type) {
            case "hash" -> copyHashPages(k);
            case "zset" -> copyZsetPages(k);
            case "set" -> copySetPages(k);
            case "list" -> copyListPages(k);
            case "stream" -> copyStreamPages(k, null);
            default -> throw new RedisException("key " + key + " has type " + type + ", which a team never holds");
        }
        if (ttl > 0) {
            await(target.pexpire(k, ttl));
        }
    }

    private RedisFuture<Long> sizeOf(RedisAsyncCommands<byte[], byte[]> on, byte[] k, String type) {
        return switch (type) {
            case "hash" -> on.hlen(k);
            case "zset" -> on.zcard(k);
            case "set" -> on.scard(k);
            case "list" -> on.llen(k);
            case "stream" -> on.xlen(k);
            default -> on.strlen(k);
        };
    }

    private void copyHashPages(byte[] k) {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            MapScanCursor<byte[], byte[]> cursor = await(source.hscan(k, at, page));
            Map<byte[], byte[]> fields = cursor.getMap();
            if (!fields.isEmpty()) {
                await(target.hset(k, fields));
                fields.forEach((f, v) -> bytesCopied.addAndGet(f.length + v.length));
            }
            at = cursor;
        } while (!at.isFinished());
    }

    private void copyZsetPages(byte[] k) {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ScoredValueScanCursor<byte[]> cursor = await(source.zscan(k, at, page));
            List<ScoredValue<byte[]>> values = cursor.getValues();
            if (!values.isEmpty()) {
                @SuppressWarnings("unchecked")
                ScoredValue<byte[]>[] array = values.toArray(new ScoredValue[0]);
                await(target.zadd(k, (Object[]) array));
                values.forEach(v -> bytesCopied.addAndGet(v.getValue().length + 8));
            }
            at = cursor;
        } while (!at.isFinished());
    }

    private void copySetPages(byte[] k) {
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ValueScanCursor<byte[]> cursor = await(source.sscan(k, at, page));
            List<byte[]> values = cursor.getValues();
            if (!values.isEmpty()) {
                await(target.sadd(k, values.toArray(byte[][]::new)));
                values.forEach(v -> bytesCopied.addAndGet(v.length));
            }
            at = cursor;
        } while (!at.isFinished());
    }

    /**
     * A list page by page. Exact only if the list did not change meanwhile; a list changes only with
     * a revision (every script that pushes or pops records a change), so a change shows as a moved
     * revision and the next round copies it again.
     */
    private void copyListPages(byte[] k) {
        for (long start = 0; ; start += pageSize) {
            List<byte[]> values = await(source.lrange(k, start, start + pageSize - 1));
            if (!values.isEmpty()) {
                await(target.rpush(k, values.toArray(byte[][]::new)));
                values.forEach(v -> bytesCopied.addAndGet(v.length));
            }
            if (values.size() < pageSize) {
                return;
            }
        }
    }

    /** Stream entries after {@code after} (null: all), a page at a time, appended with their ids. */
    private String copyStreamPages(byte[] k, String after) {
        String last = after;
        while (true) {
            Range<String> range = last == null ? Range.create("-", "+")
                    : Range.from(Range.Boundary.excluding(last), Range.Boundary.including("+"));
            List<StreamMessage<byte[], byte[]>> entries = await(source.xrange(k, range, Limit.from(pageSize)));
            appendEntries(k, entries);
            if (!entries.isEmpty()) {
                last = entries.get(entries.size() - 1).getId();
            }
            if (entries.size() < pageSize) {
                return last;
            }
        }
    }

    private void appendEntries(byte[] k, List<StreamMessage<byte[], byte[]>> entries) {
        List<RedisFuture<String>> writes = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> e : entries) {
            writes.add(target.xadd(k, new XAddArgs().id(e.getId()), e.getBody()));
            e.getBody().forEach((f, v) -> bytesCopied.addAndGet(f.length + v.length));
        }
        awaitAll(writes);
    }

    // ---- catching up ----

    /**
     * Brings a copied object up to the source from its history. Returns how many items it copied
     * again, or -1 when it copied the whole object again instead.
     */
    private long catchUp(CopiedObject o, boolean inIndex) {
        byte[] history = bytes(Keys.history(o.name));
        List<StreamMessage<byte[], byte[]>> entries = new ArrayList<>();
        String after = null;
        while (true) {
            Range<String> range = after == null
                    ? Range.from(Range.Boundary.including((o.revision + 1) + "-0"),
                    Range.Boundary.including("+"))
                    : Range.from(Range.Boundary.excluding(after), Range.Boundary.including("+"));
            List<StreamMessage<byte[], byte[]>> page = await(source.xrange(history, range, Limit.from(pageSize)));
            entries.addAll(page);
            if (page.size() < pageSize) {
                break;
            }
            after = page.get(page.size() - 1).getId();
        }
        if (entries.isEmpty() || revisionOf(entries.get(0).getId()) != o.revision + 1) {
            // the history does not reach back to what the target has: trimmed, or not kept
            copyWhole(o, parseLong(await(source.get(bytes(Keys.revision(o.name))))), inIndex);
            return -1;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (StreamMessage<byte[], byte[]> e : entries) {
            String[] event = event(e);
            if ("delete".equals(event[1])) {
                copyWhole(o, revisionOf(entries.get(entries.size() - 1).getId()), inIndex);
                return -1;
            }
            if (!event[2].isEmpty()) {
                ids.add(event[2]);
            }
        }
        ObjectShape shape = ObjectShape.of(o.type, o.name);
        copyItems(shape, ids);
        for (String key : shape.wholeKeys()) {
            copyKey(key);
        }
        List<StreamMessage<byte[], byte[]>> fresh = entries.stream()
                .filter(e -> o.lastHistoryId == null || compareIds(e.getId(), o.lastHistoryId) > 0).toList();
        appendEntries(history, fresh);
        if (!fresh.isEmpty()) {
            o.lastHistoryId = fresh.get(fresh.size() - 1).getId();
        }
        trimHistory(history);
        o.revision = revisionOf(entries.get(entries.size() - 1).getId());
        membership(o.name, inIndex);
        return ids.size();
    }

    /** Drops the target's history entries older than the source's oldest, as the source trimmed them. */
    private void trimHistory(byte[] history) {
        List<StreamMessage<byte[], byte[]>> first = await(source.xrange(history,
                Range.create("-", "+"), Limit.from(1)));
        if (!first.isEmpty()) {
            await(target.xtrim(history, new XTrimArgs().minId(first.get(0).getId())));
        }
    }

    /** Copies the entries of {@code ids} in each per-item key: set on the target as on the source, or deleted. */
    private void copyItems(ObjectShape shape, Collection<String> ids) {
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += pageSize) {
            List<byte[]> page = all.subList(from, Math.min(all.size(), from + pageSize)).stream()
                    .map(id -> id.getBytes(StandardCharsets.ISO_8859_1)).toList();
            for (ObjectShape.ItemKey itemKey : shape.itemKeys()) {
                copyItemPage(bytes(itemKey.key()), itemKey.kind(), page);
            }
        }
    }

    private void copyItemPage(byte[] k, ObjectShape.Kind kind, List<byte[]> ids) {
        switch (kind) {
            case HASH -> {
                List<RedisFuture<byte[]>> reads = ids.stream().map(id -> source.hget(k, id)).toList();
                awaitAll(reads);
                Map<byte[], byte[]> set = new LinkedHashMap<>();
                List<byte[]> gone = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    byte[] v = result(reads.get(i));
                    if (v == null) {
                        gone.add(ids.get(i));
                    } else {
                        set.put(ids.get(i), v);
                        bytesCopied.addAndGet(ids.get(i).length + v.length);
                    }
                }
                List<RedisFuture<?>> writes = new ArrayList<>();
                if (!set.isEmpty()) {
                    writes.add(target.hset(k, set));
                }
                if (!gone.isEmpty()) {
                    writes.add(target.hdel(k, gone.toArray(byte[][]::new)));
                }
                awaitAll(writes);
            }
            case ZSET -> {
                List<RedisFuture<Double>> reads = ids.stream().map(id -> source.zscore(k, id)).toList();
                awaitAll(reads);
                List<ScoredValue<byte[]>> set = new ArrayList<>();
                List<byte[]> gone = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    Double score = result(reads.get(i));
                    if (score == null) {
                        gone.add(ids.get(i));
                    } else {
                        set.add(ScoredValue.just(score, ids.get(i)));
                        bytesCopied.addAndGet(ids.get(i).length + 8);
                    }
                }
                List<RedisFuture<?>> writes = new ArrayList<>();
                if (!set.isEmpty()) {
                    writes.add(target.zadd(k, (Object[]) set.toArray(new ScoredValue[0])));
                }
                if (!gone.isEmpty()) {
                    writes.add(target.zrem(k, gone.toArray(byte[][]::new)));
                }
                awaitAll(writes);
            }
            case SET -> {
                List<RedisFuture<Boolean>> reads = ids.stream().map(id -> source.sismember(k, id)).toList();
                awaitAll(reads);
                List<byte[]> set = new ArrayList<>();
                List<byte[]> gone = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    (Boolean.TRUE.equals(result(reads.get(i))) ? set : gone).add(ids.get(i));
                }
                List<RedisFuture<?>> writes = new ArrayList<>();
                if (!set.isEmpty()) {
                    writes.add(target.sadd(k, set.toArray(byte[][]::new)));
                }
                if (!gone.isEmpty()) {
                    writes.add(target.srem(k, gone.toArray(byte[][]::new)));
                }
                awaitAll(writes);
            }
        }
    }

    /** A history entry's event: revision, type, id, position, echoes, item (ids as ISO-8859-1, byte for byte). */
    private static String[] event(StreamMessage<byte[], byte[]> entry) {
        byte[] message = null;
        for (Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
            if (Arrays.equals(f.getKey(), EVENT_FIELD)) {
                message = f.getValue();
            }
        }
        String text = message == null ? "" : new String(message, StandardCharsets.ISO_8859_1);
        String[] parts = text.split("\0", 6);
        String[] event = new String[6];
        for (int i = 0; i < 6; i++) {
            event[i] = i < parts.length ? parts[i] : "";
        }
        return event;
    }

    // ---- request keys ----

    /**
     * Copies the request keys the source's request index lists with an expiry at or after
     * {@link #requestsFrom} (all live ones the first time), value and TTL; the next round copies
     * those added since this one started ({@code roundTime}: the source's clock, which scores them).
     */
    private long copyRequests(long roundTime) {
        byte[] index = bytes(Keys.teamRequests(team));
        long from = requestsFrom == 0 ? roundTime : requestsFrom;
        long nextFrom = roundTime + 60_000;
        Set<java.nio.ByteBuffer> atNextBoundary = new HashSet<>();
        long copied = 0;
        for (long offset = 0; ; offset += pageSize) {
            List<ScoredValue<byte[]>> page = await(source.zrangebyscoreWithScores(index,
                    Range.create((double) from, Double.POSITIVE_INFINITY), Limit.create(offset, pageSize)));
            if (page.isEmpty()) {
                break;
            }
            List<RedisFuture<byte[]>> values = new ArrayList<>();
            List<RedisFuture<Long>> ttls = new ArrayList<>();
            page = page.stream().filter(e -> !requestsCopiedAtBoundary.contains(java.nio.ByteBuffer.wrap(e.getValue())))
                    .toList();
            for (ScoredValue<byte[]> entry : page) {
                if (entry.getScore() >= nextFrom) {
                    atNextBoundary.add(java.nio.ByteBuffer.wrap(entry.getValue()));
                }
                byte[] key = requestKey(entry.getValue());
                values.add(source.get(key));
                ttls.add(source.pttl(key));
            }
            awaitAll(values);
            awaitAll(ttls);
            List<RedisFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < page.size(); i++) {
                byte[] value = result(values.get(i));
                long ttl = result(ttls.get(i));
                if (value == null || ttl <= 0) {
                    continue;
                }
                ScoredValue<byte[]> entry = page.get(i);
                writes.add(target.set(requestKey(entry.getValue()), value, SetArgs.Builder.px(ttl)));
                writes.add(target.zadd(index, entry.getScore(), entry.getValue()));
                bytesCopied.addAndGet(value.length);
                copied++;
            }
            if (!writes.isEmpty()) {
                writes.add(target.pexpire(index, Duration.ofMillis(60_000)));
            }
            awaitAll(writes);
        }
        requestsFrom = nextFrom;
        requestsCopiedAtBoundary = atNextBoundary;
        return copied;
    }

    private byte[] requestKey(byte[] id) {
        byte[] prefix = bytes(Keys.REQUEST_PREFIX + team + ":");
        byte[] key = Arrays.copyOf(prefix, prefix.length + id.length);
        System.arraycopy(id, 0, key, prefix.length, id.length);
        return key;
    }

    // ---- deleting ----

    /**
     * Deletes a team's copy on one Redis, in bounded steps: every key of every object its index
     * names (a page of names per {@code UNLINK}) and their names in {@code feeds}, the request keys
     * its request index names, then both indexes. The fence is left alone. For the source after a
     * move, and for the target when a move is rolled back; writes must be fenced off meanwhile.
     * Running it again is harmless.
     *
     * @return how many objects it deleted
     */
    public static long deleteTeam(StatefulRedisConnection<byte[], byte[]> connection, String team, int pageSize) {
        Objects.requireNonNull(connection, "connection == null");
        Objects.requireNonNull(team, "team == null");
        Deleter d = new Deleter(connection.async(), connection.getTimeout());
        byte[] index = bytes(Keys.teamObjects(team));
        long objects = 0;
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        do {
            ValueScanCursor<byte[]> cursor = d.await(d.commands.sscan(index, at, page));
            List<byte[]> keys = new ArrayList<>();
            for (byte[] name : cursor.getValues()) {
                ObjectShape.everyKey(new String(name, StandardCharsets.UTF_8)).forEach(k -> keys.add(bytes(k)));
            }
            if (!keys.isEmpty()) {
                d.await(d.commands.unlink(keys.toArray(byte[][]::new)));
                d.await(d.commands.srem(bytes(Keys.FEEDS), cursor.getValues().toArray(byte[][]::new)));
                objects += cursor.getValues().size();
            }
            at = cursor;
        } while (!at.isFinished());
        byte[] requests = bytes(Keys.teamRequests(team));
        byte[] prefix = bytes(Keys.REQUEST_PREFIX + team + ":");
        while (true) {
            List<byte[]> ids = d.await(d.commands.zrange(requests, 0, pageSize - 1));
            if (ids.isEmpty()) {
                break;
            }
            byte[][] keys = ids.stream().map(id -> {
                byte[] key = Arrays.copyOf(prefix, prefix.length + id.length);
                System.arraycopy(id, 0, key, prefix.length, id.length);
                return key;
            }).toArray(byte[][]::new);
            d.await(d.commands.unlink(keys));
            d.await(d.commands.zrem(requests, ids.toArray(byte[][]::new)));
        }
        d.await(d.commands.unlink(requests, index));
        return objects;
    }

    /** Waiting for one connection's calls, for {@link #deleteTeam}. */
    private record Deleter(RedisAsyncCommands<byte[], byte[]> commands, Duration timeout) {
        <T> T await(RedisFuture<T> future) {
            return TeamCopier.await(future, timeout, null);
        }
    }

    // ---- helpers ----

    /** The names in the team's object index on {@code on}, read with SSCAN a page at a time. */
    private Set<String> indexNames(RedisAsyncCommands<byte[], byte[]> on) {
        Set<String> names = new LinkedHashSet<>();
        ScanCursor at = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(pageSize);
        byte[] index = bytes(Keys.teamObjects(team));
        do {
            ValueScanCursor<byte[]> cursor = await(on.sscan(index, at, page));
            cursor.getValues().forEach(n -> names.add(new String(n, StandardCharsets.UTF_8)));
            at = cursor;
        } while (!at.isFinished());
        return names;
    }

    private long sourceTimeMillis() {
        List<byte[]> time = await(source.time());
        return Long.parseLong(string(time.get(0))) * 1000 + Long.parseLong(string(time.get(1))) / 1000;
    }

    private <T> T await(RedisFuture<T> future) {
        return await(future, timeout, longestStepNanos);
    }

    private static <T> T await(RedisFuture<T> future, Duration timeout, AtomicLong longest) {
        long started = System.nanoTime();
        try {
            T value = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (longest != null) {
                longest.accumulateAndGet(System.nanoTime() - started, Math::max);
            }
            return value;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new RedisCommandTimeoutException("a Redis call of the team copy did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisCommandInterruptedException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RedisException r) {
                throw r;
            }
            throw new RedisException("a Redis call of the team copy failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for every call of a pipelined batch; the batch counts as one step. */
    private void awaitAll(List<? extends RedisFuture<?>> futures) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        for (RedisFuture<?> f : futures) {
            long left = deadline - System.nanoTime();
            await(f, Duration.ofNanos(Math.max(1, left)), null);
        }
        longestStepNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
    }

    /** The value of a completed future. */
    private static <T> T result(RedisFuture<T> done) {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisCommandInterruptedException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RedisException r ? r : new RedisException(e.getCause());
        }
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

    private static long revisionOf(String historyId) {
        return streamId(historyId)[0];
    }

    private static long parseLong(byte[] value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(string(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
