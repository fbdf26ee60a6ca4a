package io.thoonk.client.internal;

import io.lettuce.core.StreamMessage;
import io.thoonk.client.Event;
import io.thoonk.client.EventType;
import io.thoonk.contract.Keys;

import java.util.Map;


/**
 * Decodes events from the three places they come from: the extension channel {@code feed.event:[f]},
 * the contract channels (peer events without revisions), and history stream entries.
 */
final class EventCodec {

    /** Every type, for matching a wire name in place (values() copies the array on every call). */
    private static final EventType[] TYPES = EventType.values();

    private EventCodec() {
    }

    /** A decoded extension-channel message: the event and how many contract echoes follow it. */
    record Revisioned(Event event, int echoes) {
    }

    /** {@code revision \0 type \0 id \0 position \0 echoes \0 item}; null if malformed or of an unknown type. */
    static Revisioned decodeRevisioned(String object, String payload) {
        return decode(object, payload, false);
    }

    /**
     * Field by field with {@code indexOf}, allocating only the event's own strings: this runs on the
     * pub/sub I/O thread for every event.
     */
    private static Revisioned decode(String object, String payload, boolean replayed) {
        int typeAt = payload.indexOf('\0') + 1;
        int idAt = typeAt == 0 ? 0 : payload.indexOf('\0', typeAt) + 1;
        int positionAt = idAt == 0 ? 0 : payload.indexOf('\0', idAt) + 1;
        int echoesAt = positionAt == 0 ? 0 : payload.indexOf('\0', positionAt) + 1;
        int itemAt = echoesAt == 0 ? 0 : payload.indexOf('\0', echoesAt) + 1;
        if (itemAt == 0) {
            return null;
        }
        try {
            long revision = Long.parseLong(payload, 0, typeAt - 1, 10);
            int echoes = Integer.parseInt(payload, echoesAt, itemAt - 1, 10);
            EventType type = typeAt(payload, typeAt, idAt - 1);
            Event event = type == null ? null : new Event(object, type, payload.substring(idAt, positionAt - 1),
                    payload.substring(itemAt), payload.substring(positionAt, echoesAt - 1), revision, replayed);
            return new Revisioned(event, echoes);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The type whose wire name is {@code payload[from, to)}, compared in place; null if unknown. */
    private static EventType typeAt(String payload, int from, int to) {
        int length = to - from;
        for (EventType t : TYPES) {
            String name = t.wireName();
            if (name.length() == length && payload.startsWith(name, from)) {
                return t;
            }
        }
        return null;
    }

    /** A contract channel message ({@code id\0item}, {@code id\0position} or {@code id}); revision 0. */
    static Event decodeContract(String object, String prefix, String payload) {
        int nul = payload.indexOf('\0');
        String id = nul < 0 ? payload : payload.substring(0, nul);
        String rest = nul < 0 ? "" : payload.substring(nul + 1);
        return switch (prefix) {
            case Keys.PUBLISH_CHANNEL -> new Event(object, EventType.PUBLISH, id, rest, "", 0, false);
            case Keys.EDIT_CHANNEL -> new Event(object, EventType.EDIT, id, rest, "", 0, false);
            case Keys.RETRACT_CHANNEL -> new Event(object, EventType.RETRACT, id, "", "", 0, false);
            case Keys.POSITION_CHANNEL -> new Event(object, EventType.POSITION, id, "", rest, 0, false);
            case Keys.FINISH_CHANNEL -> new Event(object, EventType.FINISH, id, rest, "", 0, false);
            default -> null;
        };
    }

    /**
     * A history entry: id {@code <revision>-0}, field {@code e} holding the change's
     * {@code feed.event} message; entries written before that format have fields {@code t}
     * (type), {@code i} (id), {@code p} (position) and {@code v} (item). Null if malformed or of
     * an unknown type.
     */
    static Event decodeHistory(String object, StreamMessage<String, String> entry) {
        Map<String, String> body = entry.getBody();
        String message = body.get("e");
        if (message != null) {
            Revisioned decoded = decode(object, message, true);
            return decoded == null ? null : decoded.event();
        }
        EventType type = EventType.fromWireName(body.getOrDefault("t", ""));
        return type == null ? null : new Event(object, type, body.getOrDefault("i", ""), body.getOrDefault("v", ""),
                body.getOrDefault("p", ""), revisionOf(entry), true);
    }

    static long revisionOf(StreamMessage<String, String> entry) {
        String id = entry.getId();
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }
}
