package io.thoonk.coordinator;

import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.shard.NodeReport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A health view the test drives: a node is down from {@link #markDown} until {@link #markUp}, as
 * if a majority of coordinators had seen it unreachable for down-after; listeners hear of each
 * change on a thread of the view's own, one at a time. Close it after the test.
 */
final class TestNodeHealth implements NodeHealthView, AutoCloseable {

    private final Map<String, Long> downSince = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-node-health");
        t.setDaemon(true);
        return t;
    });

    /** From now on, {@code node} is down. */
    void markDown(String node) {
        downSince.put(node, System.currentTimeMillis());
        changed(node);
    }

    /** From now on, {@code node} is up. */
    void markUp(String node) {
        downSince.remove(node);
        changed(node);
    }

    private void changed(String node) {
        for (Consumer<String> l : listeners) {
            notifier.execute(() -> l.accept(node));
        }
    }

    @Override
    public boolean hasQuorum() {
        return true;
    }

    @Override
    public boolean isDown(String node) {
        return downSince.containsKey(node);
    }

    @Override
    public Map<String, NodeReport> reports(String node) {
        Long since = downSince.get(node);
        if (since == null) {
            return Map.of();
        }
        long now = System.currentTimeMillis();
        return Map.of("test", new NodeReport(node, false, "", "", false, 0, 0, now - since, "marked down by the test",
                now));
    }

    @Override
    public void addListener(Consumer<String> nodeChanged) {
        listeners.add(nodeChanged);
    }

    @Override
    public void close() {
        notifier.shutdownNow();
    }
}
