package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static io.thoonk.deploy.Manifests.container;
import static io.thoonk.deploy.Manifests.env;
import static org.assertj.core.api.Assertions.assertThat;

/** Redis auth is on by default, and every node and every coordinator takes the password from one Secret. */
class RedisAuthTest {

    private static final String GENERATED_SECRET = Chart.PREFIX + "-redis";

    @Test
    void by_default_a_generated_password_in_a_secret_protects_every_node_and_reaches_every_coordinator() {
        Manifests rendered = Chart.defaults().render();

        Secret secret = rendered.named(Secret.class, GENERATED_SECRET);
        String password = new String(Base64.getDecoder().decode(secret.getData().get("redis-password")),
                StandardCharsets.UTF_8);
        assertThat(password).hasSize(32).matches("[A-Za-z0-9]+");
        assertPasswordEverywhere(rendered, GENERATED_SECRET, "redis-password");
        assertThat(rendered.yaml()).doesNotContain(password.substring(0, 16));
    }

    @Test
    void a_password_given_in_values_lands_in_the_secret_only() {
        Manifests rendered = Chart.defaults().set("redis.auth.password", "s3cret-from-values").render();

        Secret secret = rendered.named(Secret.class, GENERATED_SECRET);
        assertThat(secret.getData().get("redis-password"))
                .isEqualTo(Base64.getEncoder().encodeToString("s3cret-from-values".getBytes(StandardCharsets.UTF_8)));
        assertPasswordEverywhere(rendered, GENERATED_SECRET, "redis-password");
        assertThat(rendered.yaml().split("s3cret-from-values", -1)).hasSize(1);
    }

    @Test
    void an_existing_secret_is_used_and_none_is_created() {
        Manifests rendered = Chart.defaults().values("existing-secret").render();

        assertThat(rendered.all(Secret.class)).isEmpty();
        assertPasswordEverywhere(rendered, "thoonk-redis-credentials", "password");
    }

    @Test
    void with_auth_off_no_container_gets_a_password() {
        Manifests rendered = Chart.defaults().set("redis.auth.enabled", false).render();

        assertThat(rendered.all(Secret.class)).isEmpty();
        for (Container c : rendered.containers()) {
            assertThat(c.getEnv()).extracting(EnvVar::getName)
                    .doesNotContain("REDIS_PASSWORD", "REDISCLI_AUTH", "THOONK_REDIS_PASSWORD");
        }
    }

    @Test
    void the_registration_job_talks_only_to_the_coordinators_and_gets_no_password() {
        Container job = Manifests.only(Chart.defaults().set("registration.helmHook", false).render()
                .registrationJob().getSpec().getTemplate().getSpec().getContainers());

        assertThat(job.getEnv()).extracting(EnvVar::getName).noneMatch(name -> name.contains("PASSWORD"));
    }

    private static void assertPasswordEverywhere(Manifests rendered, String secret, String key) {
        List<StatefulSet> shards = rendered.shards();
        assertThat(shards).isNotEmpty();
        for (StatefulSet shard : shards) {
            Container redis = container(shard);
            assertFromSecret(env(redis, "REDIS_PASSWORD"), secret, key);
            assertFromSecret(env(redis, "REDISCLI_AUTH"), secret, key);
            String start = String.join(" ", redis.getCommand());
            assertThat(start).as("start command of %s", shard.getMetadata().getName())
                    .contains("--requirepass \"$REDIS_PASSWORD\"")
                    .contains("--masterauth \"$REDIS_PASSWORD\"");
        }
        assertFromSecret(env(container(rendered.coordinators()), "THOONK_REDIS_PASSWORD"), secret, key);
        // and nothing carries a literal password value
        for (Container c : rendered.containers()) {
            c.getEnv().stream().filter(e -> e.getName().contains("PASSWORD") || e.getName().endsWith("_AUTH"))
                    .forEach(e -> assertThat(e.getValue()).as(e.getName()).isNull());
        }
    }

    private static void assertFromSecret(EnvVar env, String secret, String key) {
        assertThat(env.getValue()).as(env.getName() + " has no literal value").isNull();
        SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
        assertThat(ref).as(env.getName() + " comes from a Secret").isNotNull();
        assertThat(ref.getName()).isEqualTo(secret);
        assertThat(ref.getKey()).isEqualTo(key);
    }
}
