package io.thoonk.client;

/** The object exists with another type, e.g. a queue used as a feed. Nothing was written. */
public final class WrongTypeException extends ThoonkException {

    private final String object;
    private final ObjectType actual;
    private final ObjectType requested;

    public WrongTypeException(String object, ObjectType actual, ObjectType requested) {
        super("'" + object + "' is a " + actual.contractName() + ", not a " + requested.contractName()
                + "; use the matching accessor or delete the object first");
        this.object = object;
        this.actual = actual;
        this.requested = requested;
    }

    public String object() {
        return object;
    }

    public ObjectType actual() {
        return actual;
    }

    public ObjectType requested() {
        return requested;
    }
}
