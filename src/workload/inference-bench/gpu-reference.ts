/*
 * GPU reference rows the CM384 paper's tables print beside CloudMatrix384 (targets.md T1, "reference
 * points ... not targets, for the comparison report"). Shown next to the simulated DeepSeek numbers.
 */

/** One published GPU result. */
export interface GpuReference {
  readonly system: string;
  readonly phase: "decode" | "prefill";
  /** Tokens/s per GPU: a value or a published range. */
  readonly tokensPerSPerGpu: number | readonly [number, number];
  /** Dense BF16 peak of the GPU, TFLOPS (for tokens/s per TFLOPS). */
  readonly peakTflops: number;
}

/**
 * Dense BF16 peak of an H800 / H100 SXM, TFLOPS: 989 (from memory of the NVIDIA H100 data sheet, 1,979
 * with sparsity; the H800 has the same compute), unverified.
 */
export const HOPPER_BF16_DENSE_TFLOPS = 989;

/** targets.md T1 reference points. */
export const GPU_REFERENCES: readonly GpuReference[] = [
  { system: "DeepSeek on H800", phase: "decode", tokensPerSPerGpu: [1850, 2325], peakTflops: HOPPER_BF16_DENSE_TFLOPS },
  { system: "SGLang on H100", phase: "decode", tokensPerSPerGpu: 2172, peakTflops: HOPPER_BF16_DENSE_TFLOPS },
  { system: "SGLang on H100", phase: "prefill", tokensPerSPerGpu: [6288, 7417], peakTflops: HOPPER_BF16_DENSE_TFLOPS },
];
