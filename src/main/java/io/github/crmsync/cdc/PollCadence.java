package io.github.crmsync.cdc;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

import java.util.function.Supplier;

/**
 * How often the Salesforce → Intercom poll (Contacts and Leads in the same calls) runs while change
 * events are on: at the backstop's interval while every object's channel is subscribed, at the usual
 * one while Salesforce refuses one of them (the poll is then all that object has). Changes the poll's
 * Quartz trigger (clustered: for every replica); a restart sets it to the backstop's again until the
 * refusal is seen anew.
 */
public final class PollCadence {

    private final Supplier<Scheduler> quartz;
    private final String usual;
    private final String backstop;

    public PollCadence(Supplier<Scheduler> quartz, String usual, String backstop) {
        this.quartz = quartz;
        this.usual = usual;
        this.backstop = backstop;
    }

    /** The poll's trigger (routes/salesforce-to-intercom.camel.yaml). */
    static final TriggerKey TRIGGER = TriggerKey.triggerKey("salesforce-changes", "event-sync");

    /** Polls at the usual interval ({@code usual}) or the backstop's. */
    public void set(boolean atUsual) throws SchedulerException {
        Scheduler scheduler = quartz.get();
        Trigger current = scheduler.getTrigger(TRIGGER);
        String cron = atUsual ? usual : backstop;
        if (!(current instanceof CronTrigger cronTrigger) || cronTrigger.getCronExpression().equals(cron)) {
            return;
        }
        scheduler.rescheduleJob(current.getKey(), cronTrigger.getTriggerBuilder()
                .withSchedule(CronScheduleBuilder.cronSchedule(cron)).build());
    }
}
