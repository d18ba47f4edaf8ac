/** One line of `npm run bench` output and of bench/RESULTS.md. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}
