package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.scriptbox.api.fleet.FleetMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Signed requests (opt-in: a gateway's {@code controller.keys}), so that who may run, cancel, undeploy or
 * roll back does not rest on the broker's ACLs alone, as code already does not. A request travels as
 * {@code {"key":name,"seq":n,"sig":base64,"request":base64 of the body}}; the Ed25519 signature covers
 * fleet, gateway, command, response topic, correlation data, sequence number and the body's exact bytes, so
 * a captured request can be neither sent to another gateway, nor answered elsewhere, nor replayed: a
 * gateway takes each controller key's sequence numbers only upwards (kept in its data area).
 */
final class RequestAuth {
    private RequestAuth() {
    }

    static byte[] signedBytes(String fleet, String gateway, String command, String responseTopic, byte[] correlation,
                              long seq, byte[] body) {
        return SignedMessage.bytes("request", correlation, seq, body, fleet, gateway, command, responseTopic);
    }

    /**
     * A gateway without {@code controller.keys} takes unsigned requests, so it may as well take a signed one
     * unchecked (a fleet moving to signed requests gets the controller's key first, then the gateways theirs).
     */
    static byte[] unwrapUnchecked(byte[] payload) {
        if (payload.length == 0 || payload[0] != '{') {
            return payload;
        }
        try {
            JsonNode o = PackageCodec.flatObject(payload);
            if (o.size() == 4 && o.path("sig").isTextual() && o.path("request").isTextual() && o.has("key")
                    && o.has("seq")) {
                return Base64.getDecoder().decode(o.get("request").asText());
            }
        } catch (IllegalArgumentException e) {
            // not an envelope: the request as it came
        }
        return payload;
    }

    /** A controller's side: signs each request with a sequence number that only goes up. */
    static final class Signer {
        private final String name;
        private final PrivateKey key;
        private final SequenceSource numbers;

        /** Numbers not kept: a restarted controller goes on above its earlier ones only if its clock did not go back. */
        Signer(String name, PrivateKey key) {
            this(name, key, new SequenceSource(System::currentTimeMillis));
        }

        /** Numbers kept in a file ({@link SequenceSource}): heard at once after a restart with the clock put back (Q45). */
        Signer(String name, PrivateKey key, SequenceSource numbers) {
            this.name = name;
            this.key = key;
            this.numbers = numbers;
        }

        long nextSeq() {
            return numbers.next();
        }

        byte[] wrap(String fleet, String gateway, String command, String responseTopic, byte[] correlation, long seq,
                    byte[] body) {
            byte[] sig = Ed25519Keys.sign(key, signedBytes(fleet, gateway, command, responseTopic, correlation, seq, body));
            ObjectNode o = PackageCodec.JSON.createObjectNode().put("key", name).put("seq", seq)
                    .put("sig", Base64.getEncoder().encodeToString(sig))
                    .put("request", Base64.getEncoder().encodeToString(body));
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A gateway's side; confined to the link thread. */
    static final class Checker {
        private final Map<String, PublicKey> keys;
        private final String fleet;
        private final String gateway;
        private final Path file;
        private final SequenceWindow lastSeq;   // controller key name -> number

        /** @throws IOException for a damaged sequence file: fail closed (it is the replay guard) */
        Checker(Map<String, PublicKey> keys, String fleet, String gateway, Path file) throws IOException {
            this(keys, fleet, gateway, file, java.time.Duration.ofMinutes(10), System::currentTimeMillis);
        }

        /**
         * @param window how far the controller's time (a sequence number is its clock in microseconds) may be from
         *               {@code clock}'s, either way: a number far ahead would otherwise be taken and refuse every later
         *               request as REPLAY until the controller's clock reached it (years, after one wrong clock), and a
         *               copy held back (the broker dropped the expired original) would be taken days later (FINDINGS Q30)
         */
        Checker(Map<String, PublicKey> keys, String fleet, String gateway, Path file, java.time.Duration window,
                java.util.function.LongSupplier clock) throws IOException {
            this.lastSeq = new SequenceWindow(window, clock);
            this.keys = Map.copyOf(keys);
            this.fleet = fleet;
            this.gateway = gateway;
            this.file = file;
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                try {
                    JsonNode o = PackageCodec.JSON.readTree(bytes);
                    JsonNode seqs = o == null ? null : o.get("lastSeq");
                    if (seqs == null || !seqs.isObject()) {
                        throw new IllegalArgumentException("not a sequence file");
                    }
                    Map<String, Long> saved = new HashMap<>();
                    seqs.properties().forEach(e -> saved.put(e.getKey(), e.getValue().asLong()));
                    lastSeq.load(saved);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + " is damaged; move it away (then a captured request could be replayed once)");
                }
            }
        }

        /**
         * @return the request's body, once its signature and sequence number are right
         * @throws Refusal UNAUTHENTICATED (unsigned, unknown key, bad signature) or REPLAY
         */
        byte[] check(FleetMessage m, String command) {
            JsonNode o;
            try {
                o = PackageCodec.flatObject(m.payload());
            } catch (IllegalArgumentException e) {
                o = null;
            }
            if (o == null || !o.isObject() || !o.path("key").isTextual() || !o.path("seq").canConvertToLong()
                    || !o.path("sig").isTextual() || !o.path("request").isTextual()) {
                throw new Refusal("UNAUTHENTICATED", "this gateway takes only requests signed by a controller key (controller.keys)");
            }
            String name = o.get("key").asText();
            PublicKey key = keys.get(name);
            if (key == null) {
                throw new Refusal("UNAUTHENTICATED", "the key '" + Texts.clip(name) + "' is not among this gateway's controller.keys");
            }
            long seq = o.get("seq").asLong();
            byte[] body;
            byte[] sig;
            try {
                body = Base64.getDecoder().decode(o.get("request").asText());
                sig = Base64.getDecoder().decode(o.get("sig").asText());
            } catch (IllegalArgumentException e) {
                throw new Refusal("UNAUTHENTICATED", "the request or its signature is not base64");
            }
            if (!Ed25519Keys.verify(key, signedBytes(fleet, gateway, command, m.responseTopic(), m.correlationData(), seq, body), sig)) {
                throw new Refusal("UNAUTHENTICATED", "the signature does not match the request and the key of '" + Texts.clip(name)
                        + "' (another gateway's, command, response topic, or altered)");
            }
            if (lastSeq.ahead(seq) || lastSeq.behind(seq)) {
                long at = seq / 1000;
                long now = lastSeq.nowMillis();
                throw new Refusal(at > now ? "CLOCK" : "STALE", "request number " + seq + " of '" + Texts.clip(name)
                        + "' was signed at " + java.time.Instant.ofEpochMilli(at) + ", more than " + lastSeq.windowMillis() / 1000
                        + " s " + (at > now ? "ahead of" : "before") + " this gateway's clock (" + java.time.Instant.ofEpochMilli(now)
                        + "): " + (at > now ? "one of the two clocks is wrong" : "a copy held back, or a clock that is wrong")
                        + " (controller.clock.window.seconds)");
            }
            long last = lastSeq.last(name);   // lowered if kept from a clock fault far ahead (Q41)
            if (seq <= last) {
                throw new Refusal("REPLAY", "request number " + seq + " of '" + Texts.clip(name) + "' is not above " + last
                        + " taken before (a replay, or the controller's clock went back)");
            }
            lastSeq.take(name, seq);
            try {
                ObjectNode root = PackageCodec.JSON.createObjectNode();
                ObjectNode seqs = root.putObject("lastSeq");
                lastSeq.snapshot().forEach(seqs::put);
                Files.createDirectories(file.toAbsolutePath().getParent());
                DurableFile.replace(file, root.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                lastSeq.restore(name, last);
                throw new Refusal("IO", "cannot record the request's number in the data area: " + PahoLink.reason(e));
            }
            return body;
        }
    }
}
