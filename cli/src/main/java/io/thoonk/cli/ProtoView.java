package io.thoonk.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * A coordinator API message as a result: its JSON form is the message in the standard protobuf JSON
 * mapping (lowerCamelCase field names, enum names, int64 as strings, every field present), so
 * scripts read the same fields as the gRPC API defines.
 */
record ProtoView(MessageOrBuilder message, String text) implements View {

    private static final JsonFormat.Printer JSON = JsonFormat.printer()
            .omittingInsignificantWhitespace()
            .alwaysPrintFieldsWithNoPresence();

    @Override
    public String json() {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot write " + message + " as JSON", e);
        }
    }
}
