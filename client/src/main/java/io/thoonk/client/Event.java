package io.thoonk.client;

/**
 * One change to one object, as delivered to an {@link EventListener}.
 *
 * @param object   the object's full name
 * @param type     what happened
 * @param id       the item or job id ({@code ""} for {@link EventType#DELETE})
 * @param item     the new content for publish/edit, the result for finish, {@code ""} otherwise
 * @param position for sorted feeds, the contract position ({@code :end}, {@code begin:}, {@code :X},
 *                 {@code X:}), otherwise {@code ""}
 * @param revision the object's revision after this change; 0 for an event published by a peer that
 *                 does not keep revisions (an original Thoonk client)
 * @param replayed true when the event came from the history (catching up), not live
 */
public record Event(String object, EventType type, String id, String item, String position, long revision,
                    boolean replayed) {

    /** Whether this event came from a peer without revisions. */
    public boolean isLegacy() {
        return revision == 0;
    }
}
