package io.github.crmsync.testing;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.StringWriter;

/** Every log event of this JVM (with its stack trace) written to a writer, for tests of what the service logs. */
public final class LogCapture {

    private LogCapture() {
    }

    /** Adds an appender to the root logger and every configured logger; returns its name for {@link #stop}. */
    public static String start(StringWriter into) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        String name = "capture-" + System.nanoTime();
        WriterAppender appender = WriterAppender.newBuilder().setName(name).setTarget(into)
                .setLayout(PatternLayout.newBuilder().withPattern("%-5level %c{1.} - %msg%n%throwable").build()).build();
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.addAppender(appender, null, null);
        }
        context.updateLoggers();
        return name;
    }

    public static void stop(String name) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(name);
        }
        config.getRootLogger().removeAppender(name);
        context.updateLoggers();
    }
}
