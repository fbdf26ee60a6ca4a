/**
 * Implementation of the client: Redis scripts and keys, connections, subscriptions. Not API: types
 * here may change in any release. Use {@link io.thoonk.client.Thoonk} and the interfaces of
 * {@code io.thoonk.client}.
 */
package io.thoonk.client.internal;
