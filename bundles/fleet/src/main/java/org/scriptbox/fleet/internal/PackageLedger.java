package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The packages a gateway received, persisted in its data area ({@code fleet-ledger.json}, replaced
 * atomically): the version rule lives here, <b>per group</b>. Each group's rollouts number their packages on
 * their own (a gateway may be in {@code line1} and {@code building-b}), so each group's versions are taken at
 * most once and only above that group's last one: a captured package can be neither replayed nor used to go
 * back to older scripts, and building-b's v30 says nothing about line1's v8 (FINDINGS Q31). A package rolled
 * back stays consumed. The newest {@link #KEPT} entries of each group are kept with the signer, for
 * {@code history}.
 *
 * <p>A ledger written before versions were per group (no {@code format}) is read and written again in this
 * format: on a gateway of one group its packages were that group's; on a gateway of several nobody can tell
 * whose they were, so they stay "of no group" ({@link #LEGACY}) and their newest version is a floor for every
 * group that has no package of its own yet (fail closed: no old package of any group comes back).
 * Confined to the gateway's link thread, except {@link #current()}, a snapshot for the status.
 */
final class PackageLedger {
    /**
     * INTERRUPTED: the gateway stopped (a crash, a power cut) while applying it; what it had written was put back
     * at the next start, and the same package sent again is applied whole (FINDINGS Q39).
     */
    /**
     * ROLLING_BACK: recorded before a rollback puts the first script back, so a stop in the middle (a crash, a power
     * cut) is finished whole at the next start; before, ROLLED_BACK was recorded first and a half-done rollback stayed.
     */
    enum State { APPLYING, APPLIED, FAILED, ROLLING_BACK, ROLLED_BACK, INTERRUPTED }

    /** The pseudo-group of entries migrated from a ledger of before per-group versions on a gateway of several groups. */
    static final String LEGACY = "";
    private static final int FORMAT = 2;

    /** What a script was before a package changed it (existed false: the package added it). */
    record Undo(String name, boolean existed, String lua, String toml) {
    }

    /** One received package of {@code group}. */
    record Entry(String group, long version, String signer, String digest, Instant at, State state, List<String> scripts,
                 List<Undo> undo, String reason) {
        Entry {
            scripts = List.copyOf(scripts);
            undo = List.copyOf(undo);
            reason = reason == null ? "" : reason;
        }

        Entry with(State s, String why) {
            return new Entry(group, version, signer, digest, Instant.now(), s, scripts, undo, why);
        }

        /** Its scripts are (or are being) put in place: they are its group's. */
        boolean inPlace() {
            return state == State.APPLIED || state == State.APPLYING || state == State.ROLLING_BACK;
        }

        /** "group line1's package 8" as an answer says it. */
        String label() {
            return (group.equals(LEGACY) ? "the package " : "group " + group + "'s package ") + version;
        }
    }

    static final int KEPT = 20;
    private final Path file;
    /** Per group, newest first. */
    private final Map<String, List<Entry>> groups = new LinkedHashMap<>();
    private volatile Map<String, Entry> current = Map.of();

    /**
     * @param memberOf the gateway's groups now: a ledger of before per-group versions on a gateway of exactly one
     *                 group is that group's
     * @throws IOException naming the file when it is damaged (fail closed: without the last versions the version
     *                     rule cannot hold)
     */
    PackageLedger(Path file, Collection<String> memberOf) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            boolean old;
            try {
                old = read(PackageCodec.JSON.readTree(bytes), memberOf);
            } catch (RuntimeException | IOException e) {   // Jackson's parse errors are IOExceptions
                throw new IOException(file + " is damaged; move it away to start a new ledger (then any version is accepted)");
            }
            if (old) {
                try {
                    write();   // migrated once; a data area that takes no write now gets it at the next record
                } catch (IOException e) {
                    // the content read is in memory; the version rule holds
                }
            }
        }
        refresh();
    }

    /** The newest entry of {@code group} (not the legacy ones), or null before its first package. */
    Entry last(String group) {
        List<Entry> list = groups.get(group);
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    /** Every kept entry, newest first. */
    List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        groups.values().forEach(all::addAll);
        all.sort(Comparator.comparing(Entry::at).reversed());
        return all;
    }

    /** Per group the newest entry (legacy ones under {@link #LEGACY}); an immutable snapshot any thread may read. */
    Map<String, Entry> current() {
        return current;
    }

    /**
     * What to do with a verified package of {@code group} and {@code version}: true to apply it, false when it is
     * the one applied now (nothing to do).
     *
     * @throws Refusal REPLAY or DOWNGRADE
     */
    boolean admit(String group, long version, String digest) {
        Entry last = last(group);
        if (last == null) {
            Entry legacy = last(LEGACY);
            if (legacy != null && version <= legacy.version()) {
                throw new Refusal("DOWNGRADE", "package version " + version + " of group " + group + " is not above version "
                        + legacy.version() + ", which this gateway received before it kept versions per group (of a group "
                        + "it cannot tell); sign it above " + legacy.version());
            }
            return true;
        }
        if (version > last.version()) {
            return true;
        }
        String of = " of group " + group;
        if (version == last.version() && digest.equals(last.digest())) {
            switch (last.state()) {
                case APPLIED:
                    return false;
                case APPLYING:
                case INTERRUPTED:
                    return true;   // interrupted by a stop (and put back): the same content may be put in place again
                default:
                    throw new Refusal("REPLAY", "package version " + version + of + " was already received here and "
                            + (last.state() == State.ROLLED_BACK ? "rolled back" : "failed") + "; send a new version");
            }
        }
        if (version == last.version()) {
            throw new Refusal("REPLAY", "package version " + version + of + " was already received here with other content");
        }
        throw new Refusal("DOWNGRADE", "package version " + version + of + " is below version " + last.version()
                + " of that group received before; versions only go up");
    }

    /**
     * The package of another group than {@code group} whose scripts include {@code script} and are in place here,
     * or null. Legacy entries belong to no group: the first group whose package names their script takes it.
     */
    Entry holder(String script, String group) {
        for (Map.Entry<String, List<Entry>> g : groups.entrySet()) {
            if (g.getKey().equals(group) || g.getKey().equals(LEGACY)) {
                continue;
            }
            for (Entry e : g.getValue()) {
                if (e.scripts().contains(script)) {
                    if (e.inPlace()) {
                        return e;
                    }
                    break;   // its newest package naming it was rolled back or failed: no longer that group's
                }
            }
        }
        return null;
    }

    /**
     * The entry a rollback of {@code version} means: {@code group}'s newest (or, for a group without packages of
     * its own, the newest legacy one); without a group, the one group whose newest has that version.
     *
     * @throws Refusal NOT_CURRENT, or AMBIGUOUS when several groups' newest packages have that version
     */
    Entry rollbackTarget(String group, long version) {
        if (group != null) {
            Entry last = last(group);
            if (last == null && last(LEGACY) != null && last(LEGACY).version() == version) {
                return last(LEGACY);
            }
            if (last == null || last.version() != version) {
                throw new Refusal("NOT_CURRENT", "package version " + version + " is not the newest package of group " + group
                        + " here" + (last == null ? " (it has none)" : " (that is " + last.version() + ")"));
            }
            return last;
        }
        List<Entry> matching = current.values().stream().filter(e -> e.version() == version).toList();
        if (matching.size() > 1) {
            throw new Refusal("AMBIGUOUS", "package version " + version + " is the newest of several groups here ("
                    + String.join(", ", matching.stream().map(Entry::group).toList()) + "); name the group");
        }
        if (matching.isEmpty()) {
            throw new Refusal("NOT_CURRENT", "package version " + version + " is not the newest package of any group here");
        }
        return matching.get(0);
    }

    /** The groups whose newest package was being applied when the gateway stopped (a crash, a power cut). */
    List<Entry> interrupted() {
        return current.values().stream().filter(e -> e.state() == State.APPLYING).toList();
    }

    /** The groups whose newest package was being rolled back when the gateway stopped. */
    List<Entry> rollingBack() {
        return current.values().stream().filter(e -> e.state() == State.ROLLING_BACK).toList();
    }

    /**
     * Records a package's entry as its group's newest. Only the newest entry of a group can be rolled back, so the
     * older ones keep no undo: 20 updates of a 1 MB script were 20 MB of dead text, rewritten twice per deploy and
     * read whole at every start (FINDINGS Q42).
     */
    void record(Entry entry) throws IOException {
        // memory changes only once the disk took it (Q50): a refused write (a full disk) left the entry in memory, so
        // the gateway acted on a version its restarted self would not know
        List<Entry> was = groups.get(entry.group());
        List<Entry> list = was == null ? new ArrayList<>() : new ArrayList<>(was);
        if (!list.isEmpty() && list.get(0).version() == entry.version()) {
            list.set(0, entry);
        } else {
            list.add(0, entry);
        }
        while (list.size() > KEPT) {
            list.remove(list.size() - 1);
        }
        for (int i = 1; i < list.size(); i++) {
            Entry e = list.get(i);
            if (!e.undo().isEmpty()) {
                list.set(i, new Entry(e.group(), e.version(), e.signer(), e.digest(), e.at(), e.state(), e.scripts(), List.of(),
                        e.reason()));
            }
        }
        groups.put(entry.group(), list);
        try {
            write();
        } catch (IOException e) {
            if (was == null) {
                groups.remove(entry.group());
            } else {
                groups.put(entry.group(), was);
            }
            throw e;
        }
        refresh();
    }

    private void refresh() {
        Map<String, Entry> now = new LinkedHashMap<>();
        groups.forEach((g, list) -> {
            if (!list.isEmpty()) {
                now.put(g, list.get(0));
            }
        });
        current = java.util.Collections.unmodifiableMap(now);
    }

    private void write() throws IOException {
        ObjectNode root = PackageCodec.JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("packages");
        for (Entry e : entries()) {
            ObjectNode o = list.addObject();
            o.put("group", e.group());
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

    /** @return true when the file is of the format before per-group versions (then migrated in memory) */
    private boolean read(JsonNode root, Collection<String> memberOf) {
        // only the shape this class writes: an empty file (a power loss after the rename of an unsynced
        // write), {} or null would otherwise read as "no package yet" and admit any old version
        JsonNode packages = root == null ? null : root.get("packages");
        if (packages == null || !packages.isArray() || packages.isEmpty()) {
            throw new IllegalArgumentException("not a ledger");
        }
        boolean old = !root.has("format");
        if (!old && root.path("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("a ledger of another format");
        }
        String oldGroup = memberOf.size() == 1 ? memberOf.iterator().next() : LEGACY;
        List<Entry> read = new ArrayList<>();
        for (JsonNode o : packages) {
            if (!o.path("version").canConvertToLong() || o.path("version").asLong() < 1) {
                throw new IllegalArgumentException("an entry without a version");
            }
            if (!old && !(o.path("group").isTextual()
                    && (o.get("group").asText().equals(LEGACY) || org.scriptbox.api.fleet.FleetTopics.validId(o.get("group").asText())))) {
                throw new IllegalArgumentException("an entry without a group");
            }
            List<String> scripts = new ArrayList<>();
            o.path("scripts").forEach(n -> scripts.add(n.asText()));
            List<Undo> undo = new ArrayList<>();
            for (JsonNode n : o.path("undo")) {
                undo.add(new Undo(n.path("name").asText(), n.path("existed").asBoolean(),
                        n.hasNonNull("lua") ? n.get("lua").asText() : null, n.hasNonNull("toml") ? n.get("toml").asText() : null));
            }
            read.add(new Entry(old ? oldGroup : o.get("group").asText(), o.path("version").asLong(), o.path("signer").asText(),
                    o.path("digest").asText(), Instant.parse(o.path("at").asText()), State.valueOf(o.path("state").asText()),
                    scripts, undo, o.path("reason").asText()));
        }
        // each group's newest first, as written; an old file was newest first already
        for (Entry e : read) {
            groups.computeIfAbsent(e.group(), k -> new ArrayList<>()).add(e);
        }
        groups.values().forEach(l -> l.sort(Comparator.comparingLong(Entry::version).reversed()));
        return old;
    }
}
