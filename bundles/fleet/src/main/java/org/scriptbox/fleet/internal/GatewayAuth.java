package org.scriptbox.fleet.internal;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.scriptbox.api.fleet.FleetMessage;

/**
 * Signed births, deaths, statuses, events and answers: {@link RequestAuth} the other way round, so that what a
 * controller believes of a gateway does not rest on the broker's ACLs alone (opt-in on the controller:
 * {@code gateway.keys}). Each gateway signs everything it publishes with its own Ed25519 key; the signature
 * travels in the MQTT 5 user property {@link FleetMessage#AUTH_PROPERTY} as {@code <seq>:<base64>}, so payloads
 * stay as they were. It covers fleet, gateway, topic, correlation data, a sequence number (the gateway's clock
 * in microseconds, only going up) and the payload's exact bytes: a message cannot be moved to another gateway or
 * topic, an answer cannot answer another request, and an older status cannot be put back.
 */
final class GatewayAuth {
    private GatewayAuth() {
    }

    static byte[] signedBytes(String fleet, String gateway, String topic, byte[] correlation, long seq, byte[] payload) {
        return SignedMessage.bytes("gateway", correlation, seq, payload, fleet, gateway, topic);
    }

    /** A gateway's side: signs each message with a number above the last (any thread). */
    static final class Signer {
        private final String fleet;
        private final String gateway;
        private volatile PrivateKey key;   // replaced by fleet:rotate-key --confirm; the numbers go on
        private final SequenceSource numbers;

        Signer(String fleet, String gateway, PrivateKey key, LongSupplier clockMillis) {
            this(fleet, gateway, key, new SequenceSource(clockMillis));
        }

        /** Numbers kept in {@code file} ({@link SequenceSource}): heard at once after a restart with the clock put back (Q45). */
        Signer(String fleet, String gateway, PrivateKey key, LongSupplier clockMillis, java.nio.file.Path file,
               java.time.Duration window) throws java.io.IOException {
            this(fleet, gateway, key, new SequenceSource(clockMillis, file, window));
        }

        private Signer(String fleet, String gateway, PrivateKey key, SequenceSource numbers) {
            this.fleet = fleet;
            this.gateway = gateway;
            this.key = key;
            this.numbers = numbers;
        }

        long nextSeq() {
            return numbers.next();
        }

        /** Signs with {@code next} from now on (fleet:rotate-key --confirm), its numbers still above the last. */
        synchronized void rotate(PrivateKey next) {
            key = next;
        }

        FleetMessage sign(FleetMessage m) {
            return sign(m, nextSeq());
        }

        /**
         * Signs and hands {@code m} to {@code publish} in one step: messages of one topic signed on several threads
         * (run-end events) reach the link's queue in the order of their numbers, else a controller would drop the
         * lower one that came second as a replay.
         */
        synchronized void signAndPublish(FleetMessage m, java.util.function.Consumer<FleetMessage> publish) {
            publish.accept(sign(m));
        }

        FleetMessage sign(FleetMessage m, long seq) {
            byte[] sig = Ed25519Keys.sign(key, signedBytes(fleet, gateway, m.topic(), m.correlationData(), seq, m.payload()));
            return m.withAuth(seq + ":" + Base64.getEncoder().encodeToString(sig));
        }
    }

    /**
     * A controller's side, on its link's thread: takes a gateway's message only when the key {@code gateway.keys}
     * gives for that gateway signed it and its number is above the last of that gateway and topic.
     */
    static final class Checker {
        /** What {@link #check} says of a message taken before (QoS 1 is at least once; retained and live at a subscribe). */
        static final String DUPLICATE = "duplicate";
        private volatile Map<String, PublicKey> keys;   // replaced whole by fleet:trust-key / fleet:revoke-key
        /** A gateway's key before fleet:trust-key gave it a new one: still taken until a message signed by the new one is. */
        private final Map<String, PublicKey> previous = new HashMap<>();
        private final String fleet;
        private final SequenceWindow last;   // "gateway/leaf" -> number
        private final Map<String, Long> wills = new HashMap<>();   // gateway -> its will's number, from its birth
        /** "gateway/leaf" -> the number of the message taken last (a will's is below its birth's). */
        private final Map<String, Long> latest = new HashMap<>();
        /** {@link #latest} as saved before a restart: the retained message of each, taken once more (its signature checked). */
        private final Map<String, Long> retained = new HashMap<>();
        private boolean changed;

        Checker(Map<String, PublicKey> keys, String fleet, java.time.Duration window, LongSupplier clockMillis) {
            this.keys = Map.copyOf(keys);
            this.fleet = fleet;
            this.last = new SequenceWindow(window, clockMillis);
        }

        boolean knows(String gateway) {
            return keys.containsKey(gateway);
        }

        PublicKey key(String gateway) {
            return keys.get(gateway);
        }

        /**
         * @param leaf {@code state}, {@code status}, {@code events}, or {@code res} for an answer (an answer is
         *             bound to one request by its correlation data: its number is not compared)
         * @return null when the message is taken, else why not (one phrase, for the WARN line)
         */
        synchronized String check(FleetMessage m, String gateway, String leaf) {
            return check(m, gateway, leaf, () -> true);
        }

        /** What {@link #check} says of a message left unverified: over the verification budget. */
        static final String OVER_BUDGET = "over budget";

        /** @param afford asked after the cheap checks, before the signature's (events, telemetry: {@link VerifyBudget}) */
        synchronized String check(FleetMessage m, String gateway, String leaf, java.util.function.BooleanSupplier afford) {
            PublicKey key = keys.get(gateway);
            if (key == null) {
                return "gateway '" + Texts.clip(gateway) + "' is not in gateway.keys";
            }
            long seq = seqOf(m.auth());
            if (seq <= 0) {
                return "unsigned message from '" + Texts.clip(gateway) + "' on " + Texts.clip(m.topic());
            }
            String k = gateway + "/" + leaf;
            long before = last.last(k);   // lowered if taken during a clock fault far ahead (Q41)
            Long will = wills.get(gateway);
            boolean isWill = leaf.equals("state") && will != null && will == seq;
            // after a restart the broker hands over the retained birth (or death) and status taken before: not a replay
            boolean again = !leaf.equals("res") && retained.containsKey(k) && retained.get(k) == seq;
            if (!leaf.equals("res") && seq <= before && !isWill && !again) {
                // dropped before the signature is checked: an Ed25519 verification costs about a millisecond, a replay nothing
                return seq == before ? DUPLICATE : "message number " + seq + " of '" + Texts.clip(gateway) + "' on "
                        + Texts.clip(m.topic()) + " is not above " + before + " taken before (a replay)";
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(m.auth().substring(m.auth().indexOf(':') + 1));
            } catch (IllegalArgumentException e) {
                return "a signature of '" + Texts.clip(gateway) + "' that is not base64";
            }
            PublicKey old = previous.get(gateway);
            if (last.ahead(seq)) {
                // taken, it would make every later message of this gateway a replay until our clock got there
                return "a message of '" + Texts.clip(gateway) + "' signed at " + java.time.Instant.ofEpochMilli(seq / 1000)
                        + ", more than " + last.windowMillis() / 1000 + " s ahead of this controller's clock (gateway.clock.window.seconds)";
            }
            if (!afford.getAsBoolean()) {
                return OVER_BUDGET;
            }
            byte[] signed = signedBytes(fleet, gateway, m.topic(), m.correlationData(), seq, m.payload());
            if (Ed25519Keys.verify(key, signed, sig)) {
                previous.remove(gateway);   // heard with its new key: the old one is no longer taken
            } else if (old == null || !Ed25519Keys.verify(old, signed, sig)) {
                return "a message on " + Texts.clip(m.topic()) + " not signed by the key gateway.keys gives for '"
                        + Texts.clip(gateway) + "' (forged, altered, or another gateway's)";
            }
            if (leaf.equals("res")) {
                return null;
            }
            retained.remove(k);
            latest.put(k, seq);
            changed = true;
            if (isWill && seq <= before) {
                wills.remove(gateway);   // its death, which the broker publishes: signed at connect, before the birth
                return null;
            }
            last.take(k, seq);
            return null;
        }

        /** A birth that was taken names the number its will (the death the broker publishes) was signed with. */
        synchronized void expectWill(String gateway, long seq) {
            if (seq > 0 && keys.containsKey(gateway)) {
                wills.put(gateway, seq);
                changed = true;
            }
        }

        /** What a controller keeps across restarts (gateway-seqs.json), or null if nothing changed since the last call. */
        synchronized com.fasterxml.jackson.databind.node.ObjectNode changes() {
            if (!changed) {
                return null;
            }
            changed = false;
            com.fasterxml.jackson.databind.node.ObjectNode o = PackageCodec.JSON.createObjectNode();
            last.snapshot().forEach(o.putObject("last")::put);
            com.fasterxml.jackson.databind.node.ObjectNode l = o.putObject("latest");
            latest.forEach(l::put);
            retained.forEach((k, v) -> {
                if (!l.has(k)) {
                    l.put(k, v);
                }
            });   // not seen again yet: still the retained one after another restart
            com.fasterxml.jackson.databind.node.ObjectNode w = o.putObject("wills");
            wills.forEach(w::put);
            return o;
        }

        /** fleet:trust-key: {@code gateway}'s messages are taken signed by {@code key} (its old key until it is heard with this one). */
        synchronized void trust(String gateway, PublicKey key) {
            Map<String, PublicKey> k = new HashMap<>(keys);
            PublicKey before = k.put(gateway, key);
            if (before != null && !before.equals(key)) {
                previous.put(gateway, before);
            }
            keys = Map.copyOf(k);
        }

        /** fleet:revoke-key: nothing of {@code gateway} is taken any more (as a gateway not in gateway.keys). */
        synchronized void revoke(String gateway) {
            Map<String, PublicKey> k = new HashMap<>(keys);
            k.remove(gateway);
            previous.remove(gateway);
            keys = Map.copyOf(k);
        }

        synchronized void changedAgain() {
            changed = true;
        }

        /** Puts back {@link #changes}' numbers (before the link starts); an entry of a gateway no longer in gateway.keys is dropped. */
        synchronized void restore(com.fasterxml.jackson.databind.JsonNode saved) {
            Map<String, Long> l = new HashMap<>();
            numbers(saved.get("last")).forEach((k, v) -> {
                if (keys.containsKey(k.substring(0, Math.max(0, k.indexOf('/'))))) {
                    l.put(k, v);
                }
            });
            last.load(l);
            numbers(saved.get("latest")).forEach((k, v) -> {
                if (l.containsKey(k) || keys.containsKey(k.substring(0, Math.max(0, k.indexOf('/'))))) {
                    retained.put(k, v);
                }
            });
            numbers(saved.get("wills")).forEach((k, v) -> {
                if (keys.containsKey(k)) {
                    wills.put(k, v);
                }
            });
        }

        private static Map<String, Long> numbers(com.fasterxml.jackson.databind.JsonNode o) {
            if (o == null || !o.isObject()) {
                throw new IllegalArgumentException("not a numbers file");
            }
            Map<String, Long> out = new HashMap<>();
            o.properties().forEach(e -> {
                if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()) {
                    throw new IllegalArgumentException("not a number");
                }
                out.put(e.getKey(), e.getValue().asLong());
            });
            return out;
        }

        /** The number in {@code auth} ({@code <seq>:<base64>}), or 0 if it has none. */
        static long seqOf(String auth) {
            int colon = auth == null ? -1 : auth.indexOf(':');
            if (colon <= 0 || colon > 19) {
                return 0;
            }
            try {
                return Long.parseLong(auth.substring(0, colon));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** Whether {@code m} is signed by {@code key} as {@code gateway}'s (a birth naming its own key: fleet:keys). */
    static boolean selfSigned(FleetMessage m, String fleet, String gateway, PublicKey key) {
        long seq = Checker.seqOf(m.auth());
        if (seq <= 0) {
            return false;
        }
        try {
            byte[] sig = Base64.getDecoder().decode(m.auth().substring(m.auth().indexOf(':') + 1));
            return Ed25519Keys.verify(key, signedBytes(fleet, gateway, m.topic(), m.correlationData(), seq, m.payload()), sig);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
