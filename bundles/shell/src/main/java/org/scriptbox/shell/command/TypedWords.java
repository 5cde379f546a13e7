package org.scriptbox.shell.command;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Job;

/**
 * Which of a command's arguments were quoted. Gogo strips the quotes before a command sees its arguments, so
 * {@code "007"} and {@code 007} arrive as the same text; the running job still holds the line as typed. When
 * that line is a plain command (no pipe, variable, closure or several statements) whose words are the
 * arguments Gogo passed, the quotes of those words are taken from it; otherwise every word counts as bare.
 */
final class TypedWords {
    private TypedWords() {
    }

    static List<Word> of(List<Object> arguments) {
        List<Word> words = new ArrayList<>(arguments.size());
        arguments.forEach(a -> words.add(Word.of(a)));
        Job job = currentJob();
        return job == null || job.command() == null ? words : withQuotes(job.command().toString(), words);
    }

    /** This command's own job (not Job.Utils.current(): that is the root job, in the console "gosh --login"). */
    private static Job currentJob() {
        try {
            org.apache.felix.service.command.Process p = org.apache.felix.service.command.Process.Utils.current();
            return p == null ? null : p.job();
        } catch (RuntimeException | LinkageError e) {
            return null;   // no job (a command called outside a Gogo session): the words stay bare
        }
    }

    /** The words with their quotes from {@code line}, if the line is exactly the command and these words. */
    static List<Word> withQuotes(String line, List<Word> words) {
        List<Word> typed = split(line);
        if (typed == null || typed.size() != words.size() + 1) {
            return words;
        }
        List<Word> out = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            Word t = typed.get(i + 1);
            if (!t.text().equals(words.get(i).text())) {
                return words;
            }
            out.add(t.quoted() ? words.get(i).asQuoted() : words.get(i));
        }
        return out;
    }

    /** The line's words, or null if it is more than one plain command (then nothing is guessed). */
    static List<Word> split(String line) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            StringBuilder text = new StringBuilder();
            char quote = c == '"' || c == '\'' ? c : 0;
            if (quote != 0) {
                int end = line.indexOf(quote, i + 1);
                if (end < 0 || (quote == '"' && line.substring(i + 1, end).indexOf('\\') >= 0)) {
                    return null;
                }
                text.append(line, i + 1, end);
                i = end + 1;
                if (i < n && !Character.isWhitespace(line.charAt(i))) {
                    return null;   // "a"b: a word only partly quoted
                }
                if (quote == '"' && text.indexOf("$") >= 0) {
                    return null;   // expanded inside double quotes
                }
                out.add(new Word(text.toString(), true));
                continue;
            }
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                char d = line.charAt(i);
                if ("\"'\\$|;&(){}[]<>`#=".indexOf(d) >= 0 && !(d == '=' && text.length() > 0)) {
                    return null;   // anything but a plain word: leave the guessing to nobody
                }
                text.append(d);
                i++;
            }
            out.add(new Word(text.toString(), false));
        }
        return out.isEmpty() ? null : out;
    }
}
