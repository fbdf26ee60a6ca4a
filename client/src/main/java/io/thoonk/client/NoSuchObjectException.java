package io.thoonk.client;

/** The object does not exist (for operations that do not create it, such as configure). */
public final class NoSuchObjectException extends ThoonkException {

    private final String object;

    public NoSuchObjectException(String object) {
        super("no object named '" + object + "' exists; create it first");
        this.object = object;
    }

    public String object() {
        return object;
    }
}
