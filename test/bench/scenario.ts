/**
 * @module
 * What a benchmark scenario is: a named load at a fixed concurrency, against
 * the bus under test or against a peer it starts itself. The runner owns
 * timing, trials and statistics; a scenario only prepares its data and says
 * what one request is.
 */

export interface BenchContext {
  /** Base URL of the bus under test. */
  url: string;
  /** A smoke run: less data, shorter trials. */
  quick: boolean;
}

/** One request of one load worker; resolves with the records it moved (0 for none). */
type Step = () => Promise<number>;

export interface Scenario {
  /** Unique in a run, stable across runs (targets and `--only` refer to it). */
  id: string;
  /** The table's row label. */
  label: string;
  concurrency: number;
  /** Records a request carries, shown in the table; absent when requests carry none. */
  recordsPerRequest?: number;
  /**
   * The system measured when it is not edgelog (a peer): such a scenario
   * appears only in the side-by-side table and the charts.
   */
  peer?: string;
  /**
   * Its place in the side-by-side table and the charts: in column `column`,
   * on the row of edgelog's scenario `row` (same batch size and concurrency).
   */
  beside?: { row: string; column: string };
  /** Creates topics and data, or starts the peer it loads; called once, before the warm-up. */
  setup?(ctx: BenchContext): Promise<void>;
  /** Builds load worker `index`'s step; workers keep their own state (a fetch cursor). */
  worker(ctx: BenchContext, index: number): Step;
}

/** A count as scenario labels spell it: 1,000. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
