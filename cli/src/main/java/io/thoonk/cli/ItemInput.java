package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The content of an item (or job payload) for a write command: given as an argument, or read with
 * {@code --file PATH} from a file or, with {@code --file -}, from standard input. A file is taken
 * exactly as it is (UTF-8 text, a trailing newline included), which an argument cannot always be:
 * one argument is limited to 128 KiB on Linux. Either way the item must fit in
 * {@code --max-item-bytes}; it is checked here, before anything connects, and no more than that is
 * ever read.
 */
final class ItemInput {

    static final String FILE_OPTION = "--file";
    static final String FILE_HELP = "Read the content from the file PATH instead (- reads stdin), exactly as it is: "
            + "UTF-8 text, a trailing newline included.";
    /** The value of {@code --file} that reads standard input. */
    static final String STDIN = "-";

    private ItemInput() {
    }

    /**
     * The item given as {@code argument} or in {@code file} (exactly one of them), at most
     * {@code maxBytes} long in UTF-8.
     *
     * @param label what the item is called in the usage ({@code ITEM}, {@code PAYLOAD})
     * @throws InvalidArgumentException if neither or both are given, the file cannot be read, is not
     *                                  UTF-8 text, or the item is over {@code maxBytes}
     */
    static String content(String label, String argument, String file, long maxBytes, InputStream stdin) {
        if (argument != null && file != null) {
            throw new InvalidArgumentException("give the content either as " + label + " or with " + FILE_OPTION
                    + ", not both");
        }
        if (argument == null && file == null) {
            throw new InvalidArgumentException("missing " + label + ": give it as an argument, or with "
                    + FILE_OPTION + " PATH (" + FILE_OPTION + " " + STDIN + " reads stdin)");
        }
        if (argument != null) {
            checkSize(argument.getBytes(StandardCharsets.UTF_8).length, maxBytes, "the " + label);
            return argument;
        }
        String source = file.equals(STDIN) ? "stdin" : file;
        byte[] bytes = file.equals(STDIN) ? read(stdin, maxBytes, source) : read(Path.of(file), maxBytes);
        checkSize(bytes.length, maxBytes, "the content of " + source);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException("the content of " + source + " is not UTF-8 text");
        }
    }

    private static byte[] read(Path file, long maxBytes) {
        if (Files.isDirectory(file)) {
            throw new InvalidArgumentException("cannot read " + file + ": it is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, maxBytes, file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Reads at most {@code maxBytes + 1} bytes: enough to tell that an item is too large. */
    private static byte[] read(InputStream in, long maxBytes, String source) {
        try {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read " + source + ": " + e.getMessage());
        }
    }

    private static void checkSize(long bytes, long maxBytes, String what) {
        if (bytes > maxBytes) {
            throw new InvalidArgumentException(what + " is over the limit of " + ByteSizes.format(maxBytes)
                    + " (" + maxBytes + " bytes); raise it with --max-item-bytes");
        }
    }
}
