package dev.switchboard.samples.spring.app;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring Boot sample: the sample gateway as a Spring application. Switchboard comes from {@code
 * SwitchboardAutoConfiguration}; this class only decides that the application has a {@code
 * DataSource} when {@code spring.datasource.url} is set (the store then lives there), and none
 * otherwise, where Boot's own would refuse to start without an embedded database.
 */
@SpringBootApplication(exclude = DataSourceAutoConfiguration.class)
public class SwitchboardApplication {

    /** Starts the application; a bad setting stops it with a message naming it. */
    public static void main(String[] args) {
        SpringApplication.run(SwitchboardApplication.class, args);
    }

    /**
     * The application's pool, when {@code spring.datasource.url} names a database: {@code
     * spring.datasource.*} as Boot binds them, and {@code spring.datasource.hikari.*} for the pool.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty("spring.datasource.url")
    @EnableConfigurationProperties(DataSourceProperties.class)
    static class ApplicationDatabase {

        @Bean
        @ConfigurationProperties("spring.datasource.hikari")
        HikariDataSource dataSource(DataSourceProperties properties) {
            return properties
                    .initializeDataSourceBuilder()
                    .type(HikariDataSource.class)
                    .build();
        }
    }
}
