/** One benchmark figure: always reported beside a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target?: string;
  /** Whether the target is met (only rows with a target). */
  pass?: boolean;
  extra?: Record<string, unknown>;
}
