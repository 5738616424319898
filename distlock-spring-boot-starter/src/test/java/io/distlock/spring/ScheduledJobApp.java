package io.distlock.spring;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One application instance for {@link ScheduledAcrossJvmsTest}: a job every 500 ms under
 * {@code @DistributedLock} with a minimum hold longer than the job, which appends
 * {@code pid startMillis endMillis} to a shared file each time it runs.
 * Arguments: the lock directory, the runs file. Prints {@code ready} once started; ends when stdin closes.
 */
public final class ScheduledJobApp {
    private ScheduledJobApp() {
    }

    public static void main(String[] args) throws IOException {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(JobConfiguration.class)
                .web(WebApplicationType.NONE).logStartupInfo(false)
                .properties("distlock.uri=file:" + args[0], "runs.file=" + args[1], "spring.main.banner-mode=off")
                .run();
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the test closes stdin or destroys the process
        }
        context.close();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @ImportAutoConfiguration(DistlockAutoConfiguration.class)
    public static class JobConfiguration {
        @Bean
        Job job(org.springframework.core.env.Environment environment) {
            return new Job(Path.of(environment.getRequiredProperty("runs.file")));
        }

        /**
         * Records each acquisition's token. The file backend's token is the backend's wall clock in
         * microseconds at the grant (when no earlier token of the name is larger), so it tells when
         * the lock was taken, whatever the scheduler does to this thread afterwards.
         */
        @Bean
        io.distlock.LockListener grants(org.springframework.core.env.Environment environment) {
            Path grants = Path.of(environment.getRequiredProperty("runs.file") + ".grants");
            return new io.distlock.LockListener() {
                @Override
                public void acquired(io.distlock.Lock lock, java.time.Duration waited) {
                    try {
                        Files.writeString(grants, ProcessHandle.current().pid() + " " + lock.token() + "\n",
                                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
        }
    }

    public static class Job {
        private final Path runs;

        public Job(Path runs) {
            this.runs = runs;
        }

        @Scheduled(fixedRate = 500)
        @DistributedLock(key = "'tick-job'", minHold = "400ms")
        public void tick() throws IOException {
            long start = System.currentTimeMillis();
            String line = ProcessHandle.current().pid() + " " + start + " " + System.currentTimeMillis() + "\n";
            // One short append per run: O_APPEND keeps the two processes' lines whole.
            Files.writeString(runs, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
