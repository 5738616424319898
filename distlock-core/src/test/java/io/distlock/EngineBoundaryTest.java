package io.distlock;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 6 of docs/architecture.md, read from core's compiled classes: the API ({@code io.distlock})
 * and the engine ({@code io.distlock.internal} and its subpackages) share no class cycle, the API
 * enters the engine at one place, and the engine keeps its classes to itself.
 *
 * <p>A class's dependencies are every distlock class its constant pool names, in descriptors and
 * generic signatures too, so a type used only as a parameter counts.
 */
class EngineBoundaryTest {
    private static final String API = "io.distlock.";
    private static final String ENGINE = "io.distlock.internal.";
    /**
     * What the API may name of the engine, and from where. The two rule classes are leaves: they name
     * no API type, so using them cannot close a cycle.
     */
    private static final Map<String, Set<String>> ENGINE_TYPES_THE_API_MAY_USE = Map.of(
            "io.distlock.internal.LockEngine", Set.of("io.distlock.EngineLockManager"),
            "io.distlock.internal.locked.LockedPlan", Set.of("io.distlock.LockedProxy"),
            "io.distlock.internal.Validation", Set.of("*"),
            "io.distlock.internal.CallerNames", Set.of("*"));
    /** The engine's classes other packages may see: the entry point and the two rule classes. */
    private static final Set<String> PUBLIC_ENGINE_CLASSES = Set.of(
            "io.distlock.internal.LockEngine", "io.distlock.internal.Validation", "io.distlock.internal.CallerNames");

    private static final Pattern CLASS_NAME = Pattern.compile("io/distlock/[A-Za-z0-9_/$]+");

    /** Every main class of core, by binary name, to the distlock classes it names. */
    private static final Map<String, Set<String>> dependencies = new TreeMap<>();
    private static final Set<String> publicClasses = new TreeSet<>();

    @BeforeAll
    static void readClasses() throws Exception {
        Path classes = Path.of(LockManager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(file -> file.toString().endsWith(".class"))
                    .filter(file -> !file.getFileName().toString().equals("module-info.class"))
                    .toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                read(new DataInputStream(in));
            }
        }
        for (Set<String> named : dependencies.values()) {
            named.retainAll(dependencies.keySet());
        }
        assertThat(dependencies).containsKeys("io.distlock.LockManager", "io.distlock.internal.LockEngine");
    }

    @Test
    void noClassCycleRunsThroughTheApiAndTheEngine() {
        List<String> cycles = new ArrayList<>();
        for (String api : apiClasses()) {
            Set<String> reached = reachableFrom(api);
            for (String engine : reached) {
                if (isEngine(engine) && reachableFrom(engine).contains(api)) {
                    cycles.add(api + " <-> " + engine);
                }
            }
        }
        assertThat(cycles).as("API classes and engine classes that reach each other").isEmpty();
    }

    @Test
    void theApiUsesOfTheEngineOnlyItsEntryPointAndItsTwoRuleClasses() {
        List<String> refused = new ArrayList<>();
        for (String api : apiClasses()) {
            for (String named : dependencies.get(api)) {
                if (!isEngine(named)) {
                    continue;
                }
                Set<String> allowedFrom = ENGINE_TYPES_THE_API_MAY_USE.getOrDefault(named, Set.of());
                if (!allowedFrom.contains("*") && !allowedFrom.contains(topLevel(api))) {
                    refused.add(api + " -> " + named);
                }
            }
        }
        assertThat(refused).isEmpty();
    }

    @Test
    void theEnginesRuleClassesNameNoApiType() {
        for (String rules : List.of("io.distlock.internal.Validation", "io.distlock.internal.CallerNames")) {
            assertThat(dependencies.get(rules)).as(rules).noneMatch(EngineBoundaryTest::isApi);
        }
    }

    @Test
    void theEngineShowsOtherPackagesOnlyItsEntryPointAndRuleClasses() {
        Set<String> visible = new TreeSet<>();
        for (String name : publicClasses) {
            if (name.startsWith(ENGINE) && name.indexOf('.', ENGINE.length()) < 0 && name.indexOf('$') < 0) {
                visible.add(name);
            }
        }
        assertThat(visible).isEqualTo(new TreeSet<>(PUBLIC_ENGINE_CLASSES));
    }

    private static List<String> apiClasses() {
        return dependencies.keySet().stream().filter(EngineBoundaryTest::isApi).toList();
    }

    /** A class of the API package itself, not of a subpackage (the SPI and the in-memory backend are neither side). */
    private static boolean isApi(String name) {
        return name.startsWith(API) && name.indexOf('.', API.length()) < 0;
    }

    private static boolean isEngine(String name) {
        return name.startsWith(ENGINE);
    }

    private static String topLevel(String name) {
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    private static Set<String> reachableFrom(String start) {
        Set<String> seen = new HashSet<>();
        Deque<String> next = new ArrayDeque<>(dependencies.get(start));
        while (!next.isEmpty()) {
            String name = next.pop();
            if (seen.add(name)) {
                next.addAll(dependencies.getOrDefault(name, Set.of()));
            }
        }
        return seen;
    }

    /** The constant pool (JVMS 4.4) and the access flags after it; every other part is skipped. */
    private static void read(DataInputStream in) throws IOException {
        in.skipNBytes(8); // magic, minor and major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // a long or double takes two entries
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        int access = in.readUnsignedShort();
        String self = utf8[classIndex[in.readUnsignedShort()]].replace('/', '.');
        Set<String> named = new TreeSet<>();
        for (String text : utf8) {
            if (text == null) {
                continue;
            }
            Matcher matcher = CLASS_NAME.matcher(text);
            while (matcher.find()) {
                named.add(matcher.group().replace('/', '.'));
            }
        }
        named.remove(self);
        dependencies.put(self, named);
        if ((access & 0x0001) != 0) {
            publicClasses.add(self);
        }
    }
}
