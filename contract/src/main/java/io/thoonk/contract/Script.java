package io.thoonk.contract;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A Lua script of the contract: its source and SHA-1. The object scripts are the shared prelude
 * ({@code common.lua}: KEYS and ARGV every object script starts with, the fence check, the index)
 * followed by the script's own body; see the comments at the top of each {@code .lua} resource for
 * their KEYS and ARGV, and {@link Keys#common} for building the KEYS.
 *
 * <p>Every object script takes, as KEYS[7], the key remembering its call's reply
 * ({@link Keys#request}, or {@link Keys#NO_REQUEST} for calls that change nothing): a call that
 * repeats a request id is answered with the first call's reply and changes nothing.
 *
 * <p>Scripts answer refusals as errors {@code CODE data...} ({@code FENCED <state> <epoch>},
 * {@code WRONGTYPE <type>}, ...; docs/contract.md lists them); mapping those to exception types is
 * the caller's business.
 */
public record Script(String name, String source, String sha) {

    /** Feed writes: publish (one or many), edit, retract. */
    public static final Script FEED = withPrelude("feed");
    /** Sorted feed writes. */
    public static final Script SORTED_FEED = withPrelude("sorted_feed");
    /** Queue put and take. */
    public static final Script QUEUE = withPrelude("queue");
    /** Job operations, including the fenced job reads (state, result, list, failures). */
    public static final Script JOBS = withPrelude("jobs");
    /** Fenced reads of any object: items, ids, revision, length. */
    public static final Script READ = withPrelude("read");
    /** Create, configure, delete, and the fenced reads of type and settings. */
    public static final Script REGISTRY = withPrelude("registry");
    /** Adds names to their teams' object indexes, or prunes gone ones: see {@link ObjectIndexer}. */
    public static final Script INDEX = standalone("index");

    public Script {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(source, "source == null");
        Objects.requireNonNull(sha, "sha == null");
    }

    /**
     * The prelude, then the script's body as a function that the prelude's {@code once} runs: a
     * repeated request (KEYS[7], see common.lua) is answered with the reply remembered the first time.
     */
    private static Script withPrelude(String name) {
        return of(name, resource("common") + "\nlocal function main()\n" + resource(name) + "\nend\nreturn once(main)\n");
    }

    private static Script standalone(String name) {
        return of(name, resource(name));
    }

    /** A script of this source, its SHA computed the way Redis does. */
    public static Script of(String name, String source) {
        return new Script(name, source, sha1(source));
    }

    /**
     * Runs the script by SHA ({@code EVALSHA}); a server that does not know it yet gets the source
     * once ({@code EVAL}, which also caches it there). The future fails with Lettuce's exception
     * for any other error, script refusals included.
     */
    public <T> CompletableFuture<T> run(RedisScriptingAsyncCommands<String, String> commands, ScriptOutputType output,
                                        String[] keys, String... args) {
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.<T>evalsha(sha, output, keys, args).whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else if (isNoScript(error)) {
                commands.<T>eval(source, output, keys, args).whenComplete((v, e) -> {
                    if (e == null) {
                        result.complete(v);
                    } else {
                        result.completeExceptionally(e);
                    }
                });
            } else {
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    /** Whether {@code error} (or the failure it wraps) is Redis's {@code NOSCRIPT}: the server does not know the SHA. */
    public static boolean isNoScript(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof RedisCommandExecutionException && e.getMessage() != null
                && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String resource(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua is missing from the contract jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String source) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Script[" + name + ", sha " + sha + "]";
    }
}
