package org.scriptbox.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.util.promise.Promise;

/**
 * Owns the scripts: deploys, compiles, resolves, runs and undeploys them, and keeps their statistics.
 * Every way of running a script (shell, scheduler, API) goes through {@link #execute}, so its
 * concurrency bound and its statistics cover them all. The version-history methods have defaults only so
 * that test stand-ins need not implement them; the container's manager does.
 */
@ProviderType
public interface ScriptManager {

    /**
     * Deploys a script or replaces the live version of the same name. The new version is compiled and
     * validated first; if that fails the live version stays and the error is thrown and also kept as
     * {@link ScriptInfo#lastError()}.
     *
     * @param force accept a version lower than the live one
     * @return the script after deploy; status COMPILED or UNRESOLVED
     * @throws ScriptException COMPILATION, METADATA, REFUSED or DEPENDENCY errors, with location
     */
    ScriptInfo deploy(ScriptDefinition definition, boolean force);

    /**
     * Records a problem found before a definition could even be made (e.g. invalid TOML in the deploy
     * folder), so that it shows as the script's {@link ScriptInfo#lastError()} as well as in the log. A
     * live version stays live; a name not deployed yet is listed with status
     * {@link ScriptStatus#COMPILATION_ERROR} until a good version arrives or it is undeployed.
     */
    void reportError(String name, String origin, ScriptError error);

    /** Checks a definition as {@link #deploy} would, without deploying it; empty when it is fine. */
    List<ScriptError> validate(ScriptDefinition definition);

    /** Removes a script, cancelling its running executions. @return false if there was none */
    boolean undeploy(String name);

    /** All deployed scripts, sorted by name. */
    List<ScriptInfo> list();

    Optional<ScriptInfo> get(String name);

    /** The live source of a script. */
    Optional<ScriptDefinition> definition(String name);

    /**
     * Runs {@code chunk} (compiled by the engine, e.g. a script's test) as the script {@code name} runs, through
     * the same execution bound, with the script's effective limits, granted permissions and reachable modules,
     * but with {@code libraries} as its ONLY host libraries (the registered ones, real devices among them, are
     * not installed) and nothing recorded: no statistics, no run count, no trace, its lines go to {@code log}
     * only. The script must have a version that compiled (its metadata is that version's); it is not run.
     * The manager's stop cancels the run. For script tests: {@code script:test}.
     *
     * @since 1.7
     */
    default Promise<ExecutionResult> executeDetached(String name, org.scriptbox.api.engine.CompiledScript chunk,
                                                     List<Object> args,
                                                     List<org.scriptbox.api.engine.ScriptLibrary> libraries,
                                                     org.scriptbox.api.engine.ScriptLog log,
                                                     org.scriptbox.api.engine.Cancellation cancellation) {
        return org.osgi.util.promise.Promises.failed(new ScriptException(ScriptError.of(ErrorKind.REFUSED,
                "this script manager does not run detached executions")));
    }

    /**
     * Runs a script asynchronously. The promise fails with a {@link ScriptException} (NOT_FOUND,
     * DEPENDENCY, BUSY) if the run cannot start, and otherwise resolves with the result, whatever its status.
     *
     * @param args values passed to the chunk as {@code ...} (String, Number, Boolean, List, Map)
     */
    Promise<ExecutionResult> execute(String name, List<Object> args);

    /**
     * Runs a script as {@link #execute(String, List)} does, telling who asked: a {@link ExecutionTrigger#SCHEDULE}
     * run is held to the script's share of the capacity and never takes the slots reserved for operators.
     *
     * @since 1.4
     */
    default Promise<ExecutionResult> execute(String name, List<Object> args, ExecutionTrigger trigger) {
        return execute(name, args);
    }

    /** Cancels every running execution of a script. @return how many were cancelled */
    int cancel(String name);

    /** The latest log lines of a script, oldest first, at most {@code max}. */
    List<ScriptLogEntry> logs(String name, int max);

    /**
     * Writes {@code name.lua} and {@code name.toml} (and {@code name.stats.toml} if asked) into a folder.
     * @return the written {@code .lua} file
     * @deprecated files are the deployer's: use {@link org.scriptbox.api.deploy.ScriptFolder#exportScript}
     */
    @Deprecated
    Path exportScript(String name, Path targetFolder, boolean withStats);

    /**
     * Reads a {@code .lua} file (and the {@code .toml} beside it, if any) and deploys it.
     * @deprecated it does not put the file into the deploy folder (gone after a restart); use
     *             {@link org.scriptbox.api.deploy.ScriptFolder#importScript}
     */
    @Deprecated
    ScriptInfo importScript(Path luaFile, boolean force);

    /**
     * The kept versions of a script, newest first: the last N deploys of new content (configurable,
     * default 10), kept across restarts and after undeploy (since 1.5).
     */
    default List<ScriptRevision> history(String name) {
        return List.of();
    }

    /** The source and metadata of one kept version (since 1.5). */
    default Optional<ScriptDefinition> revision(String name, int number) {
        return Optional.empty();
    }

    /**
     * Makes a kept version live again by writing it back to the deploy folder (the folder stays the source
     * of truth) and deploying it, even if its version is lower (since 1.5).
     *
     * @param revision a revision number ("3"), a semantic version ("1.2.0", its newest revision), or
     *                 {@code null} for the version before the live one
     * @throws ScriptException NOT_FOUND (no such script or revision), REFUSED (a script from a bundle, or no
     *                         deploy folder), IO (the folder could not be written), or the deploy's own errors
     */
    default ScriptInfo rollback(String name, String revision) {
        throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "this script manager keeps no versions"));
    }

    /**
     * Enables or disables a script, kept across restarts. A disabled script stays deployed but does not
     * run: executions are refused, running ones are cancelled and its schedule pauses (status
     * {@link ScriptStatus#DISABLED}) (since 1.5).
     *
     * @throws ScriptException NOT_FOUND, or IO if the setting could not be saved (then nothing changed)
     */
    default ScriptInfo setEnabled(String name, boolean enabled) {
        throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "this script manager cannot disable scripts"));
    }
}
