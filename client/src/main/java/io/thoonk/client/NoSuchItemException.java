package io.thoonk.client;

/** An operation named an item or job id (or a relative position) that the object does not hold. */
public final class NoSuchItemException extends ThoonkException {

    private final String object;
    private final String id;

    public NoSuchItemException(String object, String id) {
        super("'" + object + "' has no item with id '" + id + "'");
        this.object = object;
        this.id = id;
    }

    public String object() {
        return object;
    }

    public String id() {
        return id;
    }
}
