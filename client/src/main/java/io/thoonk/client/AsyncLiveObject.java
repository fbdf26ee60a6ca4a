package io.thoonk.client;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Asynchronous form of {@link LiveObject}. Stages complete on the client's I/O threads: do not block
 * in their callbacks. They fail with the same exception types the blocking calls throw.
 */
public interface AsyncLiveObject {

    String name();

    ObjectType type();

    CompletionStage<Long> revision();

    CompletionStage<List<Event>> replay(long fromRevision);
}
