// `trailwatch rules` tests and lists what ingest runs: the configuration's rules and lists.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-rules-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("rules list and test use the configuration's rules: and lists:", async () => {
  const rules = path.join(dir, 'own');
  mkdirSync(rules);
  // Its positive test passes only with the value the configuration adds to its list.
  writeFileSync(
    path.join(rules, 'deploy-role-from-new-tool.yml'),
    `id: deploy-role-from-new-tool
title: Deploy role used by a tool outside the list
description: The deploy role called AWS with a user agent not on the approved list.
severity: low
status: stable
tactics: [TA0005]
runbook: Ask the platform team.
lists:
  approved-tools: ['aws-cli/*']
detection:
  deploy: { userIdentity.arn|endswith: ':assumed-role/deploy/ci' }
  approved: { userAgent|list: approved-tools }
  condition: deploy and not approved
tests:
  - name: terraform is approved in the configuration
    alert: false
    event: { userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci' }, userAgent: 'Terraform/1.9.0' }
  - name: curl is not
    alert: true
    event: { userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci' }, userAgent: 'curl/8.0' }
`,
  );
  const config = path.join(dir, 'trailwatch.yml');
  writeFileSync(config, `rules: [${rules}]\nlists:\n  approved-tools: ['Terraform/*']\n`);
  const listed = await cli(['rules', 'list', '--format', 'jsonl', '--config', config]);
  expect(
    listed.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
  ).toEqual(['deploy-role-from-new-tool']);
  const tested = await cli(['rules', 'test', '--config', config]);
  expect(tested.code, tested.out + tested.err).toBe(0);
  // the same rule without the configuration's list fails its own test
  const bare = await cli(['rules', 'test', '--rules', rules], { cwd: tmpdir() });
  expect(bare.code).toBe(1);
  expect(bare.out + bare.err).toContain('terraform is approved in the configuration');
});
