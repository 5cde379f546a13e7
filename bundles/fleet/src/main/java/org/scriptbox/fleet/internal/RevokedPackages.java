package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The packages a gateway was told are revoked ({@link PackageRevocation}, verified), by digest, kept durably in
 * its data area ({@code fleet-revoked.json}): a revocation the broker no longer holds (another client cleared the
 * retained message) still stops its package here. Only verified ones get in, so it grows only with what a
 * trusted key revoked; bounded all the same (the oldest forgotten first). Thread-safe.
 */
final class RevokedPackages {
    static final int MAX = 10_000;
    private final Path file;
    private final Map<String, PackageRevocation.Revoked> byDigest = new LinkedHashMap<>();

    /** @throws IOException a damaged file: fail closed (it is what keeps a halted package away) */
    RevokedPackages(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            try {
                JsonNode o = PackageCodec.JSON.readTree(Files.readAllBytes(file));
                JsonNode list = o == null ? null : o.get("revoked");
                if (list == null || !list.isArray()) {
                    throw new IllegalArgumentException("no list");
                }
                for (JsonNode r : list) {
                    PackageRevocation.Revoked v = new PackageRevocation.Revoked(r.path("group").asText(), r.path("version").asLong(),
                            r.path("digest").asText(), r.path("signer").asText());
                    byDigest.put(v.digest(), v);
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + " is damaged; move it away (then packages revoked before could be deployed "
                        + "again, until their revocations come again)");
            }
        }
    }

    /**
     * Revocations not verified yet (more came than the link's thread verifies per second: a flood of forgeries),
     * by digest, at most {@link #CANDIDATES_PER_DIGEST} each (the newest) and {@link #MAX} in all (the oldest
     * forgotten first): verified only when a deploy of that digest comes, so a forgery costs no verification unless
     * it names a package someone deploys.
     */
    private final Map<String, java.util.Deque<PackageRevocation.Claim>> candidates = new LinkedHashMap<>();
    private int candidateCount;
    static final int CANDIDATES_PER_DIGEST = 4;

    synchronized void candidate(PackageRevocation.Claim c) {
        java.util.Deque<PackageRevocation.Claim> list = candidates.computeIfAbsent(c.digest(), d -> new java.util.ArrayDeque<>());
        list.addLast(c);
        candidateCount++;
        if (list.size() > CANDIDATES_PER_DIGEST) {
            list.removeFirst();
            candidateCount--;
        }
        while (candidateCount > MAX) {
            java.util.Iterator<java.util.Deque<PackageRevocation.Claim>> oldest = candidates.values().iterator();
            candidateCount -= oldest.next().size();
            oldest.remove();
        }
    }

    /** The unverified revocations of {@code digest}, taken out (each is verified once). */
    synchronized List<PackageRevocation.Claim> takeCandidates(String digest) {
        java.util.Deque<PackageRevocation.Claim> list = candidates.remove(digest);
        if (list == null) {
            return List.of();
        }
        candidateCount -= list.size();
        return List.copyOf(list);
    }

    synchronized boolean revoked(String digest) {
        return byDigest.containsKey(digest);
    }

    synchronized PackageRevocation.Revoked get(String digest) {
        return byDigest.get(digest);
    }

    /** @return whether it is new (then saved) */
    synchronized boolean add(PackageRevocation.Revoked r) throws IOException {
        if (byDigest.containsKey(r.digest())) {
            return false;
        }
        byDigest.put(r.digest(), r);
        if (byDigest.size() > MAX) {
            byDigest.remove(byDigest.keySet().iterator().next());
        }
        ObjectNode root = PackageCodec.JSON.createObjectNode();
        ArrayNode list = root.putArray("revoked");
        byDigest.values().forEach(v -> list.addObject().put("group", v.group()).put("version", v.version())
                .put("digest", v.digest()).put("signer", v.signer()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            DurableFile.replace(file, root.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            byDigest.remove(r.digest());
            throw e;
        }
        return true;
    }
}
