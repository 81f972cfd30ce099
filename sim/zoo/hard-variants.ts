import { assert } from '../../src/core/assert.ts';
import { correlationKey } from '../../src/core/ids.ts';
import type { BatchRow } from '../../src/core/ports.ts';
import { SequenceBatchScheduler } from '../../src/batcher/scheduler.ts';
import type { BacklogQueue } from '../../src/batcher/backlog.ts';
import { DirectBatcher } from '../../src/batcher/direct.ts';
import { OldestBatcher } from '../../src/batcher/oldest.ts';
import { REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from '../../src/batcher/slot-queue.ts';
import type { ZooBug } from './zoo-bug.ts';

/**
 * The hard zoo: bugs that hide behind what only a simulator of the whole world exercises — a
 * fault plan (executor failures, clients that go silent), a server stop or a model reload under a
 * full backlog, or a wait in the backlog longer than the idle timeout. Each names the
 * `explore --generate` options that find it (docs/zoo.md).
 */
export interface HardZooBug extends ZooBug {
  /** What the bug needs from the world, for people (docs/zoo.md). */
  readonly needs: string;
  /** `explore --generate` options that find it (all of them: the default swarm fault plans; one also lifecycle blocks). */
  readonly explore: { readonly lifecycle?: boolean };
}

/**
 * server#8449's "fix" gone wrong: to stop the reaper re-polling idle-expired backlogged ids every
 * 50 ms forever, it stops watching them. When such a sequence later gets a slot and its client has
 * gone silent, nothing reaps it: the slot leaks.
 */
class BacklogIdleUnwatched extends SequenceBatchScheduler {
  protected override keepsWatchingIdleBacklogged(): boolean {
    return false;
  }
}

/**
 * server#8391 (fixed by core PR #204, r23.06): when the reaper thread itself runs Oldest's
 * CompleteAndNext on its null marker (the slot had nothing dispatched), a verbose log line
 * dereferences the null request and the server crashes.
 */
class OldestReaperNullRequest extends OldestBatcher {
  override enqueue(slot: number, occupant: Occupant, item: SlotItem): void {
    assert(item !== REAP_MARKER || this.dispatched[slot] === true, 'reaper: CompleteAndNext logged a null request (server#8391 crash)');
    super.enqueue(slot, occupant, item);
  }
}

/** Freed slots stop going to the backlog once `frozen` is set (by a stop or a reload's swap). */
class FreezableBacklog extends SequenceBatchScheduler {
  frozen = false;
  protected override popBacklog(): BacklogQueue | undefined {
    return this.frozen ? undefined : super.popBacklog();
  }
}

/** A server stop freezes the backlog: it is taken for new work, which a stopping server refuses. */
class StopFreezesBacklog extends FreezableBacklog {
  override stop(): void {
    super.stop();
    this.frozen = true;
  }
}

/**
 * A backlog timeout skips requests the client already cancelled, assuming the cancel path answers
 * them; but a cancel in the backlog is only noticed when the queue is popped, which an expired
 * queue never is. The cancelled request is never answered.
 */
class ExpireSkipsCancelled extends SequenceBatchScheduler {
  protected override expiryAnswers(request: BacklogQueue['requests'][number]): boolean {
    return !request.cancelled;
  }
}

/**
 * An execution error is taken for the end of the sequence: the id is erased from the slot map and
 * the idle clock (as a cancellation does), but the slot is not released, since "the reaper will".
 */
class ErrorEndsSequenceScheduler extends SequenceBatchScheduler {
  eraseId(key: string): void {
    this.forgetCancelledId(key);
  }
  protected override createBatcher(instance: number): InstanceBatcher {
    return this.model.strategy.kind === 'direct' ? new ErrorEndsSequence(this, instance) : super.createBatcher(instance);
  }
}

class ErrorEndsSequence extends DirectBatcher {
  protected override runBatch(rows: BatchRow[], released: (ok: boolean) => void): void {
    super.runBatch(rows, (ok) => {
      released(ok);
      if (ok) return;
      for (const row of rows) {
        const occupant = this.occupants[row.slot];
        if (row.request === null || row.request.end || occupant === undefined || occupant.key !== correlationKey(row.request.correlationId)) continue;
        (this.scheduler as ErrorEndsSequenceScheduler).eraseId(occupant.key);
      }
    });
  }
}

export const HARD_ZOO: readonly HardZooBug[] = [
  {
    name: 'backlog-idle-unwatched',
    summary:
      "server#8449's re-polling loop 'fixed' by no longer watching idle-expired backlogged ids: such a sequence, " +
      'once it gets a slot and its client has gone silent, is never reaped and its slot leaks',
    needs: 'a sequence that waits in the backlog longer than the idle timeout, then gets a slot and sends nothing more',
    strategy: 'any',
    explore: {},
    make: (model, deps, options) => new BacklogIdleUnwatched(model, deps, options),
  },
  {
    name: 'oldest-reaper-null-request',
    summary:
      "server#8391 (fixed by core PR #204 in r23.06): the reaper thread runs Oldest's CompleteAndNext on its null marker " +
      'and a verbose log line dereferences the null request: the server crashes',
    needs: 'an Oldest sequence reaped while none of its requests is dispatched',
    strategy: 'oldest',
    explore: {},
    make: (model, deps, options) =>
      new (class extends SequenceBatchScheduler {
        protected override createBatcher(instance: number): InstanceBatcher {
          return new OldestReaperNullRequest(this, instance);
        }
      })(model, deps, options),
  },
  {
    name: 'stop-freezes-backlog',
    summary: 'a server stop stops handing freed slots to the backlog, so sequences accepted before the stop wait forever',
    needs: 'a server stop while sequences wait in the backlog',
    strategy: 'any',
    explore: {},
    make: (model, deps, options) => new StopFreezesBacklog(model, deps, options),
  },
  {
    name: 'reload-abandons-backlog',
    summary: "a model reload freezes the old model's backlog: sequences that waited for a slot of the old model are never served",
    needs: 'a model reload while sequences wait in the backlog (explore --generate --lifecycle)',
    strategy: 'any',
    explore: { lifecycle: true },
    make: (model, deps, options) => new FreezableBacklog(model, deps, options),
    onSwap: (previous) => {
      (previous as FreezableBacklog).frozen = true;
    },
  },
  {
    name: 'expire-skips-cancelled',
    summary:
      'a backlog timeout skips requests the client cancelled, assuming the cancel path answers them; an expired queue is never popped, ' +
      'so the cancelled request is never answered',
    needs: 'a cancellation of a backlogged request, then its queue timing out before a slot frees',
    strategy: 'any',
    explore: {},
    make: (model, deps, options) => new ExpireSkipsCancelled(model, deps, options),
  },
  {
    name: 'error-ends-sequence',
    summary:
      'Direct takes a failed execution for the end of the sequence and erases its id (as a cancellation does) without releasing ' +
      "the slot: the client's next request is rejected for a missing START, and the slot leaks",
    needs: 'an executor failure on a batch carrying a request of an unfinished sequence (a fault plan)',
    strategy: 'direct',
    explore: {},
    make: (model, deps, options) => new ErrorEndsSequenceScheduler(model, deps, options),
  },
];
