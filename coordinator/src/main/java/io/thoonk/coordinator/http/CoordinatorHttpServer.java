package io.thoonk.coordinator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.FailoverHistory;
import io.thoonk.coordinator.migration.Mover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's HTTP server, on the JDK's own {@link HttpServer}. Routes, all {@code GET}
 * (another method: 405; another path: 404):
 * <ul>
 *   <li>{@code /}: the live dashboard, one self-contained HTML page;</li>
 *   <li>{@code /api/state}: the dashboard's data as JSON (a {@link Snapshot});</li>
 *   <li>{@code /api/events}: server-sent events, each an {@code event: state} carrying a whole new
 *       snapshot: one on connecting, then one after each change the coordinator sees (directory,
 *       node health), coalesced to at most one every {@link #PUBLISH_GAP}, and at least every
 *       {@link #REFRESH_INTERVAL} (replication offsets and move progress have no change events);
 *       at most {@link #MAX_EVENT_CLIENTS} at a time (503 beyond), a client whose write fails is dropped;</li>
 *   <li>{@code /metrics}: the Prometheus text from the {@code metrics} supplier;</li>
 *   <li>{@code /healthz}: 200 {@code ok} while the server runs.</li>
 * </ul>
 *
 * <p>Threading: requests run on a bounded pool of the server's own; snapshots are taken on one
 * publisher thread of its own. The coordinator's threads only flag a change (never blocking), so a
 * slow browser never slows the coordinator. Read-only: nothing here changes the directory.
 */
public final class CoordinatorHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorHttpServer.class);

    /** Event-stream clients served at once; more get 503. */
    public static final int MAX_EVENT_CLIENTS = 64;
    /** {@link #close} returns within about this long. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(1);
    static final Duration PUBLISH_GAP = Duration.ofMillis(200);
    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final int OTHER_REQUESTS = 8;
    private static final String PAGE = "dashboard.html";
    private static final AtomicInteger servers = new AtomicInteger();

    /**
     * What the server reads: the coordinator's parts, never changed through here.
     *
     * @param coordinatorId this coordinator's id (read when a snapshot is taken)
     * @param leader        whether it leads now
     * @param metrics       the body of {@code /metrics} (Prometheus text format)
     */
    public record Sources(DirectoryCache cache, DirectoryStore store, NodeHealthView health, Mover mover,
                          FailoverHistory failovers, Clock clock, Supplier<String> coordinatorId,
                          BooleanSupplier leader, Supplier<String> metrics) {
        public Sources {
            Objects.requireNonNull(cache, "cache == null");
            Objects.requireNonNull(store, "store == null");
            Objects.requireNonNull(health, "health == null");
            Objects.requireNonNull(mover, "mover == null");
            Objects.requireNonNull(failovers, "failovers == null");
            Objects.requireNonNull(clock, "clock == null");
            Objects.requireNonNull(coordinatorId, "coordinatorId == null");
            Objects.requireNonNull(leader, "leader == null");
            Objects.requireNonNull(metrics, "metrics == null");
        }
    }

    /** The latest snapshot as JSON, numbered so an event client knows whether it has sent it. */
    private record Published(long version, String json) {
    }

    private final Sources sources;
    private final byte[] page;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ThreadPoolExecutor requests;
    private final ScheduledExecutorService publisher;
    private final DashboardState state;
    private final AtomicBoolean publishQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Semaphore eventSlots = new Semaphore(MAX_EVENT_CLIENTS);
    private final Set<HttpExchange> eventClients = ConcurrentHashMap.newKeySet();
    private final Object publishedLock = new Object();
    private final AtomicReference<Published> published = new AtomicReference<>();

    private CoordinatorHttpServer(InetSocketAddress bind, Sources sources) throws IOException {
        this.sources = sources;
        this.page = loadPage();
        int n = servers.incrementAndGet();
        try {
            server = HttpServer.create(bind, 0);
        } catch (BindException e) {
            BindException clear = new BindException("cannot serve HTTP on " + bind.getAddress().getHostAddress() + ":"
                    + bind.getPort() + " (" + e.getMessage() + "): choose another httpPort (--http-port, "
                    + "THOONK_HTTP_PORT), 0 for a free one, or -1 for no HTTP server");
            clear.initCause(e);
            throw clear;
        }
        requests = new ThreadPoolExecutor(MAX_EVENT_CLIENTS + OTHER_REQUESTS, MAX_EVENT_CLIENTS + OTHER_REQUESTS,
                30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_EVENT_CLIENTS), threads("thoonk-http-" + n + "-"));
        requests.allowCoreThreadTimeOut(true);
        server.setExecutor(requests);
        server.createContext("/", this::route);
        publisher = Executors.newSingleThreadScheduledExecutor(threads("thoonk-http-" + n + "-publisher-"));
        state = new DashboardState(sources, this::requestPublish);
    }

    /**
     * Starts serving on {@code bind} (port 0: a free one).
     *
     * @throws BindException naming the address and the settings to change when the port is taken
     */
    public static CoordinatorHttpServer start(InetSocketAddress bind, Sources sources) throws IOException {
        Objects.requireNonNull(bind, "bind == null");
        Objects.requireNonNull(sources, "sources == null");
        CoordinatorHttpServer s = new CoordinatorHttpServer(bind, sources);
        try {
            s.publish();
            s.server.start();
            s.publisher.scheduleWithFixedDelay(s::requestPublish, REFRESH_INTERVAL.toMillis(),
                    REFRESH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The socket the server listens on, with its actual port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static byte[] loadPage() throws IOException {
        try (InputStream in = CoordinatorHttpServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IOException("the dashboard page " + PAGE + " is missing from the coordinator's jar");
            }
            return in.readAllBytes();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Called on a change (on the coordinator's threads): queues one publish unless one is queued. */
    private void requestPublish() {
        if (closed.get() || !publishQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            publisher.schedule(this::publish, PUBLISH_GAP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            publishQueued.set(false);
        }
    }

    private void publish() {
        publishQueued.set(false);
        try {
            String text = json.writeValueAsString(state.take());
            Published last = published.get();
            synchronized (publishedLock) {
                published.set(new Published(last == null ? 1 : last.version() + 1, text));
                publishedLock.notifyAll();
            }
        } catch (JsonProcessingException | RuntimeException e) {
            log.warn("dashboard: cannot take a snapshot: {}", e.toString());
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = switch (path) {
                case "/", "/api/state", "/api/events", "/metrics", "/healthz" -> true;
                default -> false;
            };
            if (!known) {
                send(exchange, 404, "text/plain; charset=utf-8", "no such page: " + path + "\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                send(exchange, 405, "text/plain; charset=utf-8", exchange.getRequestMethod() + " is not allowed on "
                        + path + ": this server is read-only, use GET\n");
                return;
            }
            switch (path) {
                case "/" -> send(exchange, 200, "text/html; charset=utf-8", page);
                case "/api/state" -> state(exchange);
                case "/api/events" -> events(exchange);
                case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        sources.metrics().get());
                default -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
            }
        } catch (IOException e) {
            log.debug("dashboard: a request ended early: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("dashboard: request {} failed", exchange.getRequestURI(), e);
        }
    }

    private void state(HttpExchange exchange) throws IOException {
        Published p = published.get();
        if (p == null) {
            send(exchange, 503, "text/plain; charset=utf-8", "no snapshot yet (see the coordinator's log); retry\n");
        } else {
            send(exchange, 200, "application/json", p.json());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** One event-stream client: sends each new snapshot until it goes away or the server stops. */
    private void events(HttpExchange exchange) throws IOException {
        if (!eventSlots.tryAcquire()) {
            send(exchange, 503, "text/plain; charset=utf-8", "too many dashboard clients (at most "
                    + MAX_EVENT_CLIENTS + "); close one and retry\n");
            return;
        }
        eventClients.add(exchange);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            long sent = 0;
            while (!closed.get()) {
                Published next = awaitNewer(sent);
                String message;
                if (next == null) {
                    message = ": keep-alive\n\n";
                } else {
                    message = "event: state\nid: " + next.version() + "\ndata: " + next.json() + "\n\n";
                    sent = next.version();
                }
                if (closed.get()) {
                    break;
                }
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            eventClients.remove(exchange);
            eventSlots.release();
        }
    }

    /** The published snapshot if newer than {@code sent}, else waits up to {@link #KEEP_ALIVE}; null if none came. */
    private Published awaitNewer(long sent) throws InterruptedException {
        long deadline = System.nanoTime() + KEEP_ALIVE.toNanos();
        synchronized (publishedLock) {
            while (true) {
                Published p = published.get();
                if (p != null && p.version() > sent) {
                    return p;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.get()) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(publishedLock, left);
            }
        }
    }

    /** Stops serving, ends every event stream and stops its threads, within about {@link #STOP_TIMEOUT}; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        state.close();
        publisher.shutdownNow();
        synchronized (publishedLock) {
            publishedLock.notifyAll();
        }
        for (HttpExchange e : eventClients) {
            e.close();
        }
        server.stop(0);
        requests.shutdownNow();
        try {
            long left = deadline - System.nanoTime();
            if (!requests.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                log.warn("dashboard: HTTP requests still running {} ms after stopping", STOP_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
