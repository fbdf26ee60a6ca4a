package io.thoonk.client;

/** An item or job result is larger than the client's configured limit ({@link ThoonkOptions#maxItemBytes()}). */
public final class ItemTooLargeException extends InvalidArgumentException {

    private final long size;
    private final long limit;

    public ItemTooLargeException(long size, long limit) {
        super("item is " + size + " bytes, over the limit of " + limit
                + " bytes (raise ThoonkOptions.maxItemBytes if larger items are intended)");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
