package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One staged rollout of a signed package to a group, immutable; every change makes a new one, which the
 * {@link RolloutStore} saves before the controller acts on it, so a restarted controller carries on where
 * it stopped.
 *
 * @param stages         cumulative stage sizes: {@code 1} (one gateway), {@code 10%}, {@code 100%}
 * @param maxFailureRate the share of failed gateways (0..1) above which the rollout halts and rolls back
 * @param stage          the index of the stage in progress (== stages.size() when all are done)
 * @param results        per gateway: APPLIED, FAILED, PENDING (offline: gets it when it returns), ROLLED_BACK,
 *                       IN_FLIGHT (its deploy was sent before a halt and not answered: it may still apply it),
 *                       UNDO (it may have applied it after a halt: a rollback is owed, sent again at its birth),
 *                       ROLLBACK_OWED (a rolled-back rollout's gateway that did not answer its rollback: sent at its birth)
 * @param soakMs         how long a stage's gateways must stay healthy before the next stage (0: no soak)
 * @param soakUntil      the end of the soak in progress, or null (saved: a restarted controller does not restart it)
 * @param seq            the controller's count of rollouts started, when it started (saved): which of a group's
 *                       rollouts is newest, whatever the clock did since (Q56: by start time, a clock step back made an
 *                       old one newest); 0 in a file of before it (then the start time decides among those)
 */
public record Rollout(String id, String envelope, String group, long version, String healthCheck, List<String> stages,
               double maxFailureRate, int stage, State state, Map<String, Result> results, String reason,
               Instant startedAt, Instant updatedAt, long soakMs, Instant soakUntil, long seq) {

    /**
     * HALTING: the operator halted it while deploys were in flight; it stays HALTING until every one of them
     * is answered and rolled back (never reported HALTED while a gateway may still apply it).
     */
    public enum State { RUNNING, COMPLETED, HALTING, HALTED, ROLLING_BACK, ROLLED_BACK }

    public record Result(String outcome, String detail) {
        static final String APPLIED = "APPLIED";
        static final String FAILED = "FAILED";
        static final String PENDING = "PENDING";
        static final String ROLLED_BACK = "ROLLED_BACK";
        static final String IN_FLIGHT = "IN_FLIGHT";
        static final String UNDO = "UNDO";
        /** Its rollback was not answered (a gateway away or dead for good): sent again when it returns. */
        static final String ROLLBACK_OWED = "ROLLBACK_OWED";

        /** The gateway may hold the package because of a deploy sent before a halt. */
        boolean owesUndo() {
            return outcome.equals(IN_FLIGHT) || outcome.equals(UNDO);
        }
    }

    public Rollout {
        stages = List.copyOf(stages);
        results = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(results));
        reason = reason == null ? "" : reason;
        soakMs = Math.max(0, soakMs);
    }

    /** A rollout of a file of before {@link #seq} (seq 0). */
    public Rollout(String id, String envelope, String group, long version, String healthCheck, List<String> stages,
                   double maxFailureRate, int stage, State state, Map<String, Result> results, String reason,
                   Instant startedAt, Instant updatedAt, long soakMs, Instant soakUntil) {
        this(id, envelope, group, version, healthCheck, stages, maxFailureRate, stage, state, results, reason,
                startedAt, updatedAt, soakMs, soakUntil, 0);
    }

    /** A rollout without a soak (as before soaks existed). */
    public Rollout(String id, String envelope, String group, long version, String healthCheck, List<String> stages,
                   double maxFailureRate, int stage, State state, Map<String, Result> results, String reason,
                   Instant startedAt, Instant updatedAt) {
        this(id, envelope, group, version, healthCheck, stages, maxFailureRate, stage, state, results, reason,
                startedAt, updatedAt, 0, null, 0);
    }

    Rollout withResult(String gateway, String outcome, String detail) {
        Map<String, Result> r = new LinkedHashMap<>(results);
        r.put(gateway, new Result(outcome, detail == null ? "" : detail));
        return new Rollout(id, envelope, group, version, healthCheck, stages, maxFailureRate, stage, state, r, reason,
                startedAt, Instant.now(), soakMs, soakUntil, seq);
    }

    Rollout withStage(int s) {
        return new Rollout(id, envelope, group, version, healthCheck, stages, maxFailureRate, s, state, results, reason,
                startedAt, Instant.now(), soakMs, soakUntil, seq);
    }

    Rollout withState(State s, String why) {
        return new Rollout(id, envelope, group, version, healthCheck, stages, maxFailureRate, stage, s, results,
                why == null ? reason : why, startedAt, Instant.now(), soakMs, soakUntil, seq);
    }

    Rollout withSoakUntil(Instant until) {
        return new Rollout(id, envelope, group, version, healthCheck, stages, maxFailureRate, stage, state, results, reason,
                startedAt, Instant.now(), soakMs, until, seq);
    }

    /**
     * The same without its package: a finished rollout that is not its group's newest never sends it again (a
     * catch-up sends the newest rollout's package; an owed rollback needs only group and version), and a package
     * may be megabytes.
     */
    Rollout withoutEnvelope() {
        return new Rollout(id, "", group, version, healthCheck, stages, maxFailureRate, stage, state, results, reason,
                startedAt, updatedAt, soakMs, soakUntil, seq);
    }

    /** Oldest first: by {@link #seq}, then (files of before it) by start time. */
    static final java.util.Comparator<Rollout> ORDER = java.util.Comparator.comparingLong(Rollout::seq)
            .thenComparing(Rollout::startedAt).thenComparing(Rollout::id);

    /** Gateways whose result has this outcome, in the rollout's order. */
    List<String> gatewaysWith(java.util.function.Predicate<Result> test) {
        return results.entrySet().stream().filter(e -> test.test(e.getValue())).map(Map.Entry::getKey).toList();
    }

    /**
     * The gateways that still owe an answer to a rollback (a rolled-back rollout does not wait for them: sent again
     * at their birth); as the shell says it, or "" when none.
     */
    String owedText() {
        List<String> owed = gatewaysWith(r -> r.outcome().equals(Result.ROLLBACK_OWED));
        if (owed.isEmpty()) {
            return "";
        }
        String names = owed.size() <= 10 ? owed.toString() : owed.subList(0, 10) + " and " + (owed.size() - 10) + " more";
        return "rollback owed by " + owed.size() + " gateway(s) " + names + " that did not answer it: sent again when they return";
    }

    public long count(String outcome) {
        return results.values().stream().filter(r -> r.outcome().equals(outcome)).count();
    }

    /** Failed over answered (applied + failed); 0 before any answer. */
    double failureRate() {
        long failed = count(Result.FAILED);
        long answered = failed + count(Result.APPLIED);
        return answered == 0 ? 0 : (double) failed / answered;
    }

    /** How many of {@code members} gateways the stage covers (cumulative; at least one). */
    static int size(String stage, int members) {
        String s = stage.trim();
        if (s.equalsIgnoreCase("all")) {
            return members;
        }
        int n = s.endsWith("%")
                ? (int) Math.ceil(members * Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0)
                : Integer.parseInt(s);
        return Math.max(1, Math.min(members, n));
    }

    /** @throws IllegalArgumentException naming the bad stage */
    static List<String> parseStages(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            String t = s.trim();
            try {
                double v = t.equalsIgnoreCase("all") ? 100 : t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1))
                        : Integer.parseInt(t);
                if (!(v > 0) || (t.endsWith("%") && !(v <= 100))) {   // NaN% and Infinity% too
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("stage '" + Texts.clip(t) + "' is not a count (1), a share (10%) or all");
            }
            out.add(t);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no stages");
        }
        return out;
    }

    ObjectNode toJson() {
        ObjectNode o = PackageCodec.JSON.createObjectNode();
        o.put("id", id).put("envelope", envelope).put("group", group).put("version", version)
                .put("healthCheck", healthCheck).put("maxFailureRate", maxFailureRate).put("stage", stage)
                .put("state", state.name()).put("reason", reason).put("startedAt", startedAt.toString())
                .put("updatedAt", updatedAt.toString()).put("soakMs", soakMs).put("seq", seq);
        if (soakUntil != null) {
            o.put("soakUntil", soakUntil.toString());
        }
        o.putArray("stages").addAll(stages.stream().map(o::textNode).toList());
        ObjectNode r = o.putObject("results");
        results.forEach((g, res) -> r.putObject(g).put("outcome", res.outcome()).put("detail", res.detail()));
        return o;
    }

    /**
     * @throws IllegalArgumentException a file whose id or group could make a path (a hand edit, "../x"): its group
     *         names the owed-rollbacks file and its id the rollout file (red team, session 11)
     */
    static Rollout fromJson(JsonNode o) {
        String id = o.path("id").asText("");
        if (!org.scriptbox.api.fleet.FleetTopics.validId(o.path("group").asText(""))
                || !id.matches("[A-Za-z0-9_.-]{1,200}") || id.startsWith(".")) {
            throw new IllegalArgumentException("the rollout's id or group is not an id");
        }
        List<String> stages = new ArrayList<>();
        o.path("stages").forEach(n -> stages.add(n.asText()));
        Map<String, Result> results = new LinkedHashMap<>();
        o.path("results").properties().forEach(e -> results.put(e.getKey(),
                new Result(e.getValue().path("outcome").asText(), e.getValue().path("detail").asText())));
        return new Rollout(o.path("id").asText(), o.path("envelope").asText(), o.path("group").asText(),
                o.path("version").asLong(), o.hasNonNull("healthCheck") ? o.get("healthCheck").asText() : null, stages,
                o.path("maxFailureRate").asDouble(), o.path("stage").asInt(), State.valueOf(o.path("state").asText()),
                results, o.path("reason").asText(), Instant.parse(o.path("startedAt").asText()),
                Instant.parse(o.path("updatedAt").asText()), o.path("soakMs").asLong(0),
                o.hasNonNull("soakUntil") ? Instant.parse(o.get("soakUntil").asText()) : null, o.path("seq").asLong(0));
    }
}
