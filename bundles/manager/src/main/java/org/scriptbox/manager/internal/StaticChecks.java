package org.scriptbox.manager.internal;

import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.security.Permission;

/** The checks that need no compiler, in one place so that validate() and deploy() agree. */
final class StaticChecks {
    private StaticChecks() {
    }

    /**
     * @return the parsed dependencies
     * @throws ScriptException METADATA (name, version, permission id, dependency syntax) or DEPENDENCY
     *                         (the script needs a newer engine)
     */
    static List<Dependency> check(ScriptDefinition def, ScriptEngine engine) {
        ScriptMetadata m = def.metadata();
        String file = def.name() + ".toml";
        if (!ScriptNames.isValid(def.name())) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "\"" + def.name() + "\" is not a valid script name "
                    + ScriptNames.RULE, file, 0, 0));
        }
        if (!SemVer.isValid(m.version())) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "version: " + "\"" + m.version()
                    + "\" is not a semantic version (expected MAJOR.MINOR.PATCH)", file, 0, 0));
        }
        for (String p : m.permissions()) {
            if (Permission.fromId(p).isEmpty()) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "unknown permission \"" + p + "\"", file, 0, 0));
            }
        }
        checkRanges(m, file);
        List<Dependency> deps = new ArrayList<>();
        for (String d : m.dependencies()) {
            try {
                deps.add(Dependency.parse(d));
            } catch (IllegalArgumentException e) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "dependencies: " + e.getMessage(), file, 0, 0));
            }
        }
        String engineVersion = engine.version();
        if (SemVer.isValid(m.minEngineVersion()) && SemVer.isValid(engineVersion)
                && SemVer.parse(m.minEngineVersion()).compareTo(SemVer.parse(engineVersion)) > 0) {
            throw new ScriptException(ScriptError.at(ErrorKind.DEPENDENCY, "needs engine " + m.minEngineVersion()
                    + " or later; this engine is " + engineVersion, file, 0, 0));
        }
        return List.copyOf(deps);
    }

    /**
     * Durations and sizes within range, whoever made the metadata (the codec checks them too, with
     * positions; a definition built in code or by a bundle comes here without it).
     */
    private static void checkRanges(ScriptMetadata m, String file) {
        try {
            ResourceLimits l = m.limits();
            if (l != null) {
                Durations.checkRange(l.maxExecutionTime(), "limits.max_execution_time = " + Durations.format(l.maxExecutionTime()));
                if (l.maxMemoryBytes() > Durations.MAX_SIZE) {
                    throw new IllegalArgumentException("\"limits.max_memory\" is out of range (at most 1TB)");
                }
            }
            ScheduleSpec s = m.schedule();
            if (s != null && s.delay() != null) {
                Durations.checkRange(s.delay(), "schedule.delay = " + Durations.format(s.delay()));
            }
            if (s != null && s.interval() != null) {
                Durations.checkRange(s.interval(), "schedule.interval = " + Durations.format(s.interval()));
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, e instanceof ArithmeticException
                    ? "a duration is out of range (at most " + Durations.MAX_DURATION.toDays() + "d)" : e.getMessage(), file, 0, 0));
        }
    }
}
