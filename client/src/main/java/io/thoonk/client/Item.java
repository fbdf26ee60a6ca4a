package io.thoonk.client;

/**
 * An item as stored, with the revision of the object at which it last changed. Pass that revision
 * back to an edit to detect concurrent changes ({@link ConflictException}).
 *
 * @param id       the item's id
 * @param value    the item's content
 * @param revision the object's revision at the item's last change; 0 if it was written by a peer
 *                 that does not keep revisions
 */
public record Item(String id, String value, long revision) {
}
