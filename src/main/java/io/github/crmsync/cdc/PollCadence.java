package io.github.crmsync.cdc;

import io.github.crmsync.mapping.ObjectType;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * How often the Salesforce → Intercom poll of an object runs while change events are on: at the
 * backstop's interval while its channel is subscribed, at the usual one while Salesforce refuses the
 * subscription (the poll is then all there is). Changes the poll's Quartz trigger (clustered: for
 * every replica); a restart sets it to the backstop's again until the refusal is seen anew.
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

    /** The poll's trigger of this object (routes/salesforce-to-intercom.camel.yaml). */
    static TriggerKey trigger(ObjectType type) {
        return TriggerKey.triggerKey("salesforce-" + type.salesforceObject().toLowerCase(Locale.ROOT) + "s", "event-sync");
    }

    /** Polls the object at the usual interval ({@code usual}) or the backstop's. */
    public void set(ObjectType type, boolean atUsual) throws SchedulerException {
        Scheduler scheduler = quartz.get();
        Trigger current = scheduler.getTrigger(trigger(type));
        String cron = atUsual ? usual : backstop;
        if (!(current instanceof CronTrigger cronTrigger) || cronTrigger.getCronExpression().equals(cron)) {
            return;
        }
        scheduler.rescheduleJob(current.getKey(), cronTrigger.getTriggerBuilder()
                .withSchedule(CronScheduleBuilder.cronSchedule(cron)).build());
    }

    /** The object's poll cron now, or null without a trigger. */
    public String cron(ObjectType type) throws SchedulerException {
        return quartz.get().getTrigger(trigger(type)) instanceof CronTrigger c ? c.getCronExpression() : null;
    }
}
