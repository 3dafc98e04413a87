export { Simulator, TimeLimitExceeded, type EventId, type StopReason } from "./simulator.js";
export { EventQueue, type EventFn } from "./event-queue.js";
export { RngStreams, type Uniform } from "./rng.js";
export { Hooks } from "./hooks.js";
