package org.scriptbox.rest.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduleSyntaxException;
import org.scriptbox.api.schedule.ScriptScheduler;

/** Schedules: list, set (validated before it is armed: a bad cron is 400 at its column), cancel. */
final class ScheduleRoutes {
    private final ScriptScheduler scheduler;
    private final ScriptManager manager;

    ScheduleRoutes(ScriptScheduler scheduler, ScriptManager manager) {
        this.scheduler = scheduler;
        this.manager = manager;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/schedules", Role.VIEWER, null, x -> Reply.ok(Map.of("schedules",
                        scheduler.list().stream().map(Views::schedule).toList()))),
                new Route("PUT", "/schedules/{script}", Role.OPERATOR, "schedule", this::set),
                new Route("DELETE", "/schedules/{script}", Role.OPERATOR, "unschedule", this::cancel));
    }

    private Object set(Exchange x) throws IOException {
        String name = x.name("script");
        if (manager.get(name).isEmpty()) {
            throw ApiError.notFound("No script '" + name + "'.");
        }
        ScheduleSpec spec = spec(x.body());
        try {
            scheduler.nextFireTimes(spec, Instant.now(), 1);
        } catch (ScheduleSyntaxException e) {
            throw new ApiError(400, "bad_request", "cron column " + e.column() + ": " + e.reason());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("The schedule is not valid.");
        }
        return Reply.ok(Map.of("schedule", Views.schedule(scheduler.schedule(name, spec))));
    }

    private Object cancel(Exchange x) {
        String name = x.name("script");
        if (!scheduler.cancel(name)) {
            throw ApiError.notFound("Script '" + name + "' has no schedule.");
        }
        return Reply.noContent();
    }

    static ScheduleSpec spec(JsonNode b) {
        ScheduleSpec.Kind kind = enumValue(ScheduleSpec.Kind.class, b.path("kind").asText(null), "kind", null);
        Duration interval = millis(b, "intervalMs");
        Duration delay = millis(b, "delayMs");
        Instant at = null;
        if (b.hasNonNull("at")) {
            try {
                at = Instant.parse(b.get("at").asText());
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest("'at' must be an ISO-8601 time such as 2026-12-01T16:00:00Z.");
            }
        }
        String cron = b.hasNonNull("cron") ? b.get("cron").asText() : null;
        String zone = b.hasNonNull("zone") ? b.get("zone").asText() : null;
        OverlapPolicy overlap = enumValue(OverlapPolicy.class, b.path("overlap").asText(null), "overlap", OverlapPolicy.SKIP);
        MisfirePolicy misfire = enumValue(MisfirePolicy.class, b.path("misfire").asText(null), "misfire", MisfirePolicy.SKIP);
        switch (kind) {
            case INTERVAL -> {
                if (interval == null || interval.isZero()) {
                    throw ApiError.badRequest("An INTERVAL schedule needs 'intervalMs' > 0.");
                }
                return new ScheduleSpec(kind, null, delay, interval, null, null, overlap, misfire);
            }
            case CRON -> {
                if (cron == null || cron.isBlank()) {
                    throw ApiError.badRequest("A CRON schedule needs 'cron'.");
                }
                return new ScheduleSpec(kind, null, null, null, cron, zone, overlap, misfire);
            }
            case ONCE -> {
                if ((at == null) == (delay == null)) {
                    throw ApiError.badRequest("A ONCE schedule needs either 'at' or 'delayMs'.");
                }
                return new ScheduleSpec(kind, at, delay, null, null, null, overlap, misfire);
            }
            default -> {
                return ScheduleSpec.manual();
            }
        }
    }

    private static Duration millis(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToLong() || n.asLong() < 0 || n.asLong() > 365L * 24 * 3600 * 1000) {
            throw ApiError.badRequest("'" + field + "' must be a whole number of milliseconds, 0 to one year.");
        }
        return Duration.ofMillis(n.asLong());
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field, E dflt) {
        if (text == null) {
            if (dflt == null) {
                throw ApiError.badRequest("'" + field + "' is missing.");
            }
            return dflt;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text.toUpperCase(Locale.ROOT))) {
                return e;
            }
        }
        throw ApiError.badRequest("'" + field + "' must be one of " + java.util.Arrays.toString(type.getEnumConstants()) + ".");
    }
}
