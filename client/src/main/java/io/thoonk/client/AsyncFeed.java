package io.thoonk.client;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asynchronous form of {@link Feed}; same semantics and errors. */
public interface AsyncFeed extends AsyncLiveObject {

    CompletionStage<Published> publish(String item);

    CompletionStage<Published> publish(String item, String id);

    CompletionStage<Published> edit(String id, String item);

    CompletionStage<Published> edit(String id, String item, long expectedRevision);

    CompletionStage<Boolean> retract(String id);

    CompletionStage<Boolean> retract(String id, long expectedRevision);

    CompletionStage<Optional<Item>> get(String id);

    CompletionStage<List<String>> ids();

    CompletionStage<List<Item>> all();
}
