package org.scriptbox.engine.compiler;

import org.objectweb.asm.ClassReader;

/** Reads the bytecode length of a generated class's {@code body} method from its class file. */
final class CodeSizes {
    private CodeSizes() {
    }

    static int bodySize(byte[] bytes) {
        ClassReader r = new ClassReader(bytes);
        char[] buf = new char[r.getMaxStringLength()];
        int o = r.header + 6;
        o += 2 + 2 * r.readUnsignedShort(o); // interfaces
        int fields = r.readUnsignedShort(o);
        o += 2;
        for (int i = 0; i < fields; i++) {
            o = skipMember(r, o);
        }
        int methods = r.readUnsignedShort(o);
        o += 2;
        for (int i = 0; i < methods; i++) {
            String name = r.readUTF8(o + 2, buf);
            int attrs = r.readUnsignedShort(o + 6);
            int a = o + 8;
            for (int j = 0; j < attrs; j++) {
                String an = r.readUTF8(a, buf);
                int len = r.readInt(a + 2);
                if (name.equals("body") && an.equals("Code")) {
                    return r.readInt(a + 10);
                }
                a += 6 + len;
            }
            o = a;
        }
        throw new IllegalArgumentException("no body method");
    }

    private static int skipMember(ClassReader r, int o) {
        int attrs = r.readUnsignedShort(o + 6);
        o += 8;
        for (int j = 0; j < attrs; j++) {
            o += 6 + r.readInt(o + 2);
        }
        return o;
    }
}
