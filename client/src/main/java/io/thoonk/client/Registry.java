package io.thoonk.client;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, configures and deletes objects (contract {@code newfeed}, {@code conffeed},
 * {@code delfeed}). Writing to an object also creates it, with default settings.
 *
 * <p>Settings: {@code max_length} (feeds), {@code history_length} (all), {@code timeout_ms},
 * {@code max_attempts}, {@code result_ttl_ms} (jobs). Values are non-negative integers.
 */
public interface Registry {

    /** Creates the object if absent and applies the settings; true if it was created. */
    boolean create(String name, ObjectType type, Map<String, String> settings);

    /** Changes settings of an existing object. @throws NoSuchObjectException if absent */
    void configure(String name, Map<String, String> settings);

    /** Deletes the object and all its items; false if it did not exist. */
    boolean delete(String name);

    /** The object's type, if it exists. */
    Optional<ObjectType> typeOf(String name);

    /** The object's settings (including {@code type}); empty if it does not exist. */
    Map<String, String> settings(String name);

    /** Every object name on this Redis ({@code feeds} set). */
    Set<String> names();
}
