package io.thoonk.client;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asynchronous form of {@link SortedFeed}; same semantics and errors. */
public interface AsyncSortedFeed extends AsyncLiveObject {

    CompletionStage<Published> append(String item);

    CompletionStage<Published> prepend(String item);

    CompletionStage<Published> publishBefore(String beforeId, String item);

    CompletionStage<Published> publishAfter(String afterId, String item);

    CompletionStage<Published> move(String id, Position to);

    CompletionStage<Published> edit(String id, String item);

    CompletionStage<Published> edit(String id, String item, long expectedRevision);

    CompletionStage<Boolean> retract(String id);

    CompletionStage<Optional<Item>> get(String id);

    CompletionStage<List<String>> ids();

    CompletionStage<List<Item>> all();
}
