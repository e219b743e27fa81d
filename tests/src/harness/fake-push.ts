import type { PushMessage, PushPort } from '../../../server/src/modules/push/push.port'

export type FakePushStatus = 'pending' | 'cancelled'

export interface FakePushRow {
  message: PushMessage
  status: FakePushStatus
}

/**
 * A recording PushPort for tests of modules that enqueue messages (follow-up, alerts, questionnaires).
 * It keeps the real port's contract where tests rely on it: enqueue is idempotent by dedupeKey (a
 * repeated key is neither added nor revived), cancelBySource cancels the pending rows of a source group,
 * reviveBySource makes them pending again. Every call is recorded in order.
 */
export class FakePush implements PushPort {
  readonly rows = new Map<string, FakePushRow>()
  readonly calls: { op: 'enqueue' | 'cancelBySource' | 'reviveBySource' | 'kick'; arg?: unknown }[] = []

  enqueue(messages: PushMessage[]): Promise<{ created: number }> {
    this.calls.push({ op: 'enqueue', arg: messages.map((m) => m.dedupeKey) })
    let created = 0
    for (const m of messages) {
      if (this.rows.has(m.dedupeKey)) continue
      this.rows.set(m.dedupeKey, { message: structuredClone(m), status: 'pending' })
      created++
    }
    return Promise.resolve({ created })
  }

  cancelBySource(source: { kind: string; groupId: string }): Promise<number> {
    this.calls.push({ op: 'cancelBySource', arg: source })
    return Promise.resolve(this.flip(source, 'pending', 'cancelled'))
  }

  reviveBySource(source: { kind: string; groupId: string }): Promise<number> {
    this.calls.push({ op: 'reviveBySource', arg: source })
    return Promise.resolve(this.flip(source, 'cancelled', 'pending'))
  }

  kick(): void {
    this.calls.push({ op: 'kick' })
  }

  /** Messages (optionally of one status) whose dedupeKey starts with `prefix`. */
  messages(prefix = '', status?: FakePushStatus): PushMessage[] {
    return [...this.rows.entries()]
      .filter(([k, r]) => k.startsWith(prefix) && (!status || r.status === status))
      .map(([, r]) => r.message)
  }

  statusOf(dedupeKey: string): FakePushStatus | undefined {
    return this.rows.get(dedupeKey)?.status
  }

  ops(op: FakePush['calls'][number]['op']): unknown[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.arg)
  }

  reset(): void {
    this.rows.clear()
    this.calls.length = 0
  }

  private flip(source: { kind: string; groupId: string }, from: FakePushStatus, to: FakePushStatus): number {
    let n = 0
    for (const r of this.rows.values())
      if (
        r.message.source.kind === source.kind &&
        r.message.source.groupId === source.groupId &&
        r.status === from
      ) {
        r.status = to
        n++
      }
    return n
  }
}
