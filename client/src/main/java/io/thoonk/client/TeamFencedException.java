package io.thoonk.client;

/**
 * The shard refused an operation, read or write, because the object's team is fenced there: it
 * has moved away ({@code moved}), or the client routed with an old team epoch ({@code epoch}).
 * Nothing was applied. The routing client handles this by resolving the team again and retrying
 * within the call's deadline; a single-shard client surfaces it because it has nowhere else to go.
 * A team that is being moved ({@code frozen}) is waited for, not surfaced: a call that it keeps
 * waiting past its deadline fails with a {@link ThoonkTimeoutException} naming the move.
 */
public final class TeamFencedException extends ThoonkException {

    private final String team;
    private final String state;
    private final long epoch;

    public TeamFencedException(String team, String state, long epoch) {
        super("team '" + team + "' is " + state + " on this shard (team epoch " + epoch
                + "); resolve the team again through a coordinator");
        this.team = team;
        this.state = state;
        this.epoch = epoch;
    }

    public String team() {
        return team;
    }

    /** {@code frozen}, {@code moved}, or {@code epoch} (the client's epoch is not the shard's). */
    public String state() {
        return state;
    }

    public long epoch() {
        return epoch;
    }
}
