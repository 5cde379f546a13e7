package org.scriptbox.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.text.SafeText;

/** A plain-text table whose columns line up, for the {@code script:*} commands. */
final class ScriptTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    ScriptTable(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    ScriptTable row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            Object c = i < cells.length ? cells[i] : null;
            // one cell, one line: script text can neither break the table nor reach the terminal raw
            r[i] = c == null ? "-" : SafeText.line(c.toString());
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(r[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
