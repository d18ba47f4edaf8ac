/** One line of `npm run bench` output and of bench/RESULTS.md. */
export interface BenchRow {
  name: string;
  /** The figure; for measured rates, costs and ratios the median over the rounds. */
  value: number;
  /** For measured rates, costs and ratios: min..max over `rounds` alternating rounds (bench/measure.ts). */
  spread?: { min: number; max: number; rounds: number };
  unit: string;
  note?: string;
}
