package org.scriptbox.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one shell command takes: its options (with defaults), its arguments and an example. It renders the
 * {@code --help} text and the one-line usage a mistake is answered with, and {@link ShellArgs#parse parses}
 * what the operator typed against it. Immutable: every {@code with...} method returns a new value.
 */
public final class Usage {
    /**
     * One option: a flag ({@code valueName == null}) or an option taking a value. {@code defaultValue} is what
     * the command gets when the option is absent (and what --help shows): a value, or null for "not given";
     * a default described in words belongs in the description.
     */
    public record Option(String shortName, String longName, String valueName, String defaultValue, String description) {
        boolean matches(String word) {
            return word.equals(shortName) || word.equals(longName);
        }

        String synopsis() {
            return "[" + (shortName != null ? shortName : longName) + (valueName == null ? "" : " " + valueName) + "]";
        }
    }

    /** One argument; a {@code rest} argument takes every word that follows (options included). */
    public record Argument(String name, String description, boolean required, boolean rest) {
        String synopsis() {
            String n = rest ? name + "..." : name;
            return required ? n : "[" + n + "]";
        }
    }

    private final String command;
    private final String summary;
    private final List<Option> options;
    private final List<Argument> arguments;
    private final List<String> examples;

    private Usage(String command, String summary, List<Option> options, List<Argument> arguments, List<String> examples) {
        this.command = command;
        this.summary = summary;
        this.options = List.copyOf(options);
        this.arguments = List.copyOf(arguments);
        this.examples = List.copyOf(examples);
    }

    /** @param command scope:function, e.g. {@code script:run}; @param summary one line, shown by {@code help} */
    public static Usage of(String command, String summary) {
        return new Usage(command, summary, List.of(), List.of(), List.of());
    }

    public Usage withFlag(String shortName, String longName, String description) {
        return withOption(new Option(shortName, longName, null, null, description));
    }

    public Usage withOption(String shortName, String longName, String valueName, String defaultValue, String description) {
        return withOption(new Option(shortName, longName, valueName, defaultValue, description));
    }

    private Usage withOption(Option o) {
        List<Option> more = new ArrayList<>(options);
        more.add(o);
        return new Usage(command, summary, more, arguments, examples);
    }

    public Usage withArgument(String name, String description) {
        return withArgument(new Argument(name, description, true, false));
    }

    public Usage withOptionalArgument(String name, String description) {
        return withArgument(new Argument(name, description, false, false));
    }

    /** Every remaining word, options included (for a script's own arguments or a schedule's words). */
    public Usage withRest(String name, String description, boolean required) {
        return withArgument(new Argument(name, description, required, true));
    }

    private Usage withArgument(Argument a) {
        List<Argument> more = new ArrayList<>(arguments);
        more.add(a);
        return new Usage(command, summary, options, more, examples);
    }

    public Usage withExample(String example) {
        List<String> more = new ArrayList<>(examples);
        more.add(example);
        return new Usage(command, summary, options, arguments, more);
    }

    public String command() {
        return command;
    }

    public String summary() {
        return summary;
    }

    public List<Option> options() {
        return options;
    }

    public List<Argument> arguments() {
        return arguments;
    }

    public Optional<Option> option(String word) {
        return options.stream().filter(o -> o.matches(word)).findFirst();
    }

    /** {@code script:logs [-n N] [-f] NAME} */
    public String synopsis() {
        StringBuilder sb = new StringBuilder(command);
        options.forEach(o -> sb.append(' ').append(o.synopsis()));
        arguments.forEach(a -> sb.append(' ').append(a.synopsis()));
        return sb.toString();
    }

    /** The one line a mistake is answered with: what was wrong, then the synopsis. */
    public String mistake(String what) {
        return command + ": " + what + "; usage: " + synopsis() + " (" + command + " --help for more)";
    }

    /** The {@code --help} text: summary, synopsis, arguments, options with their defaults, examples. */
    public String help() {
        StringBuilder sb = new StringBuilder();
        sb.append(command).append(" - ").append(summary).append('\n');
        sb.append("usage: ").append(synopsis()).append('\n');
        if (!arguments.isEmpty()) {
            sb.append("arguments:\n");
            for (Argument a : arguments) {
                sb.append(String.format("  %-22s %s%n", a.synopsis(), a.description()));
            }
        }
        sb.append("options:\n");
        for (Option o : options) {
            String names = (o.shortName() == null ? "" : o.shortName() + ", ") + o.longName()
                    + (o.valueName() == null ? "" : " " + o.valueName());
            sb.append(String.format("  %-22s %s%s%n", names, o.description(),
                    o.defaultValue() == null ? "" : " (default " + o.defaultValue() + ")"));
        }
        sb.append(String.format("  %-22s %s%n", "-h, --help", "this text"));
        if (!examples.isEmpty()) {
            sb.append(examples.size() == 1 ? "example:\n" : "examples:\n");
            examples.forEach(e -> sb.append("  ").append(e).append('\n'));
        }
        return sb.toString().stripTrailing();
    }
}
