package io.thoonk.cli;

import io.thoonk.testing.cluster.LocalCluster;

import java.util.List;

/** What {@code thoonk dev} prints about the cluster it started. */
final class DevViews {

    private DevViews() {
    }

    /** One shard's nodes. */
    record ShardAddresses(String id, String primary, String replica) {
    }

    /**
     * The addresses of everything started.
     *
     * @param dashboard the coordinators' dashboard URL, or null when they serve none
     */
    record Started(String zookeeper, List<String> coordinators, List<String> clusterMembers,
                   List<ShardAddresses> shards, String dashboard) implements View {

        static Started of(LocalCluster cluster) {
            return new Started(cluster.zookeeper().connectString(), cluster.coordinators().addresses(),
                    cluster.coordinators().all().stream().map(c -> c.clusterAddress()).toList(),
                    cluster.shards().entrySet().stream().map(s -> new ShardAddresses(s.getKey(),
                            s.getValue().primaryAddress(), s.getValue().replicaAddresses().get(0))).toList(),
                    dashboard(cluster));
        }

        /**
         * The dashboard's URL: the first coordinator's HTTP server, or null when it serves none.
         * The one place that knows where the dashboard is.
         */
        static String dashboard(LocalCluster cluster) {
            try {
                return "http://" + cluster.coordinators().all().get(0).httpAddress() + "/";
            } catch (IllegalStateException | IndexOutOfBoundsException e) {
                return null;
            }
        }

        @Override
        public String text() {
            Table table = new Table("COMPONENT", "ADDRESS", "ROLE");
            if (dashboard != null) {
                table.row("dashboard", dashboard, "live view of shards, teams, failovers and moves (open in a browser)");
            }
            table.row("zookeeper", zookeeper, "embedded ZooKeeper, data in a temporary directory");
            for (String coordinator : coordinators) {
                table.row("coordinator", coordinator, "gRPC: thoonk.v1.Directory, thoonk.v1.Admin, health, reflection");
            }
            for (String member : clusterMembers) {
                table.row("coordinator", member, "Hazelcast member: coordinators share what they see of the Redis nodes");
            }
            for (ShardAddresses s : shards) {
                table.row(s.id(), s.primary(), "Redis primary");
                table.row(s.id(), s.replica(), "Redis replica");
            }
            return table.text();
        }
    }
}
