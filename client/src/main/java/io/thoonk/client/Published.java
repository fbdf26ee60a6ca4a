package io.thoonk.client;

/**
 * The outcome of a write: the item's id (generated when the caller gave none) and the revision the
 * object reached with this change.
 */
public record Published(String id, long revision) {
}
