package io.distlock.testkit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/architecture.md names what exists: every module, package and type it marks in backticks in
 * its two tables (and every module in its diagram) is in the source tree, every module and package
 * of main sources has its row, and the layering rules it says are checked hold. The sources are
 * read as files, so the test needs no module built but this one, and no server.
 */
class ArchitectureDocumentTest {
    /** Surefire runs in the module's directory; the document and the other modules are beside it. */
    private static final Path ROOT = Path.of("..");
    private static final Path DOCUMENT = ROOT.resolve("docs").resolve("architecture.md");
    private static final Pattern MODULE = Pattern.compile("distlock-[a-z0-9]+(?:-[a-z0-9]+)*");
    private static final Pattern PACKAGE = Pattern.compile("io\\.distlock(?:\\.[a-z][a-z0-9]*)*");
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z0-9]*");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern PACKAGE_LINE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(io\\.distlock[\\w.]*)\\s*;",
            Pattern.MULTILINE);

    private static List<String> modules;
    /** Per module: the packages of its main sources, and of all its sources (main and tests). */
    private static Map<String, Set<String>> mainPackages;
    private static Map<String, Set<String>> allPackages;
    /** Per package, in any module and either source set: the types (file names) it has. */
    private static Map<String, Set<String>> types;
    private static Map<String, Map<Path, String>> mainSources;

    @BeforeAll
    static void readTheTree() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        modules = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        while (module.find()) {
            modules.add(module.group(1).trim());
        }
        assertThat(modules).as("modules of the root pom.xml").contains("distlock-core", "distlock-testkit");
        mainPackages = new TreeMap<>();
        allPackages = new TreeMap<>();
        types = new TreeMap<>();
        mainSources = new TreeMap<>();
        for (String name : modules) {
            mainPackages.put(name, new TreeSet<>());
            allPackages.put(name, new TreeSet<>());
            mainSources.put(name, new LinkedHashMap<>());
            Path src = ROOT.resolve(name).resolve("src");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java")
                        && !f.getFileName().toString().equals("module-info.java"))::iterator) {
                    String text = Files.readString(file);
                    Matcher declared = PACKAGE_LINE.matcher(text);
                    if (!declared.find()) {
                        continue;
                    }
                    String pkg = declared.group(1);
                    boolean main = src.relativize(file).startsWith("main");
                    allPackages.get(name).add(pkg);
                    if (main) {
                        mainPackages.get(name).add(pkg);
                        mainSources.get(name).put(file, text);
                    }
                    String fileName = file.getFileName().toString();
                    types.computeIfAbsent(pkg, p -> new TreeSet<>()).add(fileName.substring(0, fileName.length() - 5));
                }
            }
        }
    }

    @Test
    void everyModuleOfTheDiagramExists() throws IOException {
        Set<String> named = new TreeSet<>();
        Matcher module = MODULE.matcher(section("## Modules\n", "```", "```"));
        while (module.find()) {
            named.add(module.group());
        }
        assertThat(named).as("modules in the diagram of %s", DOCUMENT).isNotEmpty();
        assertThat(missing(named, modules)).as("modules the diagram of %s names that the root pom.xml does not have",
                DOCUMENT).isEmpty();
        assertThat(missing(modules, named)).as("modules of the root pom.xml missing from the diagram of %s", DOCUMENT)
                .isEmpty();
    }

    @Test
    void theModulesTableNamesWhatExistsAndEverythingThatDoes() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> rowsFor = new TreeSet<>();
        for (List<String> row : rows("## Modules and packages")) {
            String module = row.get(0);
            if (!MODULE.matcher(module).matches() || !modules.contains(module)) {
                problems.add("module " + module + " (row " + row + ") is not a module of the root pom.xml");
                continue;
            }
            rowsFor.add(module);
            Set<String> listed = new TreeSet<>();
            for (String token : row.subList(1, row.size())) {
                if (PACKAGE.matcher(token).matches()) {
                    listed.add(token);
                    if (!allPackages.get(module).contains(token)) {
                        problems.add("package " + token + " has no sources in " + module);
                    }
                } else if (MODULE.matcher(token).matches() && !modules.contains(token)) {
                    problems.add("module " + token + " (row of " + module + ") is not a module of the root pom.xml");
                } else if (TYPE.matcher(token).matches() && !typeIn(token, packagesOf(row))) {
                    problems.add("type " + token + " is in none of " + packagesOf(row) + " (row of " + module + ")");
                }
            }
            for (String pkg : mainPackages.get(module)) {
                if (!listed.contains(pkg)) {
                    problems.add("package " + pkg + " of " + module + "'s main sources is not in its row");
                }
            }
        }
        for (String module : modules) {
            if (!rowsFor.contains(module)) {
                problems.add("module " + module + " has no row");
            }
        }
        assertThat(problems).as("the table 'Modules and packages' of %s against the source tree", DOCUMENT).isEmpty();
    }

    @Test
    void everyConceptLivesWhereTheTableSays() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> anyPackage = allPackages.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        List<List<String>> rows = rows("## Where each concept lives");
        assertThat(rows).as("rows of 'Where each concept lives' in %s", DOCUMENT).hasSizeGreaterThan(10);
        for (List<String> row : rows) {
            Set<String> packages = packagesOf(row);
            for (String token : row) {
                if (MODULE.matcher(token).matches()) {
                    if (!modules.contains(token)) {
                        problems.add("module " + token + " is not a module of the root pom.xml");
                    }
                } else if (PACKAGE.matcher(token).matches()) {
                    if (!anyPackage.contains(token)) {
                        problems.add("package " + token + " has no sources in any module");
                    }
                } else if (TYPE.matcher(token).matches() && !typeIn(token, packages)) {
                    problems.add("type " + token + " is in none of " + packages);
                }
            }
        }
        assertThat(problems).as("the table 'Where each concept lives' of %s against the source tree", DOCUMENT)
                .isEmpty();
    }

    /** Rules 2 and 3: backends use only what core exports, and the engine is core's alone. */
    @Test
    void theLayeringRulesHold() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String module : modules) {
            // A backend is a module that provides one; core's in-memory backend is core itself.
            boolean backend = !module.equals("distlock-core") && Files.exists(ROOT.resolve(module)
                    .resolve("src/main/resources/META-INF/services/io.distlock.spi.LockBackendProvider"));
            for (Map.Entry<Path, String> source : mainSources.get(module).entrySet()) {
                Matcher declared = PACKAGE_LINE.matcher(source.getValue());
                String own = declared.find() ? declared.group(1) : "";
                Matcher imported = IMPORT.matcher(source.getValue());
                while (imported.find()) {
                    String pkg = packageOf(imported.group(1));
                    String where = ROOT.relativize(source.getKey()) + " imports " + imported.group(1);
                    if (!module.equals("distlock-core") && pkg.startsWith("io.distlock.internal")
                            && !(module.equals("distlock-spring-boot-starter") && pkg.equals("io.distlock.internal.locked"))) {
                        problems.add(where + ": the engine is distlock-core's alone (rule 3)");
                    }
                    if (backend && !pkg.equals(own) && !pkg.equals("io.distlock") && !pkg.equals("io.distlock.spi")) {
                        problems.add(where + ": a backend uses only io.distlock and io.distlock.spi (rule 2)");
                    }
                }
            }
        }
        assertThat(problems).as("layering rules of %s", DOCUMENT).isEmpty();
    }

    private static boolean typeIn(String type, Set<String> packages) {
        return packages.stream().anyMatch(pkg -> types.getOrDefault(pkg, Set.of()).contains(type));
    }

    private static Set<String> packagesOf(List<String> row) {
        return row.stream().filter(token -> PACKAGE.matcher(token).matches())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** {@code io.distlock.spi} of {@code io.distlock.spi.Durations} or of {@code io.distlock.spi.Durations.MAX}. */
    private static String packageOf(String imported) {
        String[] parts = imported.split("\\.");
        StringBuilder pkg = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length && !Character.isUpperCase(parts[i].charAt(0)); i++) {
            pkg.append('.').append(parts[i]);
        }
        return pkg.toString();
    }

    /**
     * The backticked names of each row of the table under {@code heading}, the first cell's first:
     * {@code | `distlock-core` | `io.distlock`, ... | ... |} gives [distlock-core, io.distlock, ...].
     */
    private static List<List<String>> rows(String heading) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (String line : section(heading + "\n", "\n|", "\n\n").split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| module |")
                    || line.startsWith("| concept |")) {
                continue;
            }
            List<String> names = new ArrayList<>();
            Matcher name = BACKTICKED.matcher(line);
            while (name.find()) {
                names.add(name.group(1).trim());
            }
            if (!names.isEmpty()) {
                rows.add(names);
            }
        }
        assertThat(rows).as("rows of the table under '%s' in %s", heading, DOCUMENT).isNotEmpty();
        return rows;
    }

    /** The text of the document after {@code heading}, from {@code start} to the next {@code end}. */
    private static String section(String heading, String start, String end) throws IOException {
        assertThat(DOCUMENT).as("the architecture page in the repository").exists();
        String document = Files.readString(DOCUMENT);
        int at = document.indexOf("\n" + heading);
        assertThat(at).as("the heading '%s' in %s", heading.strip(), DOCUMENT).isNotNegative();
        int from = document.indexOf(start, at + heading.length());
        assertThat(from).as("'%s' after '%s' in %s", start, heading.strip(), DOCUMENT).isNotNegative();
        int to = document.indexOf(end, from + start.length());
        return document.substring(from + start.length(), to < 0 ? document.length() : to);
    }

    private static List<String> missing(Collection<String> names, Collection<String> in) {
        return names.stream().filter(name -> !in.contains(name)).collect(Collectors.toList());
    }
}
