package io.thoonk.client;

/**
 * A job operation needs the job in another state: finish, cancel, stall, release and touch need a
 * claimed job; retry needs a stalled one; put with an id needs that id to be free.
 */
public final class JobStateException extends ThoonkException {

    private final String object;
    private final String id;

    public JobStateException(String object, String id, String problem) {
        super("job '" + id + "' in '" + object + "' " + problem);
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
