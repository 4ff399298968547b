// Routing and retry settings for notifications (values of the configuration file).
import type { Severity } from './rule.js';

export interface RouteConfig {
  /** Destination names this route sends to. */
  destinations: string[];
  minSeverity: Severity | null;
  rules: string[] | null;
  /** ATT&CK tactic or technique ids: the alert's rule must carry one of them. */
  tags: string[] | null;
  accounts: string[] | null;
}

export interface RetryConfig {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}
