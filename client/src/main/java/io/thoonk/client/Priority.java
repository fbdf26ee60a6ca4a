package io.thoonk.client;

/** Queue and job priority: a {@link #HIGH} item is taken before every {@link #NORMAL} one. */
public enum Priority {
    NORMAL,
    HIGH
}
