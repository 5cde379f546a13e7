package org.scriptbox.fleet.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code fleet:*} Gogo command: a {@link Function}, so Gogo hands over the words as typed. A mistake
 * answers one line with the synopsis; whatever the body throws is logged while the operator reads one
 * sentence. (The shell bundle's ShellCommand is internal to it; this is the fleet's small equivalent.)
 */
final class FleetCommand implements Function {
    private static final Logger LOG = LoggerFactory.getLogger(FleetCommand.class);

    /** The parsed words: positional arguments and {@code --name value} options ({@code flags} take no value). */
    record Words(List<String> args, Map<String, String> options) {
        String option(String name, String absent) {
            return options.getOrDefault(name, absent);
        }

        String arg(int i, String what) {
            if (i >= args.size()) {
                throw new IllegalArgumentException("missing " + what);
            }
            return args.get(i);
        }
    }

    @FunctionalInterface
    interface Body {
        Object run(Words words) throws Exception;
    }

    private final String name;
    private final String synopsis;
    private final Set<String> flags;
    private final Body body;

    FleetCommand(String name, String synopsis, Set<String> flags, Body body) {
        this.name = name;
        this.synopsis = synopsis;
        this.flags = flags;
        this.body = body;
    }

    String name() {
        return name;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        try {
            List<String> args = new ArrayList<>();
            Map<String, String> options = new HashMap<>();
            for (int i = 0; i < arguments.size(); i++) {
                String w = String.valueOf(arguments.get(i));
                if (w.equals("--help") || w.equals("-h")) {
                    return "fleet:" + name + " " + synopsis;
                }
                if (w.startsWith("--") && w.length() > 2) {
                    String key = w.substring(2);
                    if (flags.contains(key)) {
                        options.put(key, "true");
                    } else if (i + 1 < arguments.size()) {
                        options.put(key, String.valueOf(arguments.get(++i)));
                    } else {
                        throw new IllegalArgumentException("--" + key + " needs a value");
                    }
                } else {
                    args.add(w);
                }
            }
            return body.run(new Words(args, options));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "fleet:" + name + ": " + e.getMessage() + "\nusage: fleet:" + name + " " + synopsis;
        } catch (Exception | LinkageError e) {
            LOG.warn("fleet:{} failed", name, e);
            return "fleet:" + name + " failed: an internal error (logged in the container log)";
        }
    }

    @Override
    public String toString() {
        return "fleet:" + name + " " + synopsis;
    }
}
