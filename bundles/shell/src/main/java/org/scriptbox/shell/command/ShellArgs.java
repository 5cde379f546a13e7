package org.scriptbox.shell.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line parsed against a {@link Usage}: options anywhere ({@code --} ends them), {@code -n 5} and
 * {@code --lines=5}, {@code -h}/{@code --help} for the help text. Among the words of a rest argument (a
 * script's own arguments, a schedule's words) only the command's own options count; other dash words
 * ({@code -5}) belong to the rest.
 * Every mistake is a {@link UsageError} with one sentence; the typed getters check ranges the same way.
 */
public final class ShellArgs {
    private final Usage usage;
    private final boolean help;
    private final Map<String, Word> named;
    private final List<Word> rest;
    private final Map<String, String> optionValues;
    private final Set<String> flags;

    private ShellArgs(Usage usage, boolean help, Map<String, Word> named, List<Word> rest,
                      Map<String, String> optionValues, Set<String> flags) {
        this.usage = usage;
        this.help = help;
        this.named = Map.copyOf(named);
        this.rest = List.copyOf(rest);
        this.optionValues = Map.copyOf(optionValues);
        this.flags = Set.copyOf(flags);
    }

    public static ShellArgs parse(Usage usage, List<Word> words) {
        Map<String, Word> named = new HashMap<>();
        List<Word> rest = new ArrayList<>();
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        List<Usage.Argument> expected = usage.arguments();
        int next = 0;
        boolean inRest = false;
        boolean optionsEnded = false;
        UsageError first = null;   // --help wins over any mistake before or after it
        for (int i = 0; i < words.size(); i++) {
            Word w = words.get(i);
            inRest = next < expected.size() && expected.get(next).rest() && (next > 0 || !rest.isEmpty());
            boolean knownInRest = inRest && w.isOptionLike() && (isHelp(w.text()) || usage.option(optionName(w.text())).isPresent());
            if ((!inRest || knownInRest) && !optionsEnded && w.isOptionLike()) {
                String text = w.text();
                if (isHelp(text)) {
                    return new ShellArgs(usage, true, Map.of(), List.of(), Map.of(), Set.of());
                }
                if (text.equals("--")) {
                    optionsEnded = true;
                    continue;
                }
                int eq = text.startsWith("--") ? text.indexOf('=') : -1;
                String name = optionName(text);
                Usage.Option o = usage.option(name).orElse(null);
                if (o == null) {
                    first = first != null ? first : new UsageError("unknown option '" + text + "'");
                } else if (o.valueName() == null) {
                    flags.add(o.longName());
                } else if (eq > 0) {
                    values.put(o.longName(), text.substring(eq + 1));
                } else if (i + 1 < words.size()) {
                    values.put(o.longName(), words.get(++i).text());
                } else {
                    first = first != null ? first : new UsageError(name + " needs a value (" + o.valueName() + ")");
                }
                continue;
            }
            if (next < expected.size() && expected.get(next).rest()) {
                rest.add(w);
            } else if (next < expected.size()) {
                named.put(expected.get(next++).name(), w);
            } else {
                first = first != null ? first : new UsageError("unexpected '" + w.text() + "'");
            }
        }
        if (first != null) {
            throw first;
        }
        for (Usage.Argument a : expected) {
            if (a.required() && (a.rest() ? rest.isEmpty() : !named.containsKey(a.name()))) {
                throw new UsageError("missing " + a.name());
            }
        }
        return new ShellArgs(usage, false, named, rest, values, flags);
    }

    private static boolean isHelp(String text) {
        return text.equals("-h") || text.equals("--help");
    }

    /** {@code --lines} of {@code --lines=5}. */
    private static String optionName(String text) {
        int eq = text.startsWith("--") ? text.indexOf('=') : -1;
        return eq > 0 ? text.substring(0, eq) : text;
    }

    public boolean help() {
        return help;
    }

    /** The text of a named argument, or null when an optional one was not given. */
    public String text(String argument) {
        Word w = named.get(argument);
        return w == null ? null : w.text();
    }

    public List<Word> rest() {
        return rest;
    }

    public List<String> restTexts() {
        return rest.stream().map(Word::text).toList();
    }

    public boolean flag(String longName) {
        return flags.contains(longName);
    }

    /** The option's value, or its default. */
    public String option(String longName) {
        String v = optionValues.get(longName);
        if (v != null) {
            return v;
        }
        // (map after findFirst: a null default in the stream would make findFirst throw)
        return usage.options().stream().filter(o -> o.longName().equals(longName)).findFirst()
                .map(Usage.Option::defaultValue).orElse(null);
    }

    /** A whole-number option within {@code min..max}: {@code -n -5} is refused, not read as "no lines". */
    public int intOption(String longName, int min, int max) {
        String v = option(longName);
        String what = usage.option(longName).map(o -> o.shortName() != null ? o.shortName() : longName).orElse(longName);
        try {
            if (v != null && v.matches("-?[0-9]{1,10}")) {
                long n = Long.parseLong(v);
                if (n >= min && n <= max) {
                    return (int) n;
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the sentence below
        }
        throw new UsageError(what + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    }
}
