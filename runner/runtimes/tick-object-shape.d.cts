// Types of tick-object-shape.cjs (plain CommonJS: instance threads load it in their --require preload).
/** Starts keeping a tick object (this thread's); the returned function lets it go once every caller has. */
export declare function keepTickObjectShape(everyMs?: number): () => void;
/** The tick object kept now (for tests). */
export declare function keptTickObject(): object | undefined;
