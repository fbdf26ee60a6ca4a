package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Registry;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Registry on one Redis (registry.lua). */
final class DefaultRegistry implements Registry {

    /** Settings the scripts read; each must be a non-negative integer. */
    static final Set<String> NUMERIC_SETTINGS = Set.of("max_length", "history_length", "timeout_ms", "max_attempts",
            "result_ttl_ms");

    private final DefaultThoonk thoonk;

    DefaultRegistry(DefaultThoonk thoonk) {
        this.thoonk = thoonk;
    }

    @Override
    public boolean create(String name, ObjectType type, Map<String, String> settings) {
        Objects.requireNonNull(type, "type == null");
        return run(name, type, "create", settings) == 1;
    }

    @Override
    public void configure(String name, Map<String, String> settings) {
        run(name, null, "configure", settings);
    }

    @Override
    public boolean delete(String name) {
        return run(name, null, "delete", Map.of()) > 0;
    }

    private long run(String name, ObjectType type, String op, Map<String, String> settings) {
        List<String> args = new ArrayList<>(List.of(op, type == null ? "" : type.contractName()));
        validated(settings).forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return this.<Long>call(new Target(thoonk, name, type), ScriptOutputType.INTEGER, true, args.toArray(String[]::new));
    }

    /**
     * registry.lua on the object's shard: routed, fenced, retried and translated like any object
     * call; a {@code change} is remembered under a request id and acknowledged with the client's durability.
     */
    private <T> T call(Target target, ScriptOutputType output, boolean change, String... args) {
        return Await.awaitCall(target.<T>run(Script.REGISTRY, target.registryKeys(), output, change, null, null, -1,
                args), thoonk.options().commandTimeout());
    }

    /** The object a registry call is about. */
    private static final class Target extends ObjectSupport {
        Target(DefaultThoonk thoonk, String name, ObjectType type) {
            super(thoonk, name, type == null ? ObjectType.FEED : type);
        }

        String[] registryKeys() {
            return Keys.common(name, team, Keys.allData(name));
        }
    }

    static Map<String, String> validated(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings == null");
        Map<String, String> sorted = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (k == null || k.isEmpty() || k.equals("type")) {
                throw new InvalidArgumentException("setting name '" + k + "' is not allowed (the type is fixed at creation)");
            }
            if (v == null) {
                throw new InvalidArgumentException("setting '" + k + "' has no value");
            }
            String value = v;
            if (NUMERIC_SETTINGS.contains(k)) {
                try {
                    long number = Long.parseLong(v);
                    if (number < 0) {
                        throw new NumberFormatException();
                    }
                    value = Long.toString(number); // canonical: scripts pass some settings to Redis as text
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException("setting '" + k + "' must be a non-negative integer, was '" + v + "'");
                }
            }
            sorted.put(k, value);
        });
        return sorted;
    }

    @Override
    public Optional<ObjectType> typeOf(String name) {
        String t = this.<String>call(new Target(thoonk, name, null), ScriptOutputType.VALUE, false, "type", "");
        return t == null ? Optional.empty() : Optional.of(ObjectType.fromContractName(t));
    }

    @Override
    public Map<String, String> settings(String name) {
        List<Object> fields = this.<List<Object>>call(new Target(thoonk, name, null), ScriptOutputType.MULTI,
                false, "settings", "");
        Map<String, String> settings = new TreeMap<>();
        for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
            settings.put((String) fields.get(i), (String) fields.get(i + 1));
        }
        return settings;
    }

    @Override
    public Set<String> names() {
        java.util.Set<String> all = new java.util.TreeSet<>();
        Map<String, ShardConnection> shards = Await.await(thoonk.router().shardsById(), thoonk.options().commandTimeout());
        for (ShardConnection shard : shards.values()) {
            all.addAll(Await.await(shard.commands().smembers(Keys.FEEDS), thoonk.options().commandTimeout()));
        }
        return all;
    }
}
