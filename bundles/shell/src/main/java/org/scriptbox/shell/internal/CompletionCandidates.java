package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What Tab offers after a scriptbox command, from its {@link Usage}: its options (with their descriptions)
 * where a dash word is typed, an option's values ({@code --overlap skip|queue|parallel}), and for an argument
 * the things its name stands for: {@code NAME} deployed scripts, {@code ID} device ids, the first word of a
 * {@code SCHEDULE} the schedule kinds ({@code WHAT} of {@code sched:next} both).
 */
final class CompletionCandidates {
    /** One candidate: the word and a short description (may be null). */
    record Candidate(String value, String description) {
    }

    static final List<String> SCHEDULE_KINDS = List.of("every", "cron", "once", "manual");

    private final Supplier<List<String>> scripts;
    private final Supplier<List<String>> devices;

    CompletionCandidates(Supplier<List<String>> scripts, Supplier<List<String>> devices) {
        this.scripts = scripts;
        this.devices = devices;
    }

    /**
     * @param before the words after the command name and before the one being completed
     * @param current the word being completed (possibly empty)
     */
    List<Candidate> of(Usage usage, List<String> before, String current) {
        List<Candidate> out = new ArrayList<>();
        int positional = 0;
        Usage.Option pendingValue = null;
        for (String w : before) {
            if (pendingValue != null) {
                pendingValue = null;
                continue;
            }
            Usage.Option o = w.startsWith("-") ? usage.option(w).orElse(null) : null;
            if (o != null) {
                pendingValue = o.valueName() == null ? null : o;
            } else {
                positional++;
            }
        }
        if (pendingValue != null) {
            for (String v : optionValues(pendingValue)) {
                out.add(new Candidate(v, null));
            }
            return out;
        }
        if (current.startsWith("-")) {
            for (Usage.Option o : usage.options()) {
                if (o.longName() != null) {
                    out.add(new Candidate(o.longName(), o.description()));
                }
                if (o.shortName() != null) {
                    out.add(new Candidate(o.shortName(), o.description()));
                }
            }
            out.add(new Candidate("--help", "usage, options and an example"));
            return out;
        }
        List<Usage.Argument> args = usage.arguments();
        if (args.isEmpty()) {
            return out;
        }
        int index = Math.min(positional, args.size() - 1);
        Usage.Argument a = args.get(index);
        if (!a.rest() && positional >= args.size()) {
            return out;
        }
        int inRest = a.rest() ? positional - index : 0;
        switch (a.name()) {
            case "NAME":
                scripts.get().forEach(s -> out.add(new Candidate(s, "script")));
                break;
            case "ID":
                devices.get().forEach(d -> out.add(new Candidate(d, "device")));
                break;
            case "WHAT":
                if (inRest == 0) {
                    scripts.get().forEach(s -> out.add(new Candidate(s, "script")));
                    SCHEDULE_KINDS.forEach(k -> out.add(new Candidate(k, "schedule")));
                }
                break;
            case "SCHEDULE":
                if (inRest == 0) {
                    SCHEDULE_KINDS.forEach(k -> out.add(new Candidate(k, "schedule")));
                }
                break;
            default:
                break;
        }
        return out;
    }

    private static List<String> optionValues(Usage.Option o) {
        switch (o.longName()) {
            case "--overlap":
                return List.of("skip", "queue", "parallel");
            case "--misfire":
                return List.of("skip", "run-once");
            default:
                return List.of();
        }
    }
}
