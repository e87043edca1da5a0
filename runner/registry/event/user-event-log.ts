import { randomUUID } from 'node:crypto';
import { IndexFeed } from '../index-feed.ts';

/** `agent.UserEvent` (agent/user_event.go): Payload is bytes, LTime the Serf Lamport time. */
export interface UserEvent {
  id: string;
  name: string;
  payload: Buffer | null;
  nodeFilter: string;
  serviceFilter: string;
  tagFilter: string;
  version: number;
  ltime: number;
}

/** Consul keeps the last 256 user events an agent has seen (`eventBuf`). */
export const EVENT_BUFFER_SIZE = 256;

export interface UserEventLogOptions {
  nodeName: () => string;
  /** This agent's services (name and tags), for the service/tag filters. */
  services: () => { name: string; tags: string[] }[];
  newId?: () => string;
}

/**
 * UserEventLog: `PUT /v1/event/fire` and the ring of recent events `GET /v1/event/list` reads. An event
 * whose node/service/tag filter does not match this agent is fired but not kept (`shouldProcessUserEvent`).
 * `changes` is a private feed bumped on each kept event, for blocking lists.
 */
export class UserEventLog {
  readonly changes = new IndexFeed();
  readonly #opts: UserEventLogOptions;
  readonly #events: UserEvent[] = [];
  // Serf starts its event clock at 1.
  #ltime = 1;

  constructor(opts: UserEventLogOptions) {
    this.#opts = opts;
  }

  /** Validates (`validateUserEventParams`, errors are Consul's texts) and fires; returns the event as sent. */
  fire(params: { name: string; payload: Buffer | null; nodeFilter: string; serviceFilter: string; tagFilter: string }): UserEvent {
    if (params.name === '') throw new Error('User event missing name');
    if (params.tagFilter !== '' && params.serviceFilter === '') throw new Error('Cannot provide tag filter without service filter');
    const node = compile(params.nodeFilter, 'node');
    const service = compile(params.serviceFilter, 'service');
    const tag = compile(params.tagFilter, 'tag');
    const event: UserEvent = { ...params, payload: params.payload?.length ? params.payload : null, id: (this.#opts.newId ?? randomUUID)(), version: 1, ltime: 0 };
    const ltime = this.#ltime++;
    if (this.#matches(node, service, tag)) {
      this.#events.push({ ...event, ltime });
      if (this.#events.length > EVENT_BUFFER_SIZE) this.#events.shift();
      this.changes.bump();
    }
    return event;
  }

  /** Oldest first, optionally only one name. */
  list(name = ''): UserEvent[] {
    return name === '' ? [...this.#events] : this.#events.filter((e) => e.name === name);
  }

  #matches(node: RegExp | undefined, service: RegExp | undefined, tag: RegExp | undefined): boolean {
    if (node && !node.test(this.#opts.nodeName())) return false;
    if (!service) return true;
    return this.#opts.services().some((s) => service.test(s.name) && (!tag || s.tags.some((t) => tag.test(t))));
  }
}

/**
 * The index of an event list: Consul's `uuidToUint64` of the last event's ID (the XOR of its two 64-bit
 * halves), 1 when there are none. Not monotonic: a blocking list waits while the index equals `?index`.
 */
export function eventListIndex(events: UserEvent[]): bigint {
  if (events.length === 0) return 1n;
  const id = events[events.length - 1].id;
  const lower = BigInt(`0x${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}`);
  const upper = BigInt(`0x${id.slice(19, 23)}${id.slice(24, 36)}`);
  return lower ^ upper;
}

function compile(source: string, what: string): RegExp | undefined {
  if (source === '') return undefined;
  try {
    return new RegExp(source);
  } catch (e) {
    throw new Error(`Invalid ${what} filter: error parsing regexp: ${(e as Error).message}`, { cause: e });
  }
}
