package org.scriptbox.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.text.SafeText;

/**
 * A line diff in the unified style ({@code -} removed, {@code +} added, two lines of context, an
 * {@code @@ -line +line @@} header per hunk) for script:diff. The common start and end are skipped first;
 * the rest is a longest-common-subsequence diff, or shown as replaced whole when it is too large to
 * compare line by line within a bounded table.
 */
final class LineDiff {
    private static final int CONTEXT = 2;
    /** Cells of the comparison table: bounds memory and time whatever two files are compared. */
    private static final long MAX_CELLS = 4_000_000;
    /**
     * Characters a diff prints at most (FINDINGS L12: two 4 MB versions printed 7 MB into the console); the rest is
     * counted, not shown.
     */
    static final int MAX_CHARS = 256 * 1024;

    private record Op(char kind, String line, int oldLine, int newLine) {
    }

    private LineDiff() {
    }

    /** The hunks, or an empty string when both texts are the same. */
    static String diff(String before, String after) {
        List<String> a = List.of(before.split("\n", -1));
        List<String> b = List.of(after.split("\n", -1));
        int start = 0;
        while (start < a.size() && start < b.size() && a.get(start).equals(b.get(start))) {
            start++;
        }
        int endA = a.size();
        int endB = b.size();
        while (endA > start && endB > start && a.get(endA - 1).equals(b.get(endB - 1))) {
            endA--;
            endB--;
        }
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < start; i++) {
            ops.add(new Op(' ', a.get(i), i + 1, i + 1));
        }
        middle(a, b, start, endA, endB, ops);
        for (int i = endA, j = endB; i < a.size(); i++, j++) {
            ops.add(new Op(' ', a.get(i), i + 1, j + 1));
        }
        return render(ops);
    }

    private static void middle(List<String> a, List<String> b, int start, int endA, int endB, List<Op> ops) {
        int n = endA - start;
        int m = endB - start;
        if ((long) (n + 1) * (m + 1) > MAX_CELLS) {
            for (int i = 0; i < n; i++) {
                ops.add(new Op('-', a.get(start + i), start + i + 1, start + 1));
            }
            for (int j = 0; j < m; j++) {
                ops.add(new Op('+', b.get(start + j), start + n + 1, start + j + 1));
            }
            return;
        }
        // hashes first: 2,000 x 2,000 lines sharing a 2 KB prefix compared 8 GB of text (0.5-2.3 s); an int each now
        int[] ha = new int[n];
        int[] hb = new int[m];
        for (int i = 0; i < n; i++) {
            ha[i] = a.get(start + i).hashCode();
        }
        for (int j = 0; j < m; j++) {
            hb[j] = b.get(start + j).hashCode();
        }
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = ha[i] == hb[j] && a.get(start + i).equals(b.get(start + j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(start + i).equals(b.get(start + j))) {
                ops.add(new Op(' ', a.get(start + i), start + i + 1, start + j + 1));
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) { // on a tie, removals first
                ops.add(new Op('+', b.get(start + j), start + i + 1, start + j + 1));
                j++;
            } else {
                ops.add(new Op('-', a.get(start + i), start + i + 1, start + j + 1));
                i++;
            }
        }
    }

    private static String render(List<Op> ops) {
        boolean[] shown = new boolean[ops.size()];
        boolean changed = false;
        for (int k = 0; k < ops.size(); k++) {
            if (ops.get(k).kind() != ' ') {
                changed = true;
                for (int c = Math.max(0, k - CONTEXT); c <= Math.min(ops.size() - 1, k + CONTEXT); c++) {
                    shown[c] = true;
                }
            }
        }
        if (!changed) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < ops.size(); k++) {
            if (!shown[k]) {
                continue;
            }
            if (sb.length() >= MAX_CHARS) {
                int left = 0;
                for (int r = k; r < ops.size(); r++) {
                    left += shown[r] ? 1 : 0;
                }
                sb.append("... ").append(left).append(" more lines of this diff not shown (it is longer than ")
                        .append(MAX_CHARS / 1024).append(" KB; GET /api/v1/scripts/NAME/history/N gives each version whole)\n");
                break;
            }
            if (k == 0 || !shown[k - 1]) {
                sb.append("@@ -").append(ops.get(k).oldLine()).append(" +").append(ops.get(k).newLine()).append(" @@\n");
            }
            sb.append(ops.get(k).kind()).append(SafeText.line(ops.get(k).line())).append('\n');
        }
        return sb.toString();
    }
}
