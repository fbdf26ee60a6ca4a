package io.thoonk.cli;

import io.thoonk.coordinator.CoordinatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample {@code docs/coordinator.properties} is a configuration {@code thoonk coordinator --config} accepts. */
class SampleCoordinatorPropertiesTest {

    private static final Path SAMPLE = Path.of("").toAbsolutePath().getParent().resolve("docs/coordinator.properties");

    @Test
    void the_sample_configuration_is_read_with_every_setting_it_shows() {
        CoordinatorConfig config = CoordinatorSettings.resolve(Map.of(), Map.of(), CoordinatorSettings.load(SAMPLE));

        assertThat(config.zookeeper()).isEqualTo("zk-1.internal:2181,zk-2.internal:2181,zk-3.internal:2181");
        assertThat(config.grpcPort()).isEqualTo(7400);
        assertThat(config.id()).isEqualTo("coordinator-1");
        assertThat(config.host()).isEqualTo("10.0.0.11");
        assertThat(config.bind()).isEqualTo("10.0.0.11");
        assertThat(config.namespace()).isEqualTo("thoonk");
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.clusterPort()).isEqualTo(5701);
        assertThat(config.members()).containsExactly("10.0.0.11:5701", "10.0.0.12:5701", "10.0.0.13:5701");
        assertThat(config.clusterSize()).isEqualTo(3);
        assertThat(config.probeInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.downAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.httpPort()).isEqualTo(9400);
    }
}
