package org.scriptbox.testsupport.modbus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A linked pseudo-terminal pair made by socat ({@code socat -d -d pty,raw,echo=0 pty,raw,echo=0}): what is
 * written to one end is read from the other, as on a serial cable. {@code .ci/run} installs socat.
 */
public final class SerialPair implements AutoCloseable {
    private static final Pattern PTY = Pattern.compile("PTY is (/dev/\\S+)");
    private final Process socat;
    private final String first;
    private final String second;

    public SerialPair() throws IOException {
        socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0").start();
        BufferedReader err = new BufferedReader(new InputStreamReader(socat.getErrorStream(), StandardCharsets.UTF_8));
        List<String> ptys = new ArrayList<>();
        String line;
        // bounded: socat prints both names and "starting data transfer loop", or exits (EOF)
        while (ptys.size() < 2 && (line = err.readLine()) != null) {
            Matcher m = PTY.matcher(line);
            if (m.find()) {
                ptys.add(m.group(1));
            }
        }
        if (ptys.size() < 2) {
            socat.destroyForcibly();
            throw new IllegalStateException("socat made no pty pair (is socat installed? .ci/run installs it)");
        }
        first = ptys.get(0);
        second = ptys.get(1);
        Thread drain = new Thread(() -> {
            try {
                while (err.readLine() != null) {
                    // socat's further notes are not needed; reading keeps its pipe from filling
                }
            } catch (IOException e) {
                // socat ended
            }
        }, "socat-stderr");
        drain.setDaemon(true);
        drain.start();
    }

    /** The end the server listens on. */
    public String serverEnd() {
        return first;
    }

    /** The end the driver opens. */
    public String clientEnd() {
        return second;
    }

    @Override
    public void close() throws InterruptedException {
        socat.destroy();
        if (!socat.waitFor(5, TimeUnit.SECONDS)) {
            socat.destroyForcibly();
        }
    }
}
