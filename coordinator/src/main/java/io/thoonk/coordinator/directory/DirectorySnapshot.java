package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;

import java.util.List;
import java.util.Map;

/** The whole directory as read at start: at least as new as {@code revision}. */
public record DirectorySnapshot(long revision, Map<String, Shard> shards, List<TeamPlacement> teams) {
}
