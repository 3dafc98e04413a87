export * from "./quantity.js";
export * from "./format.js";
