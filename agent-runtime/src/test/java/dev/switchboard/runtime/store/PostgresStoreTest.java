package dev.switchboard.runtime.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on PostgreSQL: one server for the class, a new database for each store. */
class PostgresStoreTest extends StoreContractTest {

    private static PostgresFixture postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresFixture.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected Store create(StoreSettings settings) {
        return JdbcStores.open(postgres.newDatabase(), PostgresFixture.USER, "unused", settings);
    }

    @Override
    protected boolean expectDurable() {
        return true;
    }
}
