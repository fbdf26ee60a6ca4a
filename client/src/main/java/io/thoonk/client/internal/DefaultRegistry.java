package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Registry;

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
        Names.objectName(name);
        List<String> args = new ArrayList<>(List.of(name, thoonk.options().instanceId(), "",
                thoonk.defaultHistoryLength(), op, type == null ? "" : type.contractName()));
        validated(settings).forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        String team = thoonk.options().teamRule().teamOf(name);
        String[] keys = Keys.common(name, team, Keys.allData(name));
        ObjectType context = type == null ? ObjectType.FEED : type;
        return Await.await(thoonk.shard().<Long>run(Script.REGISTRY, ScriptOutputType.INTEGER, keys,
                args.toArray(String[]::new)).handle((v, e) -> {
                    if (e != null) {
                        throw Failures.translate(e, new Failures.Context(name, context, team, null, null, -1));
                    }
                    return v;
                }), thoonk.options().commandTimeout());
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
            if (NUMERIC_SETTINGS.contains(k)) {
                try {
                    if (Long.parseLong(v) < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException("setting '" + k + "' must be a non-negative integer, was '" + v + "'");
                }
            }
            sorted.put(k, v);
        });
        return sorted;
    }

    @Override
    public Optional<ObjectType> typeOf(String name) {
        Names.objectName(name);
        String t = Await.await(thoonk.shard().commands().hget(Keys.config(name), "type"), thoonk.options().commandTimeout());
        return t == null ? Optional.empty() : Optional.of(ObjectType.fromContractName(t));
    }

    @Override
    public Map<String, String> settings(String name) {
        Names.objectName(name);
        return new TreeMap<>(Await.await(thoonk.shard().commands().hgetall(Keys.config(name)),
                thoonk.options().commandTimeout()));
    }

    @Override
    public Set<String> names() {
        return new java.util.TreeSet<>(Await.await(thoonk.shard().commands().smembers(Keys.FEEDS),
                thoonk.options().commandTimeout()));
    }
}
