/** Percentiles of one measured window, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/**
 * Every latency of a window, kept whole: a 10 s window of a few hundred thousand requests is a few MB, so
 * percentiles are exact (nearest rank over the sorted samples) rather than read off histogram buckets.
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  /** Adds one latency. */
  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.size;
  }

  /** Mean, p50, p90, p99, p99.9 and max of what was recorded; zeros when nothing was. */
  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.size).sort();
    let sum = 0;
    for (const sample of sorted) sum += sample;
    return {
      count: this.size,
      meanMs: this.size === 0 ? 0 : sum / this.size,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      p999Ms: percentile(sorted, 99.9),
      maxMs: this.size === 0 ? 0 : (sorted[this.size - 1] as number),
    };
  }
}

/** The nearest-rank percentile `p` (0–100] of ascending `sorted` samples; 0 when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
