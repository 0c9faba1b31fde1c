/**
 * @module
 * The assignors a group may choose, by their wire names.
 */

import type { GroupAssignor } from "../../src/protocol/types.ts";
import type { Assignor } from "./assignment.ts";
import { range } from "./range.ts";
import { roundRobin } from "./round-robin.ts";
import { sticky } from "./sticky.ts";

export const ASSIGNORS: Record<GroupAssignor, Assignor> = { range, roundrobin: roundRobin, sticky };
