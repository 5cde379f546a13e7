package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The rollbacks gateways still owe, of rollouts the controller no longer keeps (beyond {@code rollouts.kept}): one
 * file per group ({@code owed-rollbacks/<group>.json}, each write a {@link DurableFile} replace), so that forgetting
 * a rolled-back rollout does not forget that a gateway away at its rollback still runs its package (Q46). Written
 * before the rollout's file is deleted; an entry goes when its gateway answers the rollback. Memory changes only
 * after the write succeeded. Thread-safe (each group's writes come from its lane; reads from any thread).
 */
final class OwedRollbacks {
    private static final Logger LOG = LoggerFactory.getLogger(OwedRollbacks.class);

    /** The rollback of {@code version} of the group that {@code gateway} owes, from rollout {@code rollout}. */
    record Owed(String gateway, long version, String rollout) {
    }

    private final Path dir;
    /** Per group, immutable lists. */
    private final Map<String, List<Owed>> byGroup = new ConcurrentHashMap<>();

    OwedRollbacks(Path dir) {
        this.dir = dir;
    }

    /** Reads the files; a damaged one is named in one ERROR line and left for the operator (not overwritten). */
    void load() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    JsonNode o = PackageCodec.JSON.readTree(Files.readAllBytes(f));
                    String group = o.path("group").asText("");
                    if (!org.scriptbox.api.fleet.FleetTopics.validId(group) || !o.path("owed").isArray()) {
                        throw new IllegalArgumentException("no group or list");
                    }
                    List<Owed> list = new ArrayList<>();
                    for (JsonNode n : o.get("owed")) {
                        String gateway = n.path("gateway").asText("");
                        if (org.scriptbox.api.fleet.FleetTopics.validId(gateway) && n.path("version").canConvertToLong()) {
                            list.add(new Owed(gateway, n.path("version").asLong(), n.path("rollout").asText("")));
                        }
                    }
                    byGroup.put(group, List.copyOf(list));
                } catch (IOException | RuntimeException e) {
                    LOG.error("fleet: owed-rollbacks file {} is damaged: the rollbacks it holds are not sent; mend it or move it away", f);
                    damaged.add(f.getFileName().toString());
                }
            }
        }
    }

    /** Files found damaged at load: never overwritten (what they hold is the operator's to mend). */
    private final Set<String> damaged = ConcurrentHashMap.newKeySet();

    /** Adds these (a rollout about to be forgotten); saved first. */
    synchronized void add(String group, List<Owed> more) throws IOException {
        if (more.isEmpty()) {
            return;
        }
        List<Owed> now = new ArrayList<>(byGroup.getOrDefault(group, List.of()));
        for (Owed o : more) {
            if (!now.contains(o)) {
                now.add(o);
            }
        }
        write(group, now);
    }

    /** The gateway answered it: forgotten (saved first). */
    synchronized void remove(String group, Owed o) throws IOException {
        List<Owed> now = new ArrayList<>(byGroup.getOrDefault(group, List.of()));
        if (now.remove(o)) {
            write(group, now);
        }
    }

    private void write(String group, List<Owed> list) throws IOException {
        Path file = dir.resolve(group + ".json");
        if (damaged.contains(file.getFileName().toString())) {
            throw new IOException(file + " is damaged (see the log at start): not overwritten");
        }
        if (list.isEmpty()) {
            Files.deleteIfExists(file);
            byGroup.remove(group);
            return;
        }
        ObjectNode root = PackageCodec.JSON.createObjectNode().put("group", group);
        ArrayNode a = root.putArray("owed");
        list.forEach(o -> a.addObject().put("gateway", o.gateway()).put("version", o.version()).put("rollout", o.rollout()));
        Files.createDirectories(dir);
        DurableFile.replace(file, root.toString().getBytes(StandardCharsets.UTF_8));
        byGroup.put(group, List.copyOf(list));   // only after the disk took it
    }

    /** What {@code gateway} owes in {@code group}, oldest first. */
    List<Owed> of(String group, String gateway) {
        return byGroup.getOrDefault(group, List.of()).stream().filter(o -> o.gateway().equals(gateway)).toList();
    }

    /** The groups in which {@code gateway} owes a rollback. */
    Set<String> groupsOf(String gateway) {
        Set<String> out = new java.util.TreeSet<>();
        byGroup.forEach((g, list) -> {
            if (list.stream().anyMatch(o -> o.gateway().equals(gateway))) {
                out.add(g);
            }
        });
        return out;
    }

    boolean hasGroup(String group) {
        return byGroup.containsKey(group);
    }

    int size() {
        return byGroup.values().stream().mapToInt(List::size).sum();
    }
}
