import { SbError, type TaskType } from '@switchboard/protocol';
import type { NewTaskType, TypeStore } from './db/type-store.ts';

/**
 * The task types as this replica knows them: read from Postgres, reused for `cacheMs` (a type
 * another replica registered is seen within that time), updated at once by registrations here.
 */
export function createTypeRegistry(store: TypeStore, cacheMs: () => number) {
  let types = new Map<string, TaskType>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  async function reload(): Promise<void> {
    loading ??= store
      .list()
      .then((list) => {
        types = new Map(list.map((type) => [type.name, type]));
        loadedAt = Date.now();
      })
      .finally(() => {
        loading = undefined;
      });
    await loading;
  }

  async function fresh(): Promise<Map<string, TaskType>> {
    if (Date.now() - loadedAt > cacheMs()) await reload();
    return types;
  }

  return {
    /** Every type. */
    all: fresh,

    /**
     * One type (read again when not known here yet).
     * @throws SbError `E_VALIDATION` for a type nobody registered.
     */
    async get(name: string): Promise<TaskType> {
      let type = (await fresh()).get(name);
      if (type === undefined) {
        await reload();
        type = types.get(name);
      }
      if (type === undefined) {
        throw new SbError('E_VALIDATION', `no task type ${name} is registered; register it first`, {
          details: { path: '/type' },
        });
      }
      return type;
    },

    async register(type: NewTaskType): Promise<TaskType> {
      const registered = await store.register(type);
      types.set(registered.name, registered);
      return registered;
    },
  };
}

/** The type registry (see {@link createTypeRegistry}). */
export type TypeRegistry = ReturnType<typeof createTypeRegistry>;
