package org.scriptbox.drivermodbus.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Modbus server's front door, which the test can slam shut: a TCP relay on a fixed port to the j2mod
 * slave behind it. {@link #kill()} closes the listening socket and every open connection at once (as a
 * crashed server would), which j2mod's own slave does not do reliably on close; {@link #start()} opens the
 * same port again.
 */
final class KillableServer {
    private final int port;
    private final int backendPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;

    KillableServer(int port, int backendPort) {
        this.port = port;
        this.backendPort = backendPort;
    }

    void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = s;
        Thread accept = new Thread(() -> acceptLoop(s), "killable-server-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
                sockets.add(client);
                sockets.add(backend);
                pump(client, backend);
                pump(backend, client);
            } catch (IOException e) {
                return;   // closed by kill()
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[512];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            }
            closeQuietly(from);
            closeQuietly(to);
        }, "killable-pump");
        t.setDaemon(true);
        t.start();
    }

    void kill() {
        closeQuietly(listener);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // already closed
        }
    }
}
