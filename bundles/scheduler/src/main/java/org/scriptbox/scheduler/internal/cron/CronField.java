package org.scriptbox.scheduler.internal.cron;

import java.util.List;
import java.util.Locale;

/** One field of a cron expression: its range, its names, and the parser of its list/range/step syntax. */
enum CronField {
    SECOND("second", 0, 59, null),
    MINUTE("minute", 0, 59, null),
    HOUR("hour", 0, 23, null),
    DAY_OF_MONTH("day-of-month", 1, 31, null),
    MONTH("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    DAY_OF_WEEK("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

    private final String label;
    private final int min;
    private final int max;
    private final List<String> names;   // index 0 is the value min (JAN=1, SUN=0)

    CronField(String label, int min, int max, List<String> names) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    /**
     * Parses one field into a bit set (bit n = value n matches).
     *
     * @param original the whole expression, for messages
     * @param text     this field's text
     * @param column   1-based column where the field starts in {@code original}
     */
    long parse(String original, String text, int column) {
        long bits = 0;
        int start = 0;
        while (true) {
            int comma = text.indexOf(',', start);
            int end = comma < 0 ? text.length() : comma;
            bits |= parseElement(original, text.substring(start, end), column + start);
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        if (this == DAY_OF_WEEK && (bits & (1L << 7)) != 0) {
            bits = (bits & ~(1L << 7)) | 1L;   // 7 is Sunday too
        }
        return bits;
    }

    private long parseElement(String original, String element, int column) {
        if (element.isEmpty()) {
            throw new CronSyntaxException(original, column, "empty element in the " + label + " field");
        }
        int slash = element.indexOf('/');
        String range = slash < 0 ? element : element.substring(0, slash);
        int low;
        int high;
        if (range.equals("*") || range.equals("?")) {
            if (range.equals("?") && this != DAY_OF_MONTH && this != DAY_OF_WEEK) {
                throw new CronSyntaxException(original, column, "'?' is only allowed in the day fields");
            }
            low = min;
            high = max;   // for day-of-week 7 is Sunday again: */n and a/n reach it (7/2 is Sunday)
        } else {
            int dash = range.indexOf('-', 1);
            if (dash < 0) {
                low = value(original, range, column);
                high = slash < 0 ? low : max;
            } else {
                low = value(original, range.substring(0, dash), column);
                high = value(original, range.substring(dash + 1), column + dash + 1);
                if (high < low) {
                    throw new CronSyntaxException(original, column, "range " + range + " in the " + label
                            + " field runs backwards");
                }
            }
        }
        int step = 1;
        if (slash >= 0) {
            String stepText = element.substring(slash + 1);
            int stepColumn = column + slash + 1;
            if (stepText.isEmpty() || !stepText.chars().allMatch(Character::isDigit)) {
                throw new CronSyntaxException(original, stepColumn, "step '" + stepText + "' in the " + label
                        + " field is not a positive number");
            }
            step = stepText.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
            if (step == 0 || step > max - min + 1) {
                throw new CronSyntaxException(original, stepColumn, "step " + stepText + " in the " + label
                        + " field must be between 1 and " + (max - min + 1));
            }
        }
        long bits = 0;
        for (int v = low; v <= high; v += step) {
            bits |= 1L << v;
        }
        if (bits == 0) {   // a field that selects nothing would never fire: refuse it instead
            throw new CronSyntaxException(original, column, "'" + element + "' in the " + label
                    + " field selects no value");
        }
        return bits;
    }

    private int value(String original, String token, int column) {
        if (token.isEmpty()) {
            throw new CronSyntaxException(original, column, "missing value in the " + label + " field");
        }
        char c = Character.toUpperCase(token.charAt(0));
        if (c == 'L' || c == 'W' || token.indexOf('#') >= 0 || token.toUpperCase(Locale.ROOT).endsWith("W")
                && Character.isDigit(c)) {
            if (names == null || !names.contains(token.toUpperCase(Locale.ROOT))) {
                throw new CronSyntaxException(original, column, "'" + token + "' (Quartz L/W/# syntax) is not"
                        + " supported; use plain values, ranges and steps");
            }
        }
        if (token.chars().allMatch(Character::isDigit)) {
            int v = token.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(token);
            if (v < min || v > max) {
                throw new CronSyntaxException(original, column, label + " value " + token + " is out of range "
                        + min + "-" + max);
            }
            return v;
        }
        if (names != null) {
            int index = names.indexOf(token.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return index + min;
            }
        }
        throw new CronSyntaxException(original, column, "'" + token + "' is not a valid " + label + " value"
                + (names == null ? " (expected a number " + min + "-" + max + ")"
                : " (expected " + min + "-" + max + " or " + names.get(0) + "-" + names.get(names.size() - 1) + ")"));
    }
}
