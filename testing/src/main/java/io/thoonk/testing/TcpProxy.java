package io.thoonk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port to one target, for cutting one client off from a server
 * that keeps running, in the two ways networks fail:
 * <ul>
 *   <li>{@link #cut()}: every proxied connection is closed and new ones are closed at once (the
 *   client sees resets and refusals; {@link #restore()} lets connections through again);</li>
 *   <li>{@link #stall()}: connections stay open but no byte goes through either way, as with a
 *   paused server or a silent partition (the client sees nothing at all; {@link #unstall()} sends
 *   what was held back).</li>
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean cut;
    private volatile boolean stalled;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to {@code host:port}, listening on a free loopback port. */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    /** A proxy to {@code host:port} given as one string. */
    public static TcpProxy to(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        return to(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /** {@code 127.0.0.1:<port>} of the proxy. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Closes every connection through the proxy; new ones are closed as soon as they are accepted. */
    public void cut() {
        cut = true;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Lets new connections through again after {@link #cut()}. */
    public void restore() {
        cut = false;
    }

    /** Holds back every byte, both ways, on open and new connections, without closing anything. */
    public void stall() {
        stalled = true;
    }

    /** Lets bytes through again after {@link #stall()}, those held back first. */
    public void unstall() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, CONNECT_TIMEOUT_MS);
            } catch (IOException unreachable) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    awaitUnstalled();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException closed) {
                // one side went away: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitUnstalled() throws InterruptedException {
        if (!stalled) {
            return;
        }
        synchronized (gate) {
            while (stalled && !listener.isClosed()) {
                gate.wait(100);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops listening and closes every connection; idempotent. */
    @Override
    public void close() throws IOException {
        listener.close();
        unstall();
        cut();
    }
}
