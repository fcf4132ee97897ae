package io.github.crmsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A page test class's browser (Debian's Chromium), logged in to the class's service as the admin
 * when first asked for (after the service's start, whatever order JUnit gives the extensions) and
 * closed after the class's tests.
 */
public final class LoggedInBrowser implements AfterAllCallback {

    private final WholeService whole;
    private Browser browser;

    private LoggedInBrowser(WholeService whole) {
        this.whole = whole;
    }

    public static LoggedInBrowser to(WholeService whole) {
        return new LoggedInBrowser(whole);
    }

    public synchronized Browser browser() {
        if (browser == null) {
            try {
                browser = new Browser();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            browser.logIn(whole.service().serviceUrl(), RunningService.ADMIN_USER, RunningService.ADMIN_PASSWORD);
        }
        return browser;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
