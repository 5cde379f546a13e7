package org.scriptbox.drivermodbus.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A serial line (a tty: {@code /dev/ttyUSB0}, {@code /dev/ttyS0}, or a pseudo-terminal), set up with {@code stty}
 * (raw, 8 data bits, the configured baud rate, parity and stop bits, no flow control, {@code min 0 time 1}: a
 * read returns what has arrived, or nothing after 0.1 s, so a deadline is kept within 0.1 s) and then read and
 * written as a file. No native library: the JVM's own file I/O and the system's stty (coreutils).
 */
final class SerialByteLink implements ByteLink {
    /** Parity as stty spells it. */
    enum Parity {
        NONE, EVEN, ODD
    }

    private final String device;
    private final int baud;
    private final Parity parity;
    private final int stopBits;
    private RandomAccessFile file;
    private FileInputStream in;

    SerialByteLink(String device, int baud, Parity parity, int stopBits) {
        this.device = device;
        this.baud = baud;
        this.parity = parity;
        this.stopBits = stopBits;
    }

    @Override
    public void open(long deadlineNanos) throws IOException {
        List<String> stty = new ArrayList<>(List.of("stty", "-F", device, String.valueOf(baud), "cs8", "raw", "-echo",
                "clocal", "-crtscts", "-ixon", "-ixoff", "min", "0", "time", "1", stopBits == 2 ? "cstopb" : "-cstopb"));
        stty.add(parity == Parity.NONE ? "-parenb" : "parenb");
        if (parity != Parity.NONE) {
            stty.add(parity == Parity.ODD ? "parodd" : "-parodd");
        }
        Process p = new ProcessBuilder(stty).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(Math.max(1, TcpByteLink.millisLeft(deadlineNanos)), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SocketTimeoutException("stty did not finish in time");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException("cannot set up " + device + (out.isEmpty() ? "" : ": " + firstLine(out)));
        }
        file = new RandomAccessFile(device, "rw");
        in = new FileInputStream(file.getFD());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 120 ? line.substring(0, 120) : line;
    }

    @Override
    public boolean isOpen() {
        return file != null;
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        file.write(bytes);
    }

    @Override
    public int read(byte[] buffer, int offset, int length, long deadlineNanos) throws IOException {
        while (true) {
            // with min 0 time 1 the tty gives what has come, or nothing after 0.1 s (which Java reads as -1)
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                return n;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
        }
    }

    @Override
    public void discardInput() throws IOException {
        byte[] b = new byte[256];
        while (in.available() > 0) {
            in.read(b);
        }
    }

    @Override
    public boolean stillOpen() {
        try {
            in.available();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // closing anyway
            }
            file = null;
            in = null;
        }
    }

    @Override
    public String describe() {
        return device + " " + baud + " 8" + parity.name().charAt(0) + stopBits;
    }
}
