package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The operator's changes to a controller's {@code gateway.keys} ({@code fleet:trust-key}, {@code fleet:revoke-key}),
 * kept in {@code gateway-keys.json} in its data area (written durably at each command) and laid over the
 * configured keys at each start: a key given by a command outlives a restart, and so does a revocation of a gateway
 * the configuration still names. A damaged file fails the start naming it. Commands are serialized by the caller.
 */
final class TrustedGatewayKeys {
    static final String FILE = "gateway-keys.json";
    private final Path file;
    private final Map<String, String> trusted = new TreeMap<>();
    private final java.util.Set<String> revoked = new TreeSet<>();

    /** @throws IllegalArgumentException naming the file, when it is damaged */
    TrustedGatewayKeys(Path file) {
        this.file = file;
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonNode o = PackageCodec.JSON.readTree(Files.readAllBytes(file));
            if (o == null || !o.path("trusted").isObject() || !o.path("revoked").isArray()) {
                throw new IllegalArgumentException("not a keys file");
            }
            o.get("trusted").properties().forEach(e -> {
                Ed25519Keys.publicKey(e.getValue().asText());   // checked now, not at the first message
                trusted.put(e.getKey(), e.getValue().asText());
            });
            o.get("revoked").forEach(n -> revoked.add(n.asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " is damaged (the operator's fleet:trust-key and fleet:revoke-key); "
                    + "move it away and give those commands again");
        }
    }

    /** {@code configured} with the commands' changes laid over it. */
    Map<String, PublicKey> over(Map<String, PublicKey> configured) {
        Map<String, PublicKey> out = new TreeMap<>(configured);
        trusted.forEach((g, k) -> out.put(g, Ed25519Keys.publicKey(k)));
        revoked.forEach(out::remove);
        return out;
    }

    void trust(String gateway, PublicKey key) throws IOException {
        trusted.put(gateway, Ed25519Keys.publicText(key));
        revoked.remove(gateway);
        save();
    }

    void revoke(String gateway) throws IOException {
        trusted.remove(gateway);
        revoked.add(gateway);
        save();
    }

    private void save() throws IOException {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        trusted.forEach(o.putObject("trusted")::put);
        revoked.forEach(o.putArray("revoked")::add);
        Files.createDirectories(file.toAbsolutePath().getParent());
        DurableFile.replace(file, o.toString().getBytes(StandardCharsets.UTF_8));
    }
}
