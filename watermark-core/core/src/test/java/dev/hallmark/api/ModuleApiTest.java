package dev.hallmark.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.WatermarkKey;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of hallmark-core is what module-info exports, and nothing public in an exported
 * package leaks a type of the internal interop package.
 */
class ModuleApiTest {

    static final Set<String> DOCUMENTED = Set.of("dev.hallmark.key", "dev.hallmark.prf", "dev.hallmark.scheme",
            "dev.hallmark.embed", "dev.hallmark.detect", "dev.hallmark.stats", "dev.hallmark.attribution",
            "dev.hallmark.interop");
    static final String INTERNAL = "dev.hallmark.interop.internal";

    static Path classesDir() throws URISyntaxException {
        return Path.of(WatermarkKey.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void moduleExportsExactlyTheDocumentedPackages() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classesDir().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("dev.hallmark.core", d.name());
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(DOCUMENTED, exported);
        assertTrue(Files.isDirectory(classesDir().resolve(INTERNAL.replace('.', '/'))) && !exported.contains(INTERNAL),
                "the internal package exists and is not exported");
        Set<String> required = d.requires().stream().map(ModuleDescriptor.Requires::name)
                .filter(n -> !n.startsWith("java.")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("com.fasterxml.jackson.databind", "org.apache.commons.codec",
                "org.apache.commons.numbers.gamma")), required, "hallmark-core depends on no native or DJL module");
    }

    @Test
    void noPublicSignatureInAnExportedPackageMentionsTheInternalPackage() throws Exception {
        List<String> leaks = new ArrayList<>();
        Path root = classesDir();
        List<String> names;
        try (Stream<Path> s = Files.walk(root)) {
            names = s.map(root::relativize).map(Path::toString).filter(n -> n.endsWith(".class"))
                    .filter(n -> !n.equals("module-info.class"))
                    .map(n -> n.substring(0, n.length() - 6).replace('/', '.')).toList();
        }
        int checked = 0;
        for (String n : names) {
            Class<?> c = Class.forName(n, false, getClass().getClassLoader());
            if (!DOCUMENTED.contains(c.getPackageName()) || !isExposed(c)) {
                continue;
            }
            checked++;
            for (Method m : c.getDeclaredMethods()) {
                if (isExposed(m.getModifiers()) && !m.isSynthetic()) {
                    check(leaks, c, m.toGenericString(), m.getGenericReturnType());
                    for (Type t : m.getGenericParameterTypes()) {
                        check(leaks, c, m.toGenericString(), t);
                    }
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (isExposed(k.getModifiers())) {
                    for (Type t : k.getGenericParameterTypes()) {
                        check(leaks, c, k.toGenericString(), t);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (isExposed(f.getModifiers())) {
                    check(leaks, c, f.toGenericString(), f.getGenericType());
                }
            }
            if (c.getGenericSuperclass() != null) {
                check(leaks, c, "extends", c.getGenericSuperclass());
            }
            for (Type t : c.getGenericInterfaces()) {
                check(leaks, c, "implements", t);
            }
        }
        assertTrue(checked > 50, "checked " + checked + " public types");
        assertTrue(leaks.isEmpty(), "public API exposes internal types:\n" + String.join("\n", leaks));
    }

    private static boolean isExposed(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isExposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> leaks, Class<?> owner, String member, Type t) throws IOException {
        if (t.getTypeName().contains(INTERNAL + ".")) {
            leaks.add(owner.getName() + ": " + member);
        }
    }
}
