package io.thoonk.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script of the client: the shared prelude ({@code common.lua}) followed by the script's own
 * body. Run by SHA ({@code EVALSHA}); a server that does not know it gets the source once.
 */
public record Script(String name, String source, String sha) {

    public static final Script FEED = load("feed");
    public static final Script SORTED_FEED = load("sorted_feed");
    public static final Script QUEUE = load("queue");
    public static final Script JOBS = load("jobs");
    public static final Script READ = load("read");
    public static final Script REGISTRY = load("registry");

    static Script load(String name) {
        String source = resource("common") + "\n" + resource(name);
        return new Script(name, source, sha1(source));
    }

    private static String resource(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua is missing from the client jar");
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
}
