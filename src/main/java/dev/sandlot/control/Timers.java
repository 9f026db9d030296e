package dev.sandlot.control;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's periodic work on Quartz. A run that is still going when the next is due is
 * skipped, not queued: Quartz's {@code @DisallowConcurrentExecution} would only delay it, and a
 * backlog of resyncs helps nobody.
 */
public final class Timers {
    private static final Logger LOG = LoggerFactory.getLogger(Timers.class);
    private final Scheduler scheduler;

    public Timers() throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "sandlot-" + System.nanoTime());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "3");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        scheduler = new StdSchedulerFactory(p).getScheduler();
    }

    /** Runs {@code task} every {@code interval}, first after one interval. */
    public void every(String name, Duration interval, Runnable task) throws SchedulerException {
        JobDataMap data = new JobDataMap();
        data.put("task", task);
        data.put("running", new AtomicBoolean());
        scheduler.scheduleJob(
                JobBuilder.newJob(TaskJob.class).withIdentity(name).usingJobData(data).build(),
                TriggerBuilder.newTrigger().withIdentity(name)
                        .startAt(new java.util.Date(System.currentTimeMillis() + interval.toMillis()))
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                                .withIntervalInMilliseconds(Math.max(1, interval.toMillis()))
                                .repeatForever()
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
    }

    /**
     * Runs {@code task} at each fire time of a Quartz cron expression (replacing any job of that
     * name). A fire time missed while the daemon was down or busy is dropped, not caught up.
     */
    public void cron(String name, String expression, Runnable task) throws SchedulerException {
        remove(name);
        JobDataMap data = new JobDataMap();
        data.put("task", task);
        data.put("running", new AtomicBoolean());
        scheduler.scheduleJob(
                JobBuilder.newJob(TaskJob.class).withIdentity(name).usingJobData(data).build(),
                TriggerBuilder.newTrigger().withIdentity(name)
                        .withSchedule(org.quartz.CronScheduleBuilder.cronSchedule(expression)
                                .withMisfireHandlingInstructionDoNothing())
                        .build());
    }

    /** Removes the job of that name, if any. */
    public void remove(String name) throws SchedulerException {
        scheduler.deleteJob(org.quartz.JobKey.jobKey(name));
    }

    public void start() throws SchedulerException {
        scheduler.start();
    }

    public void shutdown() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("timers did not stop cleanly: {}", e.getMessage());
        }
    }

    /** Runs the task unless its previous run is still going. */
    public static final class TaskJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            JobDataMap data = context.getMergedJobDataMap();
            AtomicBoolean running = (AtomicBoolean) data.get("running");
            if (!running.compareAndSet(false, true)) {
                return;
            }
            try {
                ((Runnable) data.get("task")).run();
            } catch (RuntimeException e) {
                LOG.error("periodic task {} failed", context.getJobDetail().getKey().getName(), e);
            } finally {
                running.set(false);
            }
        }
    }
}
