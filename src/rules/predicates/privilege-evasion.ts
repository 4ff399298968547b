// Predicates added for the rules of this group of tactics; each one is unit-tested.
import type { Predicate } from './types.js';

export const PREDICATES: Predicate[] = [];
