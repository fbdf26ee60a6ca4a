package io.thoonk.testing.cluster;

import io.thoonk.contract.Keys;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A static extension: one ZooKeeper and one set of shards for the class, a namespace and coordinators per test. */
class LocalClusterExtensionTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("only"));

    static final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    static final Set<String> zookeepers = ConcurrentHashMap.newKeySet();
    static final Set<Integer> redisPorts = ConcurrentHashMap.newKeySet();

    @RepeatedTest(3)
    void each_test_has_its_own_namespace_and_leader_and_finds_the_shared_shard_empty() {
        LocalCluster cluster = local.cluster();
        assertThat(namespaces.add(cluster.namespace())).as("a new namespace").isTrue();
        assertThat(cluster.namespace()).startsWith("LocalClusterExtensionTest-");
        assertThat(cluster.coordinator().isLeader()).isTrue();
        zookeepers.add(cluster.zookeeper().connectString());
        RedisShard shard = cluster.shard("only");
        redisPorts.add(shard.primary().port());

        assertThat(shard.primary().call("KEYS *")).as("emptied before the test, then marked as a shard when "
                + "registered").isEqualTo(Keys.SHARD_MARKER);
        shard.primary().call("SET left-by-a-test yes");
    }

    @AfterAll
    static void the_servers_were_shared() {
        assertThat(zookeepers).hasSize(1);
        assertThat(redisPorts).hasSize(1);
        assertThat(namespaces).hasSize(3);
    }
}
