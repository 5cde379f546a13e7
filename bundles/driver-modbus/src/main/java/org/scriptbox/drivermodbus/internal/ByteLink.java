package org.scriptbox.drivermodbus.internal;

import java.io.IOException;

/** A byte stream to the device that RTU frames travel on: a TCP socket or a serial line. One thread at a time. */
interface ByteLink {
    /** Opens it, taking at most until {@code deadlineNanos}. */
    void open(long deadlineNanos) throws IOException;

    boolean isOpen();

    void write(byte[] bytes) throws IOException;

    /**
     * Reads at least one byte into {@code buffer}; a {@link java.net.SocketTimeoutException} once the deadline
     * passes with nothing read.
     */
    int read(byte[] buffer, int offset, int length, long deadlineNanos) throws IOException;

    /** Throws away whatever has arrived and not been read (a late answer), without waiting. */
    void discardInput() throws IOException;

    /** Whether the open link is still usable, without waiting. */
    boolean stillOpen();

    void close();

    /** E.g. {@code 10.0.0.5:502} or {@code /dev/ttyUSB0 19200 8E1}. */
    String describe();
}
