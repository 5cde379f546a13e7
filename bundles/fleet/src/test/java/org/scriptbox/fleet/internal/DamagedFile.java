package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;

/** A controller's state file written damaged: the controller must refuse to start, naming the file, not ignore it. */
final class DamagedFile {
    private DamagedFile() {
    }

    static void assertControllerRefusesToStart(Path data, String file, String content, String fleet,
            Map<String, PublicKey> gatewayKeys) throws IOException {
        Files.writeString(data.resolve(file), content);
        try {
            FleetController.checkingGateways("127.0.0.1", 1, fleet, "ctl", data, Duration.ofSeconds(5), null, gatewayKeys);
            fail("a damaged " + file + " is not ignored");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(data.resolve(file) + " is damaged"));
        }
    }
}
