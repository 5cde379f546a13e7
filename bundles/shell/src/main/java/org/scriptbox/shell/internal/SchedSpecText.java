package org.scriptbox.shell.internal;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Locale;

import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;

/**
 * The shell's words for a schedule:
 * <pre>
 *   every 5s [after 1s]            interval (first run after the interval, or after the given delay)
 *   cron "0 8 * * MON-FRI" [zone]  cron expression or macro (@hourly ...), optional time zone id
 *   once 2026-12-01T08:00:00Z      once at an ISO-8601 instant or offset date-time
 *   once 30s                       once after a delay
 *   manual                         only when run by hand
 * </pre>
 * Durations: {@code 250ms 5s 2m 1h 1d} or ISO-8601 ({@code PT5S}). Mistakes throw
 * {@link IllegalArgumentException} with one sentence.
 */
final class SchedSpecText {
    private static final java.time.format.DateTimeFormatter AT = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    static final String USAGE = "every <duration> [after <duration>] | cron \"<expression>\" [zone] | once <time|duration>"
            + " | manual";

    /** Durations are whole milliseconds (the scheduler's clock), 1 ms up to ten years; an interval shorter than
     *  the scheduler's min.interval.ms (100 ms by default) is refused by the scheduler itself. */
    static final Duration MIN_DURATION = Duration.ofMillis(1);
    static final Duration MAX_DURATION = Duration.ofDays(3650);

    private SchedSpecText() {
    }

    static ScheduleSpec parse(String[] words, String overlap, String misfire) {
        if (words == null || words.length == 0) {
            throw new IllegalArgumentException("no schedule given; use " + USAGE);
        }
        OverlapPolicy o = policy(OverlapPolicy.class, overlap, "overlap");
        MisfirePolicy m = policy(MisfirePolicy.class, misfire, "misfire");
        String kind = words[0].toLowerCase(Locale.ROOT);
        switch (kind) {
            case "every": {
                need(words, 2, "every <duration>");
                Duration every = duration(words[1]);
                if (every.isZero()) {
                    throw new IllegalArgumentException("an interval of 0 would fire without end; use at least " + format(MIN_DURATION));
                }
                Duration after = null;
                if (words.length == 4 && words[2].equalsIgnoreCase("after")) {
                    after = duration(words[3]);
                } else if (words.length > 2) {
                    throw new IllegalArgumentException("unexpected '" + words[2] + "'; use every <duration> [after <duration>]");
                }
                return new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, after, every, null, null, o, m);
            }
            case "cron": {
                need(words, 2, "cron \"<expression>\" [zone]");
                String zone = null;
                String expression;
                if (words.length == 2 || words[1].startsWith("@") && words.length == 3) {
                    expression = words[1];
                    zone = words.length == 3 ? words[2] : null;
                } else if (words.length == 3 && words[1].contains(" ")) {
                    expression = words[1];
                    zone = words[2];
                } else {
                    // unquoted fields: the last word is a zone if it contains a '/' or is UTC
                    String last = words[words.length - 1];
                    boolean lastIsZone = last.contains("/") && !last.startsWith("*") && Character.isLetter(last.charAt(0))
                            || last.equalsIgnoreCase("UTC");
                    int end = lastIsZone ? words.length - 1 : words.length;
                    expression = String.join(" ", Arrays.copyOfRange(words, 1, end));
                    zone = lastIsZone ? last : null;
                }
                return new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, expression, zone, o, m);
            }
            case "once": {
                need(words, 2, "once <time|duration>");
                if (words.length > 2) {
                    throw new IllegalArgumentException("unexpected '" + words[2] + "'; use once <time|duration>");
                }
                if (!words[1].isEmpty() && Character.isDigit(words[1].charAt(0)) && words[1].length() >= 10 && words[1].charAt(4) == '-') {
                    return new ScheduleSpec(ScheduleSpec.Kind.ONCE, instant(words[1]), null, null, null, null, o, m);
                }
                return new ScheduleSpec(ScheduleSpec.Kind.ONCE, null, duration(words[1]), null, null, null, o, m);
            }
            case "manual":
                if (words.length > 1) {
                    throw new IllegalArgumentException("unexpected '" + words[1] + "'; manual takes nothing more");
                }
                return new ScheduleSpec(ScheduleSpec.Kind.MANUAL, null, null, null, null, null, o, m);
            default:
                throw new IllegalArgumentException("unknown schedule '" + words[0] + "'; use " + USAGE);
        }
    }

    private static void need(String[] words, int count, String form) {
        if (words.length < count) {
            throw new IllegalArgumentException("incomplete schedule; use " + form);
        }
    }

    /**
     * One shell duration: {@code 250ms 5s 2m 1h 1d} (fractions allowed: {@code 1.5s}) or ISO-8601 {@code PT5S};
     * whole milliseconds from 0 to {@link #MAX_DURATION}. {@code PT0.000000001S}, {@code 0.5ms}, {@code -5s} and
     * {@code 999999999999d} are refused with one sentence (they fired 20,000 times a second or overflowed).
     */
    static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String hint = " (use e.g. 250ms, 5s, 2m, 1h, 1d or PT5S; from 0 to " + format(MAX_DURATION) + ", whole milliseconds)";
        BigDecimal millis;
        try {
            if (t.startsWith("p")) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                millis = new BigDecimal(d.getSeconds()).multiply(BigDecimal.valueOf(1000))
                        .add(new BigDecimal(d.getNano()).movePointLeft(6));
            } else {
                int split = 0;
                while (split < t.length() && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '.')) {
                    split++;
                }
                BigDecimal amount = new BigDecimal(t.substring(0, split));
                long unit;
                switch (t.substring(split)) {
                    case "ms": unit = 1; break;
                    case "s": unit = 1000; break;
                    case "m": case "min": unit = 60_000; break;
                    case "h": unit = 3_600_000; break;
                    case "d": unit = 86_400_000; break;
                    default: throw new IllegalArgumentException();
                }
                millis = amount.multiply(BigDecimal.valueOf(unit));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration" + hint);
        }
        if (millis.signum() < 0 || millis.compareTo(BigDecimal.valueOf(MAX_DURATION.toMillis())) > 0
                || millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is out of range" + hint);
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    private static Instant instant(String text) {
        try {
            return text.endsWith("Z") ? Instant.parse(text) : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time (use ISO-8601, e.g. 2026-12-01T08:00:00Z"
                    + " or 2026-12-01T09:00:00+01:00)");
        }
    }

    private static <E extends Enum<E>> E policy(Class<E> type, String text, String what) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + what + " policy '" + text + "' (use "
                    + String.join(", ", Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)
                    .replace('_', '-')).toArray(String[]::new)) + ")");
        }
    }

    /** The spec in the same words, for listings. */
    static String describe(ScheduleSpec spec) {
        return describe(spec, java.time.ZoneOffset.UTC);
    }

    /** The spec in the same words, a {@code once} time in the given zone, to the second. */
    static String describe(ScheduleSpec spec, java.time.ZoneId zone) {
        switch (spec.kind()) {
            case INTERVAL:
                return "every " + format(spec.interval()) + (spec.delay() == null ? "" : " after " + format(spec.delay()));
            case CRON:
                return "cron \"" + spec.cron() + "\"" + (spec.zone() == null ? "" : " " + spec.zone());
            case ONCE:
                return "once " + (spec.at() != null ? AT.format(spec.at().atZone(zone)) : format(spec.delay()));
            default:
                return "manual";
        }
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
