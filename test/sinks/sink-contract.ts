// The behaviour every HTTP-speaking sink shares, run by each of them in a few lines against a real server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sink } from '../../src/sinks/port.js';
import { sampleNotification, sendError } from './fixtures.js';
import { startHttpServer, unusedPort, type Reply, type TestHttpServer } from './http-server.js';

export interface HttpSinkContract {
  /** The sink under test, sending to `url` and giving up after `timeoutMs`. */
  makeSink(url: string, timeoutMs: number): Sink;
  /** What the real service answers when it takes a notification. */
  accepted: Reply;
}

/** The timeout of the sink that meets a silent server. */
const TIMEOUT_MS = 300;
/**
 * The timeout of the sink the other cases use: a server that answers must not fail them because a
 * loaded machine took more than TIMEOUT_MS to connect (it did, in CI beside a long ingest).
 */
const PATIENT_MS = 30_000;

export function runHttpSinkContract(type: string, contract: HttpSinkContract): void {
  describe(`${type} sink: the Sink contract`, () => {
    let server: TestHttpServer;
    let sink: Sink;
    beforeAll(async () => {
      server = await startHttpServer();
      sink = contract.makeSink(server.url, PATIENT_MS);
    });
    afterAll(async () => {
      await sink.close?.();
      await server.close();
    });
    beforeEach(() => server.reset());

    it('delivers a notification, and again when sent twice (the same id is safe to resend)', async () => {
      server.reply(contract.accepted);
      expect(sink.type).toBe(type);
      await sink.send(sampleNotification());
      await sink.send(sampleNotification());
      expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
      // Every sink's request names the alert (its id is the dedup key of PagerDuty, a field elsewhere).
      expect(server.requests[0]?.body).toContain('a-7f3c');
    });

    it('makes a 500 a retryable SinkError', async () => {
      server.reply({ status: 500, body: 'the server broke' });
      const error = await sendError(sink.send(sampleNotification()));
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('500');
    });

    it('makes a 400 a SinkError that is not retryable, quoting the answer', async () => {
      server.reply({ status: 400, body: 'the request is malformed' });
      const error = await sendError(sink.send(sampleNotification()));
      expect(error.isRetryable).toBe(false);
      expect(error.message).toContain('400');
      expect(error.message).toContain('the request is malformed');
    });

    it('makes no answer within the timeout a retryable SinkError', async () => {
      server.reply({ status: 200, isSilent: true });
      const impatient = contract.makeSink(server.url, TIMEOUT_MS);
      const started = performance.now();
      const error = await sendError(impatient.send(sampleNotification()));
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain(`no answer within ${TIMEOUT_MS} ms`);
      expect(performance.now() - started).toBeLessThan(5000);
      await impatient.close?.();
    });

    it('makes a port with nothing listening a retryable SinkError', async () => {
      const unreachable = contract.makeSink(`http://127.0.0.1:${await unusedPort()}`, TIMEOUT_MS);
      const error = await sendError(unreachable.send(sampleNotification()));
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('ECONNREFUSED');
      await unreachable.close?.();
    });
  });
}
