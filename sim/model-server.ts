/*
 * The model-management layer above the batcher (spec: triton-model-update.md): it owns one
 * SequenceBatchScheduler per model object ("generation"), binds each arriving request to the model
 * READY at that moment, and carries out loads (no-op, in-place instance update, reload with an
 * atomic swap), unloads and model destruction. The batcher itself never knows about generations.
 */
import { assert } from '../src/core/assert.ts';
import { tritonErrors } from '../src/core/errors.ts';
import type { EventSink, TraceEventBody } from '../src/core/events.ts';
import type { Clock, Executor, ResponseSink, Timers } from '../src/core/ports.ts';
import type { InferResult } from '../src/core/request.ts';
import type { ModelConfig } from '../src/config/types.ts';
import { classifyLoad, instanceSignatures, planInstances } from '../src/config/model-diff.ts';
import type { LoadEvent, Scenario } from '../src/scenario/types.ts';
import type { SequenceBatchScheduler, SlotOrder } from '../src/batcher/index.ts';
import type { ZooBug } from './zoo/variants.ts';
import type { TraceRecorder } from './recorder.ts';
import type { ServerPort, SimRequest } from './clients.ts';
import type { DrainRouter } from './drain.ts';

export type GenerationState = 'ready' | 'unloading' | 'destroyed';

/** One model object: Triton's TritonModel with its scheduler, alive until its last request is released. */
export interface Generation {
  readonly number: number;
  readonly model: ModelConfig;
  /** The normalised Triton JSON it runs (an update rewrites its instance_group). */
  normalized: Readonly<Record<string, unknown>>;
  readonly scheduler: SequenceBatchScheduler;
  /** Instances in model order with their signatures; removed ones leave at once. */
  instances: { readonly id: number; readonly signature: string }[];
  /** Requests bound to it and not answered yet: they keep it alive (spec rule 6). */
  outstanding: number;
  state: GenerationState;
}

export interface ModelServerParts {
  readonly scenario: Scenario;
  readonly loop: Clock & Timers;
  readonly timers: Timers;
  readonly recorder: TraceRecorder;
  readonly makeScheduler: ZooBug['make'];
  readonly slotOrder: SlotOrder;
  /** The first model's backend; later models get theirs from `makeExecutor`. */
  readonly executor: Executor;
  readonly makeExecutor?: (model: ModelConfig, normalized: Readonly<Record<string, unknown>>) => Executor;
  /** Bug-zoo hook run at a reload's swap (the real server does nothing there). */
  readonly onSwap?: ZooBug['onSwap'];
  /** Hands a response or a synchronous error to the request's client. */
  readonly deliver: (request: SimRequest, result: InferResult) => void;
}

export class ModelServer implements ServerPort {
  readonly generations: Generation[] = [];
  /** The READY model; undefined after an unload. */
  private current: Generation | undefined;
  private nextInstanceId = 0;
  private batchCounter = 0;
  /** Generations are traced only when the scenario manages the model (a load or unload). */
  readonly managed: boolean;
  /** Set while a drain-policy load holds new STARTs. */
  drain: DrainRouter | undefined;
  /** Set when a stop's `exit` was recorded: the run ends with every model object destroyed. */
  exited = false;

  constructor(private readonly parts: ModelServerParts) {
    this.managed = parts.scenario.lifecycle.some((event) => event.kind !== 'stop');
    const first = parts.scenario.normalized['model'] as Record<string, unknown>;
    this.current = this.createGeneration(parts.scenario.model, first, parts.executor);
  }

  /** The first model object's scheduler (live mode and benchmarks run without model management). */
  get firstScheduler(): SequenceBatchScheduler {
    return this.generations[0]!.scheduler;
  }

  get ready(): Generation | undefined {
    return this.current;
  }

  /** The newest generation's number (the unloaded one after an unload). */
  get latestGeneration(): number {
    return this.generations.length;
  }

  emit(action: string, generation: number, fields: Record<string, unknown> = {}): void {
    this.parts.recorder.emit({ type: 'lifecycle', action, generation, ...fields });
  }

  arrive(request: SimRequest): void {
    request.arrived = true;
    if (this.drain?.holds(request)) return;
    this.route(request);
  }

  cancel(request: SimRequest): void {
    // A cancel that overtook its request on the wire (or found it held) is applied once it is routed.
    if (!request.arrived || this.drain?.isHeld(request)) {
      request.cancelPending = true;
      return;
    }
    const generation = this.generations[(request.generation ?? 1) - 1];
    if (generation !== undefined && generation.state !== 'destroyed') generation.scheduler.cancel(request);
  }

  /** Binds the request to the READY model (spec rule 5) and enqueues it there. */
  route(request: SimRequest): void {
    const generation = this.current;
    if (generation === undefined) {
      this.rejectUnloaded(request);
      return;
    }
    if (this.managed) request.generation = generation.number;
    generation.outstanding++;
    const error = generation.scheduler.enqueue(request);
    if (error !== null) {
      generation.outstanding--;
      this.parts.deliver(request, { error });
      return;
    }
    if (request.cancelPending) generation.scheduler.cancel(request);
  }

  /** Rule 8: after an unload every request fails in GetModel, before any scheduler sees it. */
  private rejectUnloaded(request: SimRequest): void {
    const { recorder, scenario } = this.parts;
    const error = tritonErrors.unknownModel(scenario.model.name);
    request.answered = true;
    recorder.emit({ type: 'arrive', request: request.id });
    recorder.emit({ type: 'reject', request: request.id, code: error.code, message: error.message });
    this.parts.deliver(request, { error });
  }

  // ---- Loads (rules 1–7) ----

  /** Carries out a load now; `done` runs once it took effect (after the build, for a reload). */
  load(event: LoadEvent, done: () => void): void {
    const generation = this.current;
    const config = event.config;
    if ('invalid' in config) {
      this.emit('load-failed', generation?.number ?? this.latestGeneration, { reason: config.invalid });
      done();
      return;
    }
    const name = this.parts.scenario.model.name;
    if (config.config.name !== name) {
      this.emit('load-failed', generation?.number ?? this.latestGeneration, {
        reason: `the config names model '${config.config.name}', the load is for '${name}'`,
      });
      done();
      return;
    }
    const kind = generation === undefined ? 'reload' : classifyLoad(generation.normalized, config.normalized, event.filesChanged);
    if (kind === 'noop') {
      this.emit('noop', generation!.number);
      done();
    } else if (kind === 'update') {
      this.update(generation!, config.normalized);
      done();
    } else {
      // Rule 5: the new model builds in the background while the old one keeps serving.
      this.emit('load-start', this.latestGeneration + 1, { load_us: event.loadUs, ...(event.filesChanged ? { files_changed: true } : {}) });
      this.parts.loop.schedule(this.parts.loop.nowUs() + event.loadUs, { label: 'lifecycle:swap' }, () => {
        this.swap(config.config, config.normalized);
        done();
      });
    }
  }

  /** Rules 2–4: same model object and scheduler; only the instance set changes. */
  private update(generation: Generation, normalized: Readonly<Record<string, unknown>>): void {
    const plan = planInstances(
      generation.instances.map((instance) => instance.signature),
      instanceSignatures(normalized),
    );
    const removed = plan.removed.map((index) => generation.instances[index]!.id);
    const added = plan.added.map((signature) => ({ id: this.nextInstanceId++, signature }));
    this.emit('update', generation.number, { instances: plan.kept.length + added.length, added: added.length, removed: removed.length });
    for (const instance of added) this.emit('instance-added', generation.number, { instance: instance.id });
    for (const instance of removed) this.emit('instance-removed', generation.number, { instance });
    generation.scheduler.addInstances(added.map((instance) => instance.id));
    generation.scheduler.removeInstances(removed);
    generation.instances = [...plan.kept.map((index) => generation.instances[index]!), ...added];
    generation.normalized = normalized;
  }

  /** Rules 5–7: the atomic swap. The old model serves what is bound to it, then is destroyed. */
  private swap(model: ModelConfig, normalized: Readonly<Record<string, unknown>>): void {
    const old = this.current;
    const executor = this.parts.makeExecutor?.(model, normalized) ?? this.parts.executor;
    const next = this.createGeneration(model, normalized, executor);
    this.current = next;
    this.emit('swap', next.number, { instances: next.instances.map((instance) => instance.id), ...(old !== undefined ? { previous: old.number } : {}) });
    if (old === undefined) return;
    this.parts.onSwap?.(old.scheduler, next.scheduler);
    this.retire(old);
  }

  /** Rule 8: later requests fail; what was accepted still finishes. */
  unload(): void {
    const generation = this.current;
    this.emit('unload', generation?.number ?? this.latestGeneration, generation === undefined ? { loaded: false } : {});
    if (generation === undefined) return;
    this.current = undefined;
    this.retire(generation);
  }

  /**
   * The exited server's process is gone (spec §4.2: Triton unloads every model on exit). seqsim
   * keeps simulating past `exit` so every request stays accounted for, and at the end of the run
   * destroys each model object still alive: the slots it still holds are released with reason
   * `destroyed` and `exit: true` (a slot still held then is one Triton never freed: the
   * slot-accounting oracle still calls it a leak), then its instances and the model itself.
   */
  destroyAtExit(): void {
    for (const generation of this.generations) if (generation.state !== 'destroyed') this.destroy(generation, true);
  }

  private retire(generation: Generation): void {
    generation.state = 'unloading';
    if (generation.outstanding === 0) this.destroySoon(generation);
  }

  /** Destruction happens when the last reference goes, as its own task (the model's deleter). */
  private destroySoon(generation: Generation): void {
    this.parts.loop.schedule(this.parts.loop.nowUs(), { label: `lifecycle:destroy:g${generation.number}` }, () => this.destroy(generation));
  }

  private destroy(generation: Generation, atExit = false): void {
    assert(atExit || (generation.state === 'unloading' && generation.outstanding === 0), 'a model is destroyed after its last request');
    generation.state = 'destroyed';
    const { recorder } = this.parts;
    // Slots still held (sequences cut off by the swap or unload) simply cease to exist (rule 7).
    for (const held of generation.scheduler.destroy()) {
      recorder.emit({
        type: 'release',
        sequence: held.occupant.sequence,
        instance: held.instance,
        slot: held.slot,
        reason: 'destroyed',
        ...(atExit ? { exit: true } : {}),
        // A stop-only scenario's events carry no generation (the v1 shape); its release neither.
        ...(this.managed ? { generation: generation.number } : {}),
      });
    }
    for (const instance of generation.scheduler.liveInstances()) this.emit('instance-destroyed', generation.number, { instance });
    this.emit('model-destroyed', generation.number);
  }

  /** Triton's in-flight count over every model object still alive (shutdown, drain). */
  inflightSequenceCount(): number {
    let count = 0;
    for (const generation of this.generations) if (generation.state !== 'destroyed') count += generation.scheduler.inflightSequenceCount();
    return count;
  }

  /** Server stop (spec §11): every live scheduler refuses STARTs from now on. */
  stopSchedulers(): void {
    for (const generation of this.generations) if (generation.state !== 'destroyed') generation.scheduler.stop();
  }

  private createGeneration(model: ModelConfig, normalized: Readonly<Record<string, unknown>>, executor: Executor): Generation {
    const number = this.generations.length + 1;
    const signatures = instanceSignatures(normalized);
    assert(signatures.length === model.instanceCount, 'one signature per instance');
    const instances = signatures.map((signature) => ({ id: this.nextInstanceId++, signature }));
    const { loop, timers, recorder } = this.parts;
    const holder: { generation?: Generation } = {};
    const events: EventSink = this.managed ? { enabled: recorder.enabled, emit: (event) => this.onSchedulerEvent(holder.generation!, event) } : recorder;
    const responses: ResponseSink = { respond: (request, result) => this.onResponse(holder.generation!, request as SimRequest, result) };
    const scheduler = this.parts.makeScheduler(
      model,
      { clock: loop, timers, executor, responses, events },
      {
        slotOrder: this.parts.slotOrder,
        instanceIds: instances.map((instance) => instance.id),
        nextBatchNumber: () => this.batchCounter++,
        onInstanceDestroyed: (instance) => this.emit('instance-destroyed', number, { instance }),
        ...(this.parts.scenario.testHooks !== undefined ? { testHooks: this.parts.scenario.testHooks } : {}),
      },
    );
    const generation: Generation = { number, model, normalized, scheduler, instances, outstanding: 0, state: 'ready' };
    holder.generation = generation;
    this.generations.push(generation);
    return generation;
  }

  private onSchedulerEvent(generation: Generation, event: TraceEventBody): void {
    this.parts.recorder.emit({ ...event, generation: generation.number } as TraceEventBody);
    if (event.type === 'release') this.drain?.onRelease(generation);
  }

  private onResponse(generation: Generation, request: SimRequest, result: InferResult): void {
    generation.outstanding--;
    assert(generation.outstanding >= 0, 'a bound request is answered once');
    this.parts.deliver(request, result);
    if (generation.outstanding === 0 && generation.state === 'unloading') this.destroySoon(generation);
  }
}
