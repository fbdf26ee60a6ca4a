package io.thoonk.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.thoonk.client.Event;
import io.thoonk.client.EventType;
import io.thoonk.client.Item;
import io.thoonk.client.Job;
import io.thoonk.client.JobState;
import io.thoonk.client.NoSuchItemException;
import io.thoonk.client.Published;

import java.util.Locale;

/** The results the CLI prints; each record is one JSON object in {@code --output json}. */
final class Views {

    private Views() {
    }

    /** A job state as the CLI prints it: {@code queued}, {@code claimed}, ... */
    static String stateName(JobState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** A write: publish, edit, move, put. */
    record Written(String name, String action, String id, long revision) implements View {
        static Written of(String name, String action, Published published) {
            return new Written(name, action, published.id(), published.revision());
        }

        @Override
        public String text() {
            return action + " " + id + " (" + name + " revision " + revision + ")";
        }
    }

    /** A retract: whether there was something to remove ({@link #of} refuses a retract of nothing). */
    record Removed(String name, String id, boolean retracted) implements View {
        /**
         * The outcome of a retract: {@code retracted} false (there was no such item) fails with a
         * {@link NoSuchItemException}, as getting or editing a missing item does.
         */
        static Removed of(String name, String id, boolean retracted) {
            if (!retracted) {
                throw new NoSuchItemException(name, id);
            }
            return new Removed(name, id, true);
        }

        @Override
        public String text() {
            return retracted ? "retracted " + id : "no item " + id + " in " + name + ", nothing retracted";
        }
    }

    /** A job operation without a revision: finish, cancel, stall, retry. */
    record Done(String name, String id, String action) implements View {
        @Override
        public String text() {
            return action + " job " + id;
        }
    }

    /** An item id. */
    record Id(String name, String id) implements View {
        @Override
        public String text() {
            return id;
        }
    }

    /** An item with its content and the revision at which it last changed. */
    record ItemView(String name, String id, String item, long revision) implements View {
        static ItemView of(String name, Item item) {
            return new ItemView(name, item.id(), item.value(), item.revision());
        }

        @Override
        public String text() {
            return id + "\t" + item;
        }
    }

    /** An item taken from a queue. */
    record Taken(String name, String item) implements View {
        @Override
        public String text() {
            return item;
        }
    }

    /** A claimed job. */
    record Claimed(String name, String id, String payload, long failures) implements View {
        static Claimed of(String name, Job job) {
            return new Claimed(name, job.id(), job.payload(), job.failures());
        }

        @Override
        public String text() {
            return "id: " + id + System.lineSeparator() + "payload: " + payload + System.lineSeparator()
                    + "failures: " + failures;
        }
    }

    /** A job id with its state, as listed. */
    record Listed(String name, String id, String state) implements View {
        static Listed of(String name, String id, JobState state) {
            return new Listed(name, id, stateName(state));
        }

        @Override
        public String text() {
            return id + "\t" + state;
        }
    }

    /** A job's state and how many times it failed so far. */
    record JobStatus(String name, String id, String state, long failures) implements View {
        static JobStatus of(String name, String id, JobState state, long failures) {
            return new JobStatus(name, id, stateName(state), failures);
        }

        @Override
        public String text() {
            return "id: " + id + System.lineSeparator() + "state: " + state + System.lineSeparator()
                    + "failures: " + failures;
        }
    }

    /** A finished job's result (empty when it was finished without one). */
    record JobResult(String name, String id, String result) implements View {
        @Override
        public String text() {
            return result;
        }
    }

    /**
     * One event of a subscription. Fields the event does not carry are null, and left out of its
     * JSON: the id of a delete, the position outside sorted feeds, the item of an event about an item
     * rather than its content (retract, take, claim, ...).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EventView(String name, String type, String id, String item, String position, long revision)
            implements View {
        static EventView of(Event event) {
            boolean carriesContent = event.type() == EventType.PUBLISH || event.type() == EventType.EDIT
                    || event.type() == EventType.FINISH;
            return new EventView(event.object(), event.type().wireName(), nonEmpty(event.id()),
                    carriesContent ? event.item() : nonEmpty(event.item()), nonEmpty(event.position()),
                    event.revision());
        }

        /** One readable line: {@code team:1:news publish id=a item=hello revision=1}. */
        @Override
        public String text() {
            StringBuilder sb = new StringBuilder(name).append(' ').append(type);
            appendIfPresent(sb, "id", id);
            appendIfPresent(sb, "position", position);
            appendIfPresent(sb, "item", item);
            return sb.append(" revision=").append(revision).toString();
        }

        private static void appendIfPresent(StringBuilder sb, String field, String value) {
            if (value != null) {
                sb.append(' ').append(field).append('=').append(value);
            }
        }

        private static String nonEmpty(String value) {
            return value == null || value.isEmpty() ? null : value;
        }
    }

    /** An event printed by the demo, in its narration: indented, after the commands that caused it. */
    record DemoEvent(EventView event) implements View {
        @Override
        public String text() {
            return "  event " + event.text();
        }

        @Override
        public String json() {
            return event.json();
        }
    }

    /** A line of narration (the demo). */
    record Note(String note) implements View {
        @Override
        public String text() {
            return note;
        }
    }
}
