package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The packages a gateway received, persisted in its data area ({@code fleet-ledger.json}, replaced
 * atomically): the version rule lives here. Each version is taken at most once and only above the last
 * one, so a captured package can be neither replayed nor used to go back to older scripts. A package
 * rolled back stays consumed. The newest entries are kept with the signer, for {@code history}.
 * Confined to the gateway's link thread.
 */
final class PackageLedger {
    enum State { APPLYING, APPLIED, FAILED, ROLLED_BACK }

    /** What a script was before a package changed it (existed false: the package added it). */
    record Undo(String name, boolean existed, String lua, String toml) {
    }

    /** One received package. */
    record Entry(long version, String signer, String digest, Instant at, State state, List<String> scripts,
                 List<Undo> undo, String reason) {
        Entry {
            scripts = List.copyOf(scripts);
            undo = List.copyOf(undo);
            reason = reason == null ? "" : reason;
        }

        Entry with(State s, String why) {
            return new Entry(version, signer, digest, Instant.now(), s, scripts, undo, why);
        }
    }

    private static final int KEPT = 20;
    private final Path file;
    private final List<Entry> entries = new ArrayList<>();   // newest first

    PackageLedger(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            try {
                read(PackageCodec.JSON.readTree(bytes));
            } catch (RuntimeException | IOException e) {   // Jackson's parse errors are IOExceptions
                // fail closed: without the last version the version rule cannot hold
                throw new IOException(file + " is damaged; move it away to start a new ledger (then any version is accepted)");
            }
        }
    }

    /** The newest entry, or null before the first package. */
    Entry last() {
        return entries.isEmpty() ? null : entries.get(0);
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * What to do with a verified package of {@code version}: true to apply it, false when it is the one
     * applied now (nothing to do).
     *
     * @throws Refusal REPLAY or DOWNGRADE
     */
    boolean admit(long version, String digest) {
        Entry last = last();
        if (last == null || version > last.version()) {
            return true;
        }
        if (version == last.version() && digest.equals(last.digest())) {
            switch (last.state()) {
                case APPLIED:
                    return false;
                case APPLYING:
                    return true;   // interrupted by a stop: the same content may be put in place again
                default:
                    throw new Refusal("REPLAY", "package version " + version + " was already received here and "
                            + (last.state() == State.ROLLED_BACK ? "rolled back" : "failed") + "; send a new version");
            }
        }
        if (version == last.version()) {
            throw new Refusal("REPLAY", "package version " + version + " was already received here with other content");
        }
        throw new Refusal("DOWNGRADE", "package version " + version + " is below version " + last.version()
                + " received before; versions only go up");
    }

    void record(Entry entry) throws IOException {
        if (!entries.isEmpty() && entries.get(0).version() == entry.version()) {
            entries.set(0, entry);
        } else {
            entries.add(0, entry);
        }
        while (entries.size() > KEPT) {
            entries.remove(entries.size() - 1);
        }
        write();
    }

    private void write() throws IOException {
        ObjectNode root = PackageCodec.JSON.createObjectNode();
        ArrayNode list = root.putArray("packages");
        for (Entry e : entries) {
            ObjectNode o = list.addObject();
            o.put("version", e.version());
            o.put("signer", e.signer());
            o.put("digest", e.digest());
            o.put("at", e.at().toString());
            o.put("state", e.state().name());
            o.put("reason", e.reason());
            ArrayNode s = o.putArray("scripts");
            e.scripts().forEach(s::add);
            ArrayNode u = o.putArray("undo");
            for (Undo d : e.undo()) {
                ObjectNode n = u.addObject();
                n.put("name", d.name());
                n.put("existed", d.existed());
                n.put("lua", d.lua());
                n.put("toml", d.toml());
            }
        }
        Files.createDirectories(file.getParent());
        DurableFile.replace(file, root.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void read(JsonNode root) {
        // only the shape this class writes: an empty file (a power loss after the rename of an unsynced
        // write), {} or null would otherwise read as "no package yet" and admit any old version
        JsonNode packages = root == null ? null : root.get("packages");
        if (packages == null || !packages.isArray() || packages.isEmpty()) {
            throw new IllegalArgumentException("not a ledger");
        }
        for (JsonNode o : packages) {
            if (!o.path("version").canConvertToLong() || o.path("version").asLong() < 1) {
                throw new IllegalArgumentException("an entry without a version");
            }
            List<String> scripts = new ArrayList<>();
            o.path("scripts").forEach(n -> scripts.add(n.asText()));
            List<Undo> undo = new ArrayList<>();
            for (JsonNode n : o.path("undo")) {
                undo.add(new Undo(n.path("name").asText(), n.path("existed").asBoolean(),
                        n.hasNonNull("lua") ? n.get("lua").asText() : null, n.hasNonNull("toml") ? n.get("toml").asText() : null));
            }
            entries.add(new Entry(o.path("version").asLong(), o.path("signer").asText(), o.path("digest").asText(),
                    Instant.parse(o.path("at").asText()), State.valueOf(o.path("state").asText()), scripts, undo,
                    o.path("reason").asText()));
        }
    }
}
