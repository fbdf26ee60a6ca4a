package io.thoonk.client;

/** The four Thoonk object types, with the name the contract stores in {@code feed.config:[f]} field {@code type}. */
public enum ObjectType {
    FEED("feed"),
    SORTED_FEED("sorted_feed"),
    QUEUE("queue"),
    JOB("job");

    private final String contractName;

    ObjectType(String contractName) {
        this.contractName = contractName;
    }

    /** The value of the config hash's {@code type} field. */
    public String contractName() {
        return contractName;
    }

    /** Parses a config {@code type} value; case-insensitive, also accepts {@code sorted-feed} and {@code jobs}. */
    public static ObjectType fromContractName(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.equals("jobs")) {
            n = "job";
        }
        for (ObjectType t : values()) {
            if (t.contractName.equals(n)) {
                return t;
            }
        }
        throw new InvalidArgumentException("unknown object type '" + name + "'; expected feed, sorted_feed, queue or job");
    }
}
