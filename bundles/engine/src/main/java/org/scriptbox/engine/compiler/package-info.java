/**
 * The engine's own Lua-to-JVM compiler (compile mode {@code asm}): each Luaj {@link org.luaj.vm2.Prototype}
 * becomes one JVM class, written with ASM, that does exactly what the metered interpreter loop does for
 * that function — the same Luaj value operations in the same order, the same budget charges (instruction
 * counts equal to the interpreter's), call depth, string checks and error positions. A function whose
 * shape the compiler does not handle stays interpreted; its siblings and its parent are still compiled.
 */
package org.scriptbox.engine.compiler;
