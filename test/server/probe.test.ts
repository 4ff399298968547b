import { it } from 'vitest';
import { loadFixture } from './fixture.js';
import { startServer } from '../../src/server/index.js';
it('probe', async () => {
  const f = await loadFixture();
  const s = await startServer({ store: f.store, rules: f.rules, port: 0, now: () => Date.parse('2024-06-12T15:20:00Z') });
  for (const p of ['/api/overview', '/api/events?eventName=PutBucketTagging&limit=2', '/api/alerts?limit=2', '/api/rules', '/api/who?q=backup-admin'])
    console.log(p, (await (await fetch(s.url + p)).text()).slice(0, 600));
  await s.close(); await f.cleanup();
});
