// A working session: one caller making a run of calls picked from a weighted menu, seconds to minutes apart.
import type { JsonObject } from '../domain/json.js';
import { SECOND } from './format.js';
import { arnOf, viaService, type Caller } from './identities.js';
import type { Rng } from './random.js';
import { emitApi, type Api, type Sink } from './record.js';

export interface SessionContext {
  rng: Rng;
  account: string;
  region: string;
  /** The caller's ARN, for the authorization messages of denied calls. */
  arn: string;
  time: number;
  call(api: Api): JsonObject;
  /** A call a service (SSM, S3) makes to another (KMS) on the caller's behalf. */
  callVia(service: string, api: Api): JsonObject;
}

export type Action = (ctx: SessionContext) => void;
export type Menu = readonly (readonly [Action, number])[];

/** An action that is a single call. */
export const plain =
  (make: (ctx: SessionContext) => Api): Action =>
  (ctx) => {
    ctx.call(make(ctx));
  };

export interface SessionInput {
  caller: Caller;
  account: string;
  region: string;
  from: number;
  calls: number;
  menu: Menu;
  /** Seconds between calls (default 3–150). */
  gap?: readonly [number, number];
}

export function contextAt(
  sink: Sink,
  caller: Caller,
  account: string,
  region: string,
  time: number,
): SessionContext {
  const base = { time, caller, account, region };
  return {
    rng: sink.rng,
    account,
    region,
    arn: arnOf(caller),
    time,
    call: (api) => emitApi(sink, base, api),
    callVia: (service, api) => emitApi(sink, { ...base, caller: viaService(caller, service) }, api),
  };
}

/** Runs the session and returns the time of its last call. */
export function runSession(sink: Sink, input: SessionInput): number {
  const [minGap, maxGap] = input.gap ?? [3, 150];
  let time = input.from;
  for (let i = 0; i < input.calls; i++) {
    time += sink.rng.int(minGap, maxGap) * SECOND;
    sink.rng.weighted(input.menu)(contextAt(sink, input.caller, input.account, input.region, time));
  }
  return time;
}
