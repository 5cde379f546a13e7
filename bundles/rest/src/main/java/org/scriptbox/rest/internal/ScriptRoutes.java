package org.scriptbox.rest.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.deploy.ScriptFolder;

/**
 * The scripts: list, get, deploy (through the deploy folder, so the file is the truth after a restart, as
 * for every other way in), validate, delete, enable/disable, run, cancel, logs, stats, history, rollback.
 */
final class ScriptRoutes {
    private final ScriptManager manager;
    private final ScriptFolder folder;
    private final MetadataCodec codec;

    ScriptRoutes(ScriptManager manager, ScriptFolder folder, MetadataCodec codec) {
        this.manager = manager;
        this.folder = folder;
        this.codec = codec;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/scripts", Role.VIEWER, null, x -> Reply.ok(Map.of("scripts",
                        manager.list().stream().map(Views::script).toList()))),
                new Route("GET", "/scripts/{name}", Role.VIEWER, null, this::get),
                new Route("PUT", "/scripts/{name}", Role.OPERATOR, "deploy", this::deploy),
                new Route("DELETE", "/scripts/{name}", Role.OPERATOR, "delete", this::delete),
                new Route("POST", "/scripts/{name}/validate", Role.OPERATOR, null, this::validate),
                new Route("POST", "/scripts/{name}/enable", Role.OPERATOR, "enable", x -> enable(x, true)),
                new Route("POST", "/scripts/{name}/disable", Role.OPERATOR, "disable", x -> enable(x, false)),
                new Route("POST", "/scripts/{name}/run", Role.OPERATOR, "run", this::run),
                new Route("POST", "/scripts/{name}/cancel", Role.OPERATOR, "cancel", this::cancel),
                new Route("GET", "/scripts/{name}/logs", Role.VIEWER, null, this::logs),
                new Route("GET", "/scripts/{name}/stats", Role.VIEWER, null, x -> Reply.ok(Map.of("stats",
                        Views.stats(info(x.name("name")).stats())))),
                new Route("GET", "/scripts/{name}/history", Role.VIEWER, null, this::history),
                new Route("GET", "/scripts/{name}/history/{number}", Role.VIEWER, null, this::revision),
                new Route("POST", "/scripts/{name}/rollback", Role.OPERATOR, "rollback", this::rollback));
    }

    private ScriptInfo info(String name) {
        return manager.get(name).orElseThrow(() -> ApiError.notFound("No script '" + name + "'."));
    }

    private Object get(Exchange x) {
        String name = x.name("name");
        ScriptInfo info = info(name);
        Map<String, Object> m = Views.object();
        m.put("script", Views.script(info));
        Optional<ScriptDefinition> def = manager.definition(name);
        m.put("source", def.map(ScriptDefinition::source).orElse(null));
        m.put("toml", def.map(d -> codec.format(d.metadata())).orElse(null));
        return Reply.ok(m);
    }

    /** The definition a body describes; metadata errors at the toml's line:column, name mismatch refused. */
    private ScriptDefinition definition(Exchange x, String name) throws IOException {
        String source = x.requiredText("source");
        String toml = x.text("toml");
        ScriptMetadata md;
        if (toml == null || toml.isBlank()) {
            md = ScriptMetadata.defaults(name);
        } else {
            md = codec.parse(toml, name + ".toml", name, new ArrayList<>());
            if (!md.name().equals(name)) {
                throw ApiError.of(ScriptError.at(ErrorKind.METADATA, "the metadata names the script '" + md.name()
                        + "', the path '" + name + "'", name + ".toml", 0, 0));
            }
        }
        return new ScriptDefinition(md, source, "rest");
    }

    private Object deploy(Exchange x) throws IOException {
        String name = x.name("name");
        ScriptDefinition def = definition(x, name);
        boolean existed = manager.get(name).isPresent();
        ScriptInfo info = folder.install(def, x.flag("force"));
        x.auditTarget = name + "@" + info.metadata().version();
        Map<String, Object> body = Map.of("script", Views.script(info));
        return existed ? Reply.ok(body) : Reply.created(body);
    }

    private Object validate(Exchange x) throws IOException {
        String name = x.name("name");
        List<ScriptError> errors;
        try {
            errors = manager.validate(definition(x, name));
        } catch (ScriptException e) {
            errors = List.of(e.error());
        }
        return Reply.ok(Map.of("errors", errors.stream().map(Views::error).toList()));
    }

    private Object delete(Exchange x) throws IOException {
        String name = x.name("name");
        info(name);
        // through the deployer, which owns the folder: files and live script together (a bundle's script is refused)
        folder.remove(name);
        return Reply.noContent();
    }

    private Object enable(Exchange x, boolean enabled) {
        String name = x.name("name");
        info(name);
        return Reply.ok(Map.of("script", Views.script(manager.setEnabled(name, enabled))));
    }

    private Object run(Exchange x) throws IOException {
        String name = x.name("name");
        info(name);
        List<Object> args = new ArrayList<>();
        JsonNode a = x.body().get("args");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) {
                throw ApiError.badRequest("'args' must be an array.");
            }
            for (JsonNode n : a) {
                args.add(Json.toScriptValue(n));
            }
        }
        return manager.execute(name, args, ExecutionTrigger.OPERATOR)
                .map(r -> {
                    x.auditOutcome = r.status().name().toLowerCase(java.util.Locale.ROOT);
                    return Reply.ok(Map.of("result", Views.result(r)));
                });
    }

    private Object cancel(Exchange x) {
        String name = x.name("name");
        info(name);
        int n = manager.cancel(name);
        x.auditOutcome = "cancelled " + n;
        return Reply.ok(Map.of("cancelled", n));
    }

    private Object logs(Exchange x) {
        String name = x.name("name");
        info(name);
        int max = x.queryInt("max", 200, 1, 1000);
        return Reply.ok(Map.of("logs", manager.logs(name, max).stream().map(Views::log).toList()));
    }

    private Object history(Exchange x) {
        String name = x.name("name");
        var revisions = manager.history(name);
        if (revisions.isEmpty() && manager.get(name).isEmpty()) {
            throw ApiError.notFound("No script '" + name + "'.");
        }
        return Reply.ok(Map.of("revisions", revisions.stream().map(Views::revision).toList()));
    }

    private Object revision(Exchange x) {
        String name = x.name("name");
        int number;
        try {
            number = Integer.parseInt(x.param("number"));
        } catch (NumberFormatException e) {
            throw ApiError.notFound("No such revision.");
        }
        ScriptDefinition d = manager.revision(name, number).orElseThrow(() -> ApiError.notFound("No such revision."));
        Map<String, Object> m = Views.object();
        m.put("number", number);
        m.put("source", d.source());
        m.put("toml", codec.format(d.metadata()));
        return Reply.ok(m);
    }

    private Object rollback(Exchange x) throws IOException {
        String name = x.name("name");
        String revision = x.text("revision");
        ScriptInfo info = manager.rollback(name, revision);
        x.auditTarget = name + "@" + info.metadata().version();
        return Reply.ok(Map.of("script", Views.script(info)));
    }
}
