package io.thoonk.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** Runs the CLI in-process, like the {@code thoonk} script would, and captures stdout, stderr and the exit code. */
final class CliRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> redisUri;

    /** A runner that adds {@code --redis} with the URI {@code redisUri} supplies at each run. */
    CliRunner(Supplier<String> redisUri) {
        this.redisUri = redisUri;
    }

    /** Runs {@code thoonk ARGS --redis URI}. */
    Result run(String... args) {
        return runWithInput(new byte[0], args);
    }

    /** Runs {@code thoonk ARGS --redis URI} with {@code stdin} as standard input. */
    Result runWithInput(byte[] stdin, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--redis");
        all.add(redisUri.get());
        return runExactly(stdin, all.toArray(String[]::new));
    }

    /** Runs {@code thoonk ARGS} as given. */
    static Result runExactly(String... args) {
        return runExactly(new byte[0], args);
    }

    private static Result runExactly(byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ThoonkCli.execute(new ByteArrayInputStream(stdin), new PrintWriter(out, true),
                new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** What one run printed and returned. */
    record Result(int exitCode, String out, String err) {

        /** The non-empty lines printed to stdout. */
        List<String> lines() {
            return out.lines().filter(line -> !line.isBlank()).toList();
        }

        /** Each stdout line parsed as one JSON object; fails on a line that is not JSON. */
        List<JsonNode> json() {
            return lines().stream().map(CliRunner::parse).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
