package io.thoonk.coordinator.shard;

import io.thoonk.contract.RedisCredentials;

import java.util.Objects;
import java.util.Optional;

/**
 * How the coordinator words a Redis node's refusal of its credentials ({@code WRONGPASS},
 * {@code NOAUTH}): the one place, for probes, shard checks and commands alike. A node that refuses
 * them is running: the words say what to fix (the coordinator's Redis credentials), not that it is
 * down. Never includes the password.
 */
final class CredentialRefusals {

    /** Where an operator sets the coordinator's credentials. */
    static final String SETTINGS = "THOONK_REDIS_PASSWORD (or --redis-password-file) and THOONK_REDIS_USERNAME";

    private final RedisCredentials credentials;

    CredentialRefusals(RedisCredentials credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials == null");
    }

    /**
     * When {@code error} is a refusal of the credentials: what the node did and what to check,
     * without a subject ({@code refused our credentials (WRONGPASS, user 'default'): check ...}).
     */
    Optional<String> phrase(Throwable error) {
        return RedisCredentials.refusal(error).map(reply -> {
            String code = reply.startsWith("ERR ") ? reply : reply.split(" ", 2)[0];
            return credentials.isPresent()
                    ? "refused our credentials (" + code + ", user '" + credentials.username().orElseThrow()
                    + "'): check the coordinators' " + SETTINGS
                    : "requires a password (" + code + ") and the coordinators have none: set " + SETTINGS;
        });
    }

    /** {@link #phrase} as a sentence about {@code node}: {@code shard node host:port refused our credentials ...}. */
    Optional<String> sentence(String node, Throwable error) {
        return phrase(error).map(p -> "shard node " + node + " " + p);
    }
}
