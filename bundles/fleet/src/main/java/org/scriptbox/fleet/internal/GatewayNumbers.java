package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A controller's {@code gateway-seqs.json}: the gateways' sequence numbers it took ({@link GatewayAuth.Checker}),
 * so that after a restart a captured birth or status is still a replay (it was taken once more before). Written
 * coalesced (at most once a second, and at the close), not per message: a crash loses at most the last second's
 * numbers, and only a message of that second could be taken once more. A damaged file fails closed.
 */
final class GatewayNumbers {
    static final String FILE = "gateway-seqs.json";

    private GatewayNumbers() {
    }

    /** @throws IllegalArgumentException naming the file, when it is damaged (it is the replay guard) */
    static void load(Path file, GatewayAuth.Checker into) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonNode o = PackageCodec.JSON.readTree(Files.readAllBytes(file));
            if (o == null || !o.isObject()) {
                throw new IllegalArgumentException("not an object");
            }
            into.restore(o);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " is damaged; move it away (then a captured birth or status of each "
                    + "gateway could be taken once more)");
        }
    }

    /** Writes what changed since the last save; false if that could not be written (kept for the next try). */
    static boolean save(Path file, GatewayAuth.Checker from) {
        ObjectNode o = from.changes();
        if (o == null) {
            return true;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            DurableFile.replace(file, o.toString().getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            from.changedAgain();
            return false;
        }
    }
}
