package io.thoonk.client.internal;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.InvalidNameException;
import io.thoonk.client.ItemTooLargeException;
import io.thoonk.contract.NameRules;
import io.thoonk.contract.NameViolation;

import java.util.Optional;

/**
 * Validation at the edge: every argument is checked before anything reaches Redis. Names follow
 * the contract's {@link NameRules}; a violation becomes an {@link InvalidNameException}.
 */
final class Names {

    private Names() {
    }

    static String objectName(String name) {
        return valid(name, NameRules.objectName(name));
    }

    static String id(String id) {
        return valid(id, NameRules.id(id));
    }

    static String pattern(String pattern) {
        return valid(pattern, NameRules.pattern(pattern));
    }

    private static String valid(String value, Optional<NameViolation> violation) {
        if (violation.isPresent()) {
            throw new InvalidNameException(violation.get().message());
        }
        return value;
    }

    /** Items, payloads and results: not null, at most {@code maxBytes} in UTF-8. */
    static String item(String item, long maxBytes) {
        if (item == null) {
            throw new InvalidArgumentException("item must not be null (use an empty string for an empty item)");
        }
        if ((long) item.length() * 3 > maxBytes) {
            long bytes = NameRules.utf8Length(item);
            if (bytes > maxBytes) {
                throw new ItemTooLargeException(bytes, maxBytes);
            }
        }
        return item;
    }

    static long revision(long revision) {
        if (revision < 0) {
            throw new InvalidArgumentException("revision must be >= 0, was " + revision);
        }
        return revision;
    }
}
