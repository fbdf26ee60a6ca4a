package io.thoonk.bench;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.Job;
import io.thoonk.client.Jobs;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Job round trips. Each worker thread loops put, get (claim), finish with blocking
 * calls; one cycle's time is one latency sample. The client's blocking API is set against the same
 * three script calls over bare Lettuce, each awaited in turn.
 */
record JobRoundTripBench(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources)
        implements Benchmark {

    static final String RATE = "jobs/s";
    private static final Duration GET_TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, String> SETTINGS = Map.of("history_length", "100", "result_ttl_ms", "60000");

    @Override
    public String key() {
        return "jobs";
    }

    @Override
    public Section run() throws Exception {
        Variant client = new Variant("client (blocking API)", tag -> {
            String name = "bench:jobs:client:" + tag;
            Jobs jobs = thoonk.jobs(name);
            return round(name, () -> {
                jobs.put(Payload.ITEM);
                Job job = jobs.get(GET_TIMEOUT).orElseThrow(() -> new IllegalStateException("no job within " + GET_TIMEOUT));
                jobs.finish(job.id());
            });
        });
        Variant lettuce = new Variant("bare Lettuce EVALSHA", tag -> {
            String name = "bench:jobs:bare:" + tag;
            String[] keys = BareLettuce.keys(ObjectType.JOB, name);
            return round(name, () -> {
                bare.<Long>evalsha(Script.JOBS, ScriptOutputType.INTEGER, keys, name, "put",
                        UUID.randomUUID().toString(), Payload.ITEM, "").get();
                String id = claim(keys, name);
                bare.<Long>evalsha(Script.JOBS, ScriptOutputType.INTEGER, keys, name, "finish", id, "", "").get();
            });
        });
        Comparison c = Comparison.run("job round trips", List.of(client, lettuce), config.warmups(), config.rounds(),
                resources);
        return report -> report(report, c);
    }

    /** The claim script; the worker put a job before, so there is always one to take. */
    private String claim(String[] keys, String name) throws Exception {
        List<Object> claimed = bare.<List<Object>>evalsha(Script.JOBS, ScriptOutputType.MULTI, keys, name, "claim",
                "", "", "").get();
        if (claimed == null || claimed.isEmpty()) {
            throw new IllegalStateException("no job to claim");
        }
        return (String) claimed.get(0);
    }

    /** Runs the workers on a fresh job queue for one round, then deletes it. */
    private Metrics round(String name, ClosedLoop.Call cycle) throws Exception {
        thoonk.registry().create(name, ObjectType.JOB, SETTINGS);
        try {
            return runWorkers(cycle);
        } finally {
            thoonk.registry().delete(name);
        }
    }

    private Metrics runWorkers(ClosedLoop.Call cycle) throws Exception {
        ClosedLoop.Outcome out = ClosedLoop.run(config.jobWorkers(), config.jobSeconds(), "bench-worker", cycle);
        Metrics m = new Metrics().put(RATE, out.perSecond());
        out.latencies().addPercentiles(m, "cycle ", 50, 99);
        return m;
    }

    private void report(Report report, Comparison c) {
        String client = c.variants().get(0);
        String lettuce = c.variants().get(1);
        report.section("Job round trips")
                .paragraph(config.jobWorkers() + " worker threads, " + config.jobSeconds() + " s per round, a fresh "
                        + "job queue per round (`history_length=100`, `result_ttl_ms=60000`). Each worker loops: put a "
                        + Payload.BYTES + "-byte job, get (claim) one, finish it, each call waiting for its answer; "
                        + "one put->get->finish cycle is one latency sample and one job in jobs/s. **client**: "
                        + "`Jobs.put`, `Jobs.get(5 s)`, `Jobs.finish(id)`. **bare Lettuce EVALSHA**: the client's "
                        + "job script with ops `put`, `claim`, `finish` and the client's KEYS/ARGV, each "
                        + "`RedisFuture.get()`. Every get finds a job (each worker puts before it gets), so the "
                        + "client never falls back to its blocking wait. No target was set; the ratio is the "
                        + "client's overhead.")
                .medians(c, RATE)
                .paragraph(String.format(Locale.ROOT, "Redis ran at %.0f%% (client) and %.0f%% (bare) of one core, "
                                + "%.1f µs per script call; this JVM spent a median %.0f µs of CPU per job through the "
                                + "client and %.0f µs through bare Lettuce (three calls each, harness included).",
                        c.median(client, ResourceUse.REDIS_CPU), c.median(lettuce, ResourceUse.REDIS_CPU),
                        c.median(client, ResourceUse.SCRIPT_MICROS),
                        c.median(client, m -> ResourceUse.jvmMicrosPerOp(m, RATE)),
                        c.median(lettuce, m -> ResourceUse.jvmMicrosPerOp(m, RATE))))
                .rawRounds(c);
    }
}
