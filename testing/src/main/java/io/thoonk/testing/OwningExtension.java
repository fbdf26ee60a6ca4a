package io.thoonk.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that owns one fixture: registered on a static field it starts the fixture
 * before all tests of the class and closes it after them; on an instance field, around each test.
 * The fixture is closed even when a test fails.
 */
abstract class OwningExtension<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {

    private T fixture;
    private boolean perClass;

    /** Starts the fixture. */
    abstract T start();

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        fixture = start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            fixture = start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }

    private void stop() throws Exception {
        if (fixture != null) {
            T running = fixture;
            fixture = null;
            running.close();
        }
    }

    /** The running fixture. */
    final T fixture() {
        if (fixture == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not running: register it with "
                    + "@RegisterExtension (a static field for one per class, an instance field for one per test)");
        }
        return fixture;
    }
}
