package org.scriptbox.fleet.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The bytes a gateway ({@link GatewayAuth}) or a controller ({@link RequestAuth}) signs: {@code scriptbox-<kind>},
 * the fields, the correlation data in base64 (empty without), the sequence number, each on a line ended by a
 * newline, then the payload's exact bytes. Deployed gateways and controllers sign this: it must not change
 * (SignedLayoutTest pins it).
 */
final class SignedMessage {
    private SignedMessage() {
    }

    static byte[] bytes(String kind, byte[] correlation, long seq, byte[] payload, String... fields) {
        StringBuilder head = new StringBuilder("scriptbox-").append(kind).append('\n');
        for (String f : fields) {
            head.append(f).append('\n');
        }
        head.append(correlation == null ? "" : Base64.getEncoder().encodeToString(correlation)).append('\n')
                .append(seq).append('\n');
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + payload.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(payload, 0, all, h.length, payload.length);
        return all;
    }
}
