package io.thoonk.coordinator.directory;

import com.google.protobuf.InvalidProtocolBufferException;
import io.thoonk.proto.v1.FailoverRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The recent failover records ({@link ZkLayout#RECORDS}) as every coordinator holds them: a
 * Curator cache of those few nodes, so {@code Admin.Status} lists them from any coordinator without
 * a ZooKeeper read, and keeps listing the last known ones while ZooKeeper is away. The leader
 * writes them ({@link DirectoryStore#publishFailover}, {@link DirectoryStore#abandonFailover},
 * {@link DirectoryStore#updateShard}); a record appears here shortly after it is committed.
 */
public final class FailoverHistory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FailoverHistory.class);

    private final CuratorCache records;

    /** @param zk the namespaced Curator client of the directory */
    public FailoverHistory(CuratorFramework zk) {
        this.records = CuratorCache.build(Objects.requireNonNull(zk, "zk == null"), ZkLayout.RECORDS);
    }

    /**
     * Calls {@code appended} with each record committed from now on (not those there at
     * {@link #start}), on Curator's thread: it must return quickly. Call it before {@link #start}.
     */
    public void onAppended(Consumer<FailoverRecord> appended) {
        Objects.requireNonNull(appended, "appended == null");
        records.listenable().addListener(CuratorCacheListener.builder().forCreates(node -> {
            if (node.getPath().startsWith(ZkLayout.RECORD_PREFIX)) {
                FailoverRecord r = parse(node);
                if (r != null) {
                    appended.accept(r);
                }
            }
        }).afterInitialized().build());
    }

    public void start() {
        records.start();
    }

    /** The newest {@link ZkLayout#FAILOVERS_KEPT} records, newest first. */
    public List<FailoverRecord> recent() {
        return records.stream()
                .filter(d -> d.getPath().startsWith(ZkLayout.RECORD_PREFIX))
                .sorted(Comparator.comparing(ChildData::getPath).reversed())
                .limit(ZkLayout.FAILOVERS_KEPT)
                .map(FailoverHistory::parse)
                .filter(Objects::nonNull)
                .toList();
    }

    private static FailoverRecord parse(ChildData node) {
        try {
            return FailoverRecord.parseFrom(node.getData());
        } catch (InvalidProtocolBufferException e) {
            log.warn("ignoring the unreadable failover record {}", node.getPath());
            return null;
        }
    }

    /** Stops following the records; idempotent. */
    @Override
    public void close() {
        records.close();
    }
}
