/**
 * The shell's command mechanism, for every bundle that adds scriptbox commands to the Gogo console: a
 * {@link org.scriptbox.shell.command.ShellCommand} takes the words as typed (no Gogo coercion), parses them against
 * its {@link org.scriptbox.shell.command.Usage} ({@code --help}, one-line mistakes, Lua-literal arguments, quoted
 * words kept as strings), cancels on Ctrl-C and never shows Java exception text;
 * {@link org.scriptbox.shell.command.ShellCommands#register} registers a component's commands.
 */
@Export
@Version("1.1.0")
package org.scriptbox.shell.command;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
