package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A signer's sequence numbers (a gateway's or a controller's): microseconds of its clock, each above the last.
 * With a file they are kept as a high-water mark reserved a minute ahead, so a signer restarted after its clock
 * was put back (NTP) goes on above the numbers it used and is heard at once (Q45), instead of being dropped as a
 * replay until its clock got there; a mark more than {@code window} ahead of the clock is from a clock fault and
 * is not taken (the other side holds such a signer back one window at most, Q41). Any thread.
 */
final class SequenceSource {
    private static final long RESERVE_MICROS = 60_000_000L;   // one write a minute at most
    private final LongSupplier clock;
    private final Path file;   // null: numbers not kept (tests)
    private long last;
    private long reserved;

    SequenceSource(LongSupplier clockMillis) {
        this.clock = clockMillis;
        this.file = null;
    }

    /** @throws IOException naming {@code file} when it is damaged */
    SequenceSource(LongSupplier clockMillis, Path file, Duration window) throws IOException {
        this.clock = clockMillis;
        this.file = file;
        if (Files.exists(file)) {
            long mark;
            try {
                mark = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                throw new IOException(file + " is damaged; move it away");
            }
            if (mark / 1000 <= clockMillis.getAsLong() + window.toMillis()) {
                last = mark;
            }
        }
    }

    synchronized long next() {
        last = Math.max(last + 1, clock.getAsLong() * 1000);
        if (file != null && last > reserved) {
            long mark = last + RESERVE_MICROS;
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                DurableFile.replace(file, Long.toString(mark).getBytes(StandardCharsets.US_ASCII));
                reserved = mark;
            } catch (IOException e) {
                // the numbers still go up while it runs; after a restart they follow its clock only
            }
        }
        return last;
    }
}
