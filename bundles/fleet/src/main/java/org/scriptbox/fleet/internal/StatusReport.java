package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.fleet.internal.PackageLedger.Entry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON a gateway publishes: its retained status (scripts and versions, health, devices, the package
 * in place), its birth and death, and one event per finished run.
 */
final class StatusReport {
    private StatusReport() {
    }

    static ObjectNode script(ScriptInfo i) {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        o.put("name", i.name()).put("version", i.metadata().version()).put("status", i.status().name())
                .put("running", i.running()).put("runs", i.stats().totalExecutions())
                .put("failures", i.stats().failedExecutions());
        if (i.lastError() != null) {
            o.put("lastError", clip(i.lastError().toString(), MAX_ERROR_CHARS));
        }
        return o;
    }

    /**
     * A script's lastError in a status, at most (Q48: a status of many scripts with long errors passed the controller's
     * 1 MB limit and was dropped there, the gateway's health never seen).
     */
    static final int MAX_ERROR_CHARS = 200;
    /** A status is kept under this (the controller reads up to 1 MB): scripts beyond it are dropped and counted. */
    static final int MAX_STATUS_BYTES = 256 * 1024;

    static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "... (" + (s.length() - max) + " more characters)";
    }

    /** Drops scripts from the end of {@code status} until it is under {@link #MAX_STATUS_BYTES}, saying how many. */
    private static ObjectNode bounded(ObjectNode status) {
        int size = status.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (size <= MAX_STATUS_BYTES) {
            return status;
        }
        ArrayNode scripts = (ArrayNode) status.get("scripts");
        int dropped = 0;
        while (size > MAX_STATUS_BYTES - 512 && !scripts.isEmpty()) {   // room for the note
            size -= scripts.remove(scripts.size() - 1).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            dropped++;
        }
        status.put("scriptsDropped", dropped).put("scriptsNote", dropped + " script(s) not listed: the status is kept under "
                + (MAX_STATUS_BYTES >> 10) + " KB (fleet:request <gateway> list lists them all)");
        return status;
    }

    /** {@code ok} unless a script cannot run (compile error, unresolved) or its latest run failed. */
    static String health(List<ScriptInfo> scripts) {
        return scripts.stream().anyMatch(StatusReport::unhealthy) ? "degraded" : "ok";
    }

    /** The first reason for {@code degraded}: the script, its status and its last error; "" when healthy. */
    static String problem(List<ScriptInfo> scripts) {
        return scripts.stream().filter(StatusReport::unhealthy).findFirst()
                .map(i -> i.name() + ": " + i.status().name() + (i.lastError() == null ? "" : " " + i.lastError()))
                .orElse("");
    }

    private static boolean unhealthy(ScriptInfo i) {
        ScriptStatus s = i.status();
        return s == ScriptStatus.COMPILATION_ERROR || s == ScriptStatus.UNRESOLVED || s == ScriptStatus.FAILED
                || s == ScriptStatus.TIMEOUT;
    }

    static ObjectNode status(String gateway, Collection<String> groups, List<ScriptInfo> scripts,
                             Collection<String> devices, Map<String, Entry> packages) {
        return status(gateway, groups, scripts, devices, DeviceHealthWatch.Snapshot.NONE, System.nanoTime(), packages);
    }

    /**
     * {@code health} is degraded when a script cannot run or its latest run failed, or when a device has been
     * faulted longer than the gateway's threshold ({@code problem} names the script first, else the device).
     * {@code packages} has each group's package in place (versions are per group); {@code package} is the newest of
     * any group, as before versions were per group (a controller of then reads only that).
     *
     * @param packages per group the ledger's newest entry ({@link PackageLedger#current()})
     */
    static ObjectNode status(String gateway, Collection<String> groups, List<ScriptInfo> scripts,
                             Collection<String> devices, DeviceHealthWatch.Snapshot deviceHealth, long now,
                             Map<String, Entry> packages) {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        String problem = problem(scripts);
        if (problem.isEmpty()) {
            problem = deviceHealth.problem(now);
        }
        o.put("gateway", gateway).put("at", Instant.now().toString()).put("health", problem.isEmpty() ? "ok" : "degraded");
        if (!problem.isEmpty()) {
            o.put("problem", problem.length() > 300 ? problem.substring(0, 300) + "..." : problem);
        }
        ArrayNode g = o.putArray("groups");
        groups.forEach(g::add);
        ArrayNode s = o.putArray("scripts");
        scripts.forEach(i -> s.add(script(i)));
        ArrayNode d = o.putArray("devices");
        devices.forEach(d::add);
        if (!deviceHealth.devices().isEmpty()) {
            ObjectNode dh = o.putObject("deviceHealth");
            deviceHealth.devices().forEach((id, st) -> {
                ObjectNode e = dh.putObject(id).put("state", st.kind().name().toLowerCase(java.util.Locale.ROOT));
                if (st.since() != null) {
                    e.put("since", st.since().toString());
                }
                if (st.error() != null) {
                    e.put("error", clip(st.error(), MAX_ERROR_CHARS));
                }
            });
        }
        Entry newest = packages.values().stream().max(java.util.Comparator.comparing(Entry::at)).orElse(null);
        if (newest != null) {
            packageJson(o.putObject("package"), newest);
            ObjectNode per = o.putObject("packages");
            packages.forEach((group, e) -> {
                if (!group.equals(PackageLedger.LEGACY)) {
                    packageJson(per.putObject(group), e);
                }
            });
        }
        return bounded(o);
    }

    private static void packageJson(ObjectNode o, Entry e) {
        o.put("group", e.group()).put("version", e.version()).put("state", e.state().name()).put("signer", e.signer())
                .put("at", e.at().toString());
    }

    static ObjectNode state(String gateway, boolean online, Collection<String> groups) {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        o.put("state", online ? "online" : "offline").put("gateway", gateway);
        if (online) {
            o.put("at", Instant.now().toString());
            ArrayNode g = o.putArray("groups");
            groups.forEach(g::add);
        }
        return o;
    }

    /** @param dropped runs not sent as events so far (above the events' rate) */
    static ObjectNode event(ExecutionResult r, long dropped) {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        o.put("notSentBefore", dropped);
        o.put("script", r.scriptName()).put("executionId", r.executionId()).put("status", r.status().name())
                .put("durationMs", r.duration() == null ? 0 : r.duration().toMillis()).put("instructions", r.instructions());
        if (r.error() != null) {
            o.put("error", r.error().toString());
        }
        return o;
    }
}
