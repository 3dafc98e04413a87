/** A rule an input breaks, at its path below the section that holds it (e.g. ["flows", 3, "route", 1]). */
export interface PathProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Problems listed in full; an input written by a script can repeat one mistake for every item. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * Collects the problems of one input (an inline cluster, a flows scenario): the first MAX_LISTED_PROBLEMS
 * in full — messages are built only for those — then a count of the rest, placed at the first one left
 * out so that in reading order the count follows the listed ones.
 */
export class ProblemList {
  private readonly listed: PathProblem[] = [];
  private more = 0;
  private firstLeftOut: (string | number)[] = [];

  /** `of` names the input in the count line: "the flows", "the inline cluster". */
  constructor(private readonly of: string) {}

  /** Problems found so far, listed or not. */
  get count(): number {
    return this.listed.length + this.more;
  }

  add(path: (string | number)[], message: () => string): void {
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push({ path, message: message() });
    else if (this.more++ === 0) this.firstLeftOut = path;
  }

  /** The listed problems, and the count of the rest when there are more. */
  done(): PathProblem[] {
    if (this.more === 0) return [...this.listed];
    return [...this.listed, { path: this.firstLeftOut, message: `… and ${this.more} more problem${this.more === 1 ? "" : "s"} of ${this.of} from here on` }];
  }
}
