package io.distlock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.distlock.LockManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every {@code properties} block of the starter's README, pasted into an application as it stands:
 * each key is a property the starter declares (its generated metadata), and the context starts with
 * the block's values (a server URI replaced by a private directory, {@code jdbc:} given an H2
 * DataSource). Before, inline comments stayed in the values and broke the context.
 */
class ReadmePropertiesTest {
    /** From either module's directory: this one's and distlock-spring-boot4-test's. */
    private static final Path README = Path.of("..", "distlock-spring-boot-starter", "README.md");
    private static final Pattern BLOCK = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern DECLARED = Pattern.compile("\"name\"\\s*:\\s*\"(distlock\\.[^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void everyPropertiesBlockStartsAnApplicationAsPasted() throws IOException {
        List<Properties> blocks = blocks();
        assertThat(blocks).as("properties blocks in %s", README).hasSizeGreaterThanOrEqualTo(2);
        Set<String> declared = declaredProperties();
        for (Properties block : blocks) {
            assertThat(declared).as("declared properties, for the README's block %s", block)
                    .containsAll(block.stringPropertyNames());
            List<String> values = new ArrayList<>();
            block.forEach((key, value) -> values.add(key + "=" + value));
            String uri = block.getProperty("distlock.uri", "file:");
            ApplicationContextRunner application = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                    .withPropertyValues(values.toArray(String[]::new));
            if (uri.equals("jdbc:")) {
                application = application.withConfiguration(AutoConfigurations.of(DataSources.AUTO_CONFIGURATIONS))
                        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:readme-" + UUID.randomUUID()
                                + ";DB_CLOSE_DELAY=-1");
            } else {
                application = application.withPropertyValues("distlock.uri=file:" + dir);
            }
            application.run(context -> {
                assertThat(context).as("the README's block %s", block).hasNotFailed();
                assertThat(context).hasSingleBean(LockManager.class);
            });
        }
    }

    private static List<Properties> blocks() throws IOException {
        List<Properties> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(Files.readString(README, StandardCharsets.UTF_8));
        while (block.find()) {
            Properties properties = new Properties();
            properties.load(new StringReader(block.group(1)));
            blocks.add(properties);
        }
        return blocks;
    }

    private static Set<String> declaredProperties() throws IOException {
        Set<String> names = new TreeSet<>();
        Enumeration<URL> files = ReadmePropertiesTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
        while (files.hasMoreElements()) {
            try (InputStream in = files.nextElement().openStream()) {
                Matcher name = DECLARED.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (name.find()) {
                    names.add(name.group(1));
                }
            }
        }
        assertThat(names).as("distlock.* in the generated metadata").contains("distlock.uri", "distlock.aop.order");
        return names;
    }
}
