package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between MQTT clients and a broker that a test can misbehave: {@link #swallow} drops what the
 * clients send (nothing of it reaches the broker, so nothing is acknowledged), {@link #cut} closes every
 * connection at once without a DISCONNECT (a NAT timeout, a cut cable: both ends see the link go).
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int brokerPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean swallowing;
    final AtomicLong swallowed = new AtomicLong();

    CuttableProxy(int brokerPort) throws IOException {
        this.brokerPort = brokerPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void swallow(boolean on) {
        swallowing = on;
    }

    void cut() {
        for (Socket s : open) {
            close(s);
        }
        open.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                open.add(client);
                open.add(broker);
                pump(client, broker, true);
                pump(broker, client, false);
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (fromClient && swallowing) {
                        swallowed.addAndGet(n);
                    } else {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // cut
            } finally {
                close(from);
                close(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }
}
