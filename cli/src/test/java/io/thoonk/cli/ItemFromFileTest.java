package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.client.Item;
import io.thoonk.client.Thoonk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Items, payloads and new contents read with {@code --file PATH} or {@code --file -}, within {@code --max-item-bytes}. */
class ItemFromFileTest extends RedisCliTestSupport {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void a_two_mib_item_is_published_from_a_file_exactly_with_a_raised_limit() throws IOException {
        String big = text(2 * MIB, 'a') + "\n";
        Path file = Files.writeString(dir.resolve("big.json"), big);

        Result result = cli.run("feed", "publish", "team:1:news", "--file", file.toString(), "--id", "big",
                "--max-item-bytes", "4MiB");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(stored("team:1:news", "big")).as("the file's content, its trailing newline included").contains(big);
    }

    @Test
    void an_item_is_read_from_stdin_with_file_dash() {
        String item = "{\"title\": \"ünïcödé\"}\n";

        Result result = cli.runWithInput(item.getBytes(StandardCharsets.UTF_8),
                "feed", "publish", "news", "--file", "-", "--id", "one");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(stored("news", "one")).contains(item);
    }

    @Test
    void an_item_over_the_default_limit_of_one_mib_is_refused_before_anything_is_written() throws IOException {
        Path file = Files.writeString(dir.resolve("big.txt"), text(MIB + 1, 'b'));

        Result result = cli.run("feed", "publish", "news", "--file", file.toString(), "--id", "big");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(result.err()).isEqualTo("thoonk: the content of " + file + " is over the limit of 1MiB (1048576 "
                + "bytes); raise it with --max-item-bytes" + System.lineSeparator());
        assertThat(cli.run("feed", "ids", "news").lines()).isEmpty();
    }

    @Test
    void stdin_is_read_no_further_than_the_limit() {
        Result result = cli.runWithInput(text(100, 'c').getBytes(StandardCharsets.UTF_8),
                "queue", "put", "q", "--file", "-", "--max-item-bytes", "64");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(result.err()).contains("the content of stdin is over the limit of 64 (64 bytes)");
    }

    @Test
    void an_argument_over_the_limit_gets_the_cli_wording() {
        Result result = cli.run("feed", "publish", "news", "longer than ten bytes", "--max-item-bytes", "10");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(result.err()).isEqualTo("thoonk: the ITEM is over the limit of 10 (10 bytes); raise it with "
                + "--max-item-bytes" + System.lineSeparator());
    }

    @Test
    void job_payloads_queue_items_and_sorted_feed_edits_come_from_files_too() throws IOException {
        Path payload = Files.writeString(dir.resolve("payload"), "render frame 1");
        Path content = Files.writeString(dir.resolve("content"), "edited from a file");

        assertThat(cli.run("job", "put", "work", "--file", payload.toString(), "--id", "j1").exitCode()).isZero();
        assertThat(cli.run("job", "get", "work").lines()).contains("payload: render frame 1");

        assertThat(cli.runWithInput("from stdin".getBytes(StandardCharsets.UTF_8),
                "queue", "put", "q", "--file", "-").exitCode()).isZero();
        assertThat(cli.run("queue", "get", "q").out().trim()).isEqualTo("from stdin");

        String id = cli.run("--output", "json", "sorted", "append", "agenda", "intro").json().get(0).get("id").asText();
        assertThat(cli.run("sorted", "edit", "agenda", id, "--file", content.toString()).exitCode()).isZero();
        assertThat(cli.run("sorted", "all", "agenda").lines()).containsExactly(id + "\tedited from a file");
    }

    @Test
    void both_an_argument_and_a_file_or_neither_is_a_usage_error() throws IOException {
        Path file = Files.writeString(dir.resolve("item"), "x");

        Result both = cli.run("feed", "publish", "news", "inline", "--file", file.toString());
        Result neither = cli.run("feed", "publish", "news");
        Result neitherPayload = cli.run("job", "put", "work");

        assertThat(both.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(both.err()).contains("give the content either as ITEM or with --file, not both");
        assertThat(neither.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(neither.err()).contains("missing ITEM: give it as an argument, or with --file PATH "
                + "(--file - reads stdin)");
        assertThat(neitherPayload.err()).contains("missing PAYLOAD");
        assertThat(cli.run("feed", "ids", "news").lines()).isEmpty();
    }

    @Test
    void a_missing_file_a_directory_and_text_that_is_not_utf8_are_refused() throws IOException {
        Path missing = dir.resolve("missing");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});

        assertThat(cli.run("feed", "publish", "news", "--file", missing.toString()).err())
                .isEqualTo("thoonk: cannot read " + missing + ": no such file" + System.lineSeparator());
        assertThat(cli.run("feed", "publish", "news", "--file", dir.toString()).err())
                .contains("cannot read " + dir + ": it is a directory");
        Result notText = cli.run("feed", "publish", "news", "--file", binary.toString());
        assertThat(notText.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(notText.err()).contains("the content of " + binary + " is not UTF-8 text");
    }

    @Test
    void max_item_bytes_takes_a_size_within_what_redis_stores() {
        Result zero = cli.run("feed", "publish", "news", "x", "--max-item-bytes", "0");
        Result words = cli.run("feed", "publish", "news", "x", "--max-item-bytes", "lots");
        Result huge = cli.run("feed", "publish", "news", "x", "--max-item-bytes", "1GiB");

        assertThat(zero.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(zero.err()).contains("'0' is out of range: from 1 byte to 512MiB");
        assertThat(words.err()).contains("'lots' is not a size");
        assertThat(huge.err()).contains("'1GiB' is out of range");
        assertThat(cli.run("feed", "publish", "news", "x", "--max-item-bytes", "512KiB").exitCode()).isZero();
    }

    private Optional<String> stored(String feed, String id) {
        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri())) {
            return thoonk.feed(feed).get(id).map(Item::value);
        }
    }

    private static String text(int length, char c) {
        return String.valueOf(c).repeat(length);
    }
}
