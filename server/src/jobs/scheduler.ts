import cron, { type ScheduledTask } from 'node-cron'
import type { Logger } from '../logger'

/** A periodic job. node-cron only ticks; the work itself is data in the database (architecture §5). */
export interface Job {
  name: string
  /** node-cron expression, evaluated in the hospital's zone. */
  schedule: string
  run(): Promise<void>
}

export interface Scheduler {
  stop(): Promise<void>
}

/**
 * Ticks each job on its schedule. A tick never overlaps the previous run of the same job, failures
 * are logged and the next tick tries again; `stop()` waits for runs in progress.
 */
export const startScheduler = (jobs: Job[], o: { timezone: string; logger: Logger }): Scheduler => {
  const running = new Map<string, Promise<void>>()
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      () => {
        if (running.has(job.name)) return
        const started = Date.now()
        const p = job
          .run()
          .then(() => o.logger.debug({ job: job.name, ms: Date.now() - started }, 'job done'))
          .catch((err: unknown) => o.logger.error({ job: job.name, err }, 'job failed'))
          .finally(() => running.delete(job.name))
        running.set(job.name, p)
      },
      { timezone: o.timezone, name: job.name },
    ),
  )
  return {
    async stop() {
      for (const t of tasks) await t.stop()
      await Promise.all(running.values())
    },
  }
}
