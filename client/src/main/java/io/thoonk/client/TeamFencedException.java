package io.thoonk.client;

/**
 * The shard refused an operation, read or write, because the object's team is fenced there: it
 * is being moved ({@code frozen}), has moved away ({@code moved}), or the client routed with an
 * old team epoch. The routing client handles this by refreshing the team and retrying; a
 * single-shard client surfaces it because it has nowhere else to go.
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
