package org.scriptbox.drivermodbus.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** RTU frames over a TCP socket (a serial gateway in transparent mode). */
final class TcpByteLink implements ByteLink {
    private final String host;
    private final int port;
    private Socket socket;

    TcpByteLink(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void open(long deadlineNanos) throws IOException {
        Socket s = SocketChannel.open().socket();   // a channel's socket: it can be looked at without blocking
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), millisLeft(deadlineNanos));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
    }

    @Override
    public boolean isOpen() {
        return socket != null;
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    @Override
    public int read(byte[] buffer, int offset, int length, long deadlineNanos) throws IOException {
        socket.setSoTimeout(millisLeft(deadlineNanos));
        int n = socket.getInputStream().read(buffer, offset, length);
        if (n < 0) {
            throw new IOException("closed by the server");
        }
        return n;
    }

    @Override
    public void discardInput() throws IOException {
        SocketChannel channel = socket.getChannel();
        channel.configureBlocking(false);
        try {
            ByteBuffer b = ByteBuffer.allocate(256);
            while (true) {
                b.clear();
                int n = channel.read(b);
                if (n < 0) {
                    throw new IOException("closed by the server");
                }
                if (n == 0) {
                    return;
                }
            }
        } finally {
            channel.configureBlocking(true);
        }
    }

    @Override
    public boolean stillOpen() {
        try {
            discardInput();   // stray bytes are a late answer: dropped here, before the next request
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }

    @Override
    public String describe() {
        return host + ":" + port;
    }

    static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
