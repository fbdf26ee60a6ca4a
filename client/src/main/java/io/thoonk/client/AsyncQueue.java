package io.thoonk.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asynchronous form of {@link Queue}; same semantics and errors. */
public interface AsyncQueue extends AsyncLiveObject {

    CompletionStage<Published> put(String item);

    CompletionStage<Published> put(String item, Priority priority);

    CompletionStage<Optional<String>> get(Duration timeout);

    CompletionStage<Long> size();
}
