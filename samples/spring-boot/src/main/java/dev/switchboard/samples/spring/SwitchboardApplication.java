package dev.switchboard.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot sample: the sample gateway as a Spring application. Switchboard comes from {@code
 * SwitchboardAutoConfiguration}; this class only decides that the application has a {@code
 * DataSource} when {@code spring.datasource.url} is set (the store then lives there), and none
 * otherwise, where Boot would refuse to start without an embedded database.
 */
@SpringBootApplication(exclude = DataSourceAutoConfiguration.class)
@Import(SwitchboardApplication.ApplicationDatabase.class)
public class SwitchboardApplication {

    /** Starts the application; a bad setting stops it with a message naming it. */
    public static void main(String[] args) {
        SpringApplication.run(SwitchboardApplication.class, args);
    }

    /** The application's {@code DataSource}, when {@code spring.datasource.url} names a database. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty("spring.datasource.url")
    @ImportAutoConfiguration(DataSourceAutoConfiguration.class)
    static class ApplicationDatabase {}
}
