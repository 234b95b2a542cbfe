import type { ApiKeyRecord } from './caller';

/**
 * How long an instance trusts what it read about a key, found or not: a revoked or replaced key
 * keeps working on other instances for at most this long (the instance that handled the DELETE
 * or PUT forgets at once). Also how often a key's lastUsedAt is written, at most.
 */
export const API_KEY_CACHE_SECONDS = 30;
/** Bounds memory when many different names are tried (each miss is cached too). */
const MAX_ENTRIES = 10_000;

interface Entry {
  record: ApiKeyRecord | undefined;
  loadedAt: number;
}

/** API keys by name, read through a short cache so most requests cost no Cosmos DB read. */
export class ApiKeyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #touchedAt = new Map<string, number>();

  constructor(
    private readonly load: (name: string) => Promise<ApiKeyRecord | undefined>,
    private readonly touch: (name: string, at: Date) => Promise<void>,
    private readonly ttlMs = API_KEY_CACHE_SECONDS * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(name: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.#entries.get(name);
    if (cached && this.now() - cached.loadedAt < this.ttlMs) return cached.record;
    const record = await this.load(name);
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(name, { record, loadedAt: this.now() });
    return record;
  }

  /** Records a use in the store at most once per cache lifetime; a failed write is not the caller's problem. */
  used(name: string): void {
    const last = this.#touchedAt.get(name);
    const now = this.now();
    if (last !== undefined && now - last < this.ttlMs) return;
    if (this.#touchedAt.size >= MAX_ENTRIES) this.#touchedAt.clear();
    this.#touchedAt.set(name, now);
    this.touch(name, new Date(now)).catch(() => this.#touchedAt.delete(name));
  }

  forget(name: string): void {
    this.#entries.delete(name);
  }
}
