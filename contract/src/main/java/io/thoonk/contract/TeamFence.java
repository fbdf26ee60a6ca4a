package io.thoonk.contract;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A team's fence on one shard: the hash {@code thoonk.team:<team>} with fields {@code state} and
 * {@code epoch}, written by the coordinator and checked by every object script, reads included.
 * While a move copies the team, the same hash holds a third field, {@value #CAPTURE_FIELD}, which
 * is no part of this value: it is the team copier's switch for capturing changes
 * ({@link TeamCopier}); parsing ignores it.
 *
 * <p>A script runs an operation only when the fence is absent (an unmanaged single Redis) or
 * {@linkplain #admits admits} it: the state is {@link State#ACTIVE} and, when the client sends the
 * team epoch it routed with, that epoch is the fence's. Otherwise it answers
 * {@code FENCED <state> <epoch>} (or {@code FENCED epoch <epoch>} for an epoch mismatch) and
 * changes nothing; the routing client then resolves the team again and retries on its new shard.
 *
 * @param team  the team id (valid by {@link NameRules#team})
 * @param state what the team may do on this shard
 * @param epoch the team's placement epoch the fence was written for (>= 0)
 */
public record TeamFence(String team, State state, long epoch) {

    /** Hash field holding {@link State#field()}. */
    public static final String STATE_FIELD = "state";
    /** Hash field holding the epoch as a decimal integer. */
    public static final String EPOCH_FIELD = "epoch";
    /**
     * Hash field present while a move copies the team: the scripts then append every change to the
     * team's change log ({@link Keys#teamChanges}). Written and removed by the team copier, never by
     * {@link #fields()}.
     */
    public static final String CAPTURE_FIELD = "capture";

    /** What a team may do on a shard. */
    public enum State {
        /** The team lives here: operations routed with the fence's epoch run. */
        ACTIVE,
        /** The team is being moved away: everything is refused until it is active again or moved. */
        FROZEN,
        /** The team lives elsewhere now: everything is refused; clients must re-resolve it. */
        MOVED;

        /** The value of the hash's {@code state} field: the name in lower case. */
        public String field() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a {@code state} field value; empty when it is none of the three. */
        public static Optional<State> fromField(String value) {
            for (State s : values()) {
                if (s.field().equals(value)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    public TeamFence {
        Objects.requireNonNull(team, "team == null");
        Objects.requireNonNull(state, "state == null");
        NameRules.team(team).ifPresent(v -> {
            throw new IllegalArgumentException(v.message());
        });
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        }
    }

    /** An active fence: the team lives on the shard at {@code epoch}. */
    public static TeamFence active(String team, long epoch) {
        return new TeamFence(team, State.ACTIVE, epoch);
    }

    /** This fence with another state, same team and epoch. */
    public TeamFence withState(State newState) {
        return new TeamFence(team, newState, epoch);
    }

    /** The key of the fence hash: {@link Keys#fence}. */
    public String key() {
        return Keys.fence(team);
    }

    /** The hash fields, to write with one {@code HSET key field value ...}. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(STATE_FIELD, state.field());
        fields.put(EPOCH_FIELD, Long.toString(epoch));
        return fields;
    }

    /**
     * What the scripts decide: whether an operation routed with {@code routedEpoch} may run
     * ({@code routedEpoch <= 0}: the client sent none, as a single-shard client does).
     */
    public boolean admits(long routedEpoch) {
        return state == State.ACTIVE && (routedEpoch <= 0 || routedEpoch == epoch);
    }

    /**
     * Reads a fence from its hash fields ({@code HGETALL thoonk.team:<team>}); empty when the hash
     * has no {@code state} (absent: no fence, an unmanaged Redis; or only a {@value #CAPTURE_FIELD}
     * field, which the scripts read as no fence too). A missing epoch reads as 0, as the scripts read
     * it; other fields are ignored.
     *
     * @throws IllegalArgumentException when the hash holds something no party writes: an unknown
     *                                  state or an epoch that is not a non-negative integer
     */
    public static Optional<TeamFence> parse(String team, Map<String, String> fields) {
        Objects.requireNonNull(fields, "fields == null");
        String stateField = fields.get(STATE_FIELD);
        if (stateField == null) {
            return Optional.empty();
        }
        State state = State.fromField(stateField).orElseThrow(() -> new IllegalArgumentException("fence "
                + Keys.fence(team) + " has state '" + stateField + "'; expected active, frozen or moved"));
        String epochField = fields.get(EPOCH_FIELD);
        long epoch;
        try {
            epoch = epochField == null ? 0 : Long.parseLong(epochField);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fence " + Keys.fence(team) + " has epoch '" + epochField
                    + "'; expected a non-negative integer", e);
        }
        return Optional.of(new TeamFence(team, state, epoch));
    }
}
