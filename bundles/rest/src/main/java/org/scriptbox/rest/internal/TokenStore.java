package org.scriptbox.rest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens, kept hashed in one JSON file of the bundle's data area, written atomically (a temporary file
 * moved over the old one): a crash leaves the old or the new set, never half of one. A token reads
 * {@code sbt_ID_SECRET}; the id finds the entry, the secret's hash is compared in constant time.
 * A revoked token stops working with the next request (the map is the truth; the file follows it).
 */
final class TokenStore {
    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    private static final Pattern FORM = Pattern.compile("sbt_([A-Za-z0-9]{8,32})_([A-Za-z0-9_-]{20,100})");
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final int MAX_TOKENS = 1000;

    /** A new token: the entry and the secret, which is shown once. */
    record Created(ApiToken token, String secret) {
    }

    private final Path file;
    private final ObjectMapper json;
    private final Map<String, ApiToken> byId = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();

    TokenStore(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
        load();
    }

    synchronized Created create(String name, Role role, String createdBy) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a token name is 1 to 64 letters, digits, '_', '-' or '.'");
        }
        if (byId.size() >= MAX_TOKENS) {
            throw new IllegalArgumentException("there are already " + MAX_TOKENS + " tokens; revoke some first");
        }
        // letters and digits only: the '_' after it is where the secret (Base64url, '_' and '-' too) begins
        String id = PasswordHash.randomSecret(9).replace('_', 'x').replace('-', 'y');
        String secret = PasswordHash.randomSecret(32);
        ApiToken t = new ApiToken(id, name, role, PasswordHash.sha256(secret), Instant.now(), createdBy);
        byId.put(id, t);
        if (!save()) {
            byId.remove(id);
            throw new IllegalStateException("the token could not be saved");
        }
        return new Created(t, "sbt_" + id + "_" + secret);
    }

    synchronized boolean revoke(String id) {
        ApiToken t = byId.remove(id);
        if (t == null) {
            return false;
        }
        lastUsed.remove(id);
        if (!save()) {
            // it is revoked in memory (it stops working now) but the file still has it: say so, loudly
            LOG.error("token {} ('{}') is revoked until the next restart only: the token file could not be written", id, t.name());
        }
        return true;
    }

    Optional<ApiToken> verify(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        var m = FORM.matcher(presented);
        if (!m.matches()) {
            return Optional.empty();
        }
        ApiToken t = byId.get(m.group(1));
        byte[] given = PasswordHash.sha256(m.group(2)).getBytes(StandardCharsets.UTF_8);
        byte[] kept = (t == null ? PasswordHash.sha256("none") : t.secretHash()).getBytes(StandardCharsets.UTF_8);
        if (t == null || !MessageDigest.isEqual(given, kept)) {
            return Optional.empty();
        }
        lastUsed.put(t.id(), Instant.now());
        return Optional.of(t);
    }

    Collection<ApiToken> list() {
        List<ApiToken> all = new ArrayList<>(byId.values());
        all.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return all;
    }

    Instant lastUsed(String id) {
        return lastUsed.get(id);
    }

    private void load() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            JsonNode root = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
            for (JsonNode n : root.path("tokens")) {
                Optional<Role> role = Role.parse(n.path("role").asText());
                String id = n.path("id").asText();
                if (role.isEmpty() || id.isEmpty() || n.path("secretHash").asText().isEmpty()) {
                    LOG.warn("token file {}: an entry without id, role or hash is ignored", file);
                    continue;
                }
                byId.put(id, new ApiToken(id, n.path("name").asText(), role.get(), n.path("secretHash").asText(),
                        Instant.parse(n.path("createdAt").asText()), n.path("createdBy").asText()));
            }
        } catch (IOException | RuntimeException e) {
            // no token works rather than a wrong one; the file is kept for the operator to look at
            LOG.error("token file {} could not be read ({}); no API token is accepted until it is repaired or removed",
                    file, e.getClass().getSimpleName());
            byId.clear();
        }
    }

    private boolean save() {
        ObjectNode root = json.createObjectNode();
        ArrayNode arr = root.putArray("tokens");
        for (ApiToken t : list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id());
            m.put("name", t.name());
            m.put("role", t.role().label());
            m.put("secretHash", t.secretHash());
            m.put("createdAt", t.createdAt().toString());
            m.put("createdBy", t.createdBy());
            arr.add(json.valueToTree(m));
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            LOG.error("token file {} could not be written: {}", file, e.getClass().getSimpleName());
            return false;
        }
    }
}
