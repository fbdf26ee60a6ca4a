package io.thoonk.client.internal;

import io.thoonk.client.ObjectType;

/**
 * An object known only by name, for the calls that do not depend on its type: its revision and its
 * history (read.lua's {@code revision} and {@code history} ops do not check the type). What
 * subscriptions read, routed and fenced like any object call.
 */
final class AnyObject extends ObjectSupport {

    AnyObject(DefaultThoonk thoonk, String name) {
        super(thoonk, name, ObjectType.FEED);
    }
}
