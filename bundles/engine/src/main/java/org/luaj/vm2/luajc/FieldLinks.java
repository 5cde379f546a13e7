package org.luaj.vm2.luajc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.bcel.classfile.ClassParser;
import org.apache.bcel.classfile.Field;
import org.apache.bcel.classfile.JavaClass;
import org.apache.bcel.classfile.Method;
import org.apache.bcel.generic.ConstantPoolGen;
import org.apache.bcel.generic.FieldInstruction;
import org.apache.bcel.generic.InstructionHandle;
import org.apache.bcel.generic.InstructionList;

/**
 * scriptbox: checks, before the classes of a chunk are defined, that every field the generated code reads
 * or writes exists with that type. The JVM resolves a field only when the instruction first runs, so a
 * wrong field (Luaj 3.0.1's LuaJC sometimes types a closure's upvalue field differently from the class
 * that declares it; found by differential fuzzing) would otherwise surface as a NoSuchFieldError in the
 * middle of a run, after the script may have acted. Refused here, the script simply stays interpreted.
 */
final class FieldLinks {
    private FieldLinks() {
    }

    /**
     * @param classes the generated classes (binary name → bytes)
     * @param parent  the loader of the classes they extend (Luaj's)
     * @throws IllegalStateException naming the first access to a field that does not exist
     */
    static void check(Map<String, byte[]> classes, ClassLoader parent) throws IOException {
        Map<String, JavaClass> parsed = new HashMap<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            parsed.put(e.getKey(), new ClassParser(new ByteArrayInputStream(e.getValue()), e.getKey() + ".class").parse());
        }
        Map<String, Set<String>> declared = new HashMap<>();
        for (JavaClass c : parsed.values()) {
            Set<String> fields = new HashSet<>();
            for (Field f : c.getFields()) {
                fields.add(f.getName() + ":" + f.getSignature());
            }
            declared.put(c.getClassName(), fields);
        }
        for (JavaClass c : parsed.values()) {
            ConstantPoolGen cp = new ConstantPoolGen(c.getConstantPool());
            for (Method m : c.getMethods()) {
                if (m.getCode() == null) {
                    continue;
                }
                for (InstructionHandle h : new InstructionList(m.getCode().getCode()).getInstructionHandles()) {
                    if (h.getInstruction() instanceof FieldInstruction) {
                        FieldInstruction fi = (FieldInstruction) h.getInstruction();
                        String owner = fi.getClassName(cp);
                        String field = fi.getFieldName(cp) + ":" + fi.getSignature(cp);
                        if (declared.containsKey(owner) && !exists(owner, field, parsed, declared, parent)) {
                            throw new IllegalStateException("LuaJC generated an access to " + owner + "." + field
                                    + ", which does not exist (in " + c.getClassName() + "." + m.getName() + ")");
                        }
                    }
                }
            }
        }
    }

    /** Whether {@code field} is declared by {@code owner} or a class it extends. */
    private static boolean exists(String owner, String field, Map<String, JavaClass> parsed,
            Map<String, Set<String>> declared, ClassLoader parent) {
        String name = owner;
        while (declared.containsKey(name)) {
            if (declared.get(name).contains(field)) {
                return true;
            }
            name = parsed.get(name).getSuperclassName();
        }
        try {
            for (Class<?> c = Class.forName(name, false, parent); c != null; c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (field.equals(f.getName() + ":" + descriptor(f.getType()))) {
                        return true;
                    }
                }
            }
        } catch (ClassNotFoundException e) {
            return false;
        }
        return false;
    }

    private static String descriptor(Class<?> type) {
        if (type.isArray()) {
            return type.getName().replace('.', '/');
        }
        if (type.isPrimitive()) {
            return org.apache.bcel.generic.Type.getType(type).getSignature();
        }
        return "L" + type.getName().replace('.', '/') + ";";
    }
}
