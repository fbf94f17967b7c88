// npm run audit:verify [-- --json]: verifies the whole audit chain of the configured store with the key kept outside
// it, and compares its end with the checkpoint (F20). Exit 0 when it holds, 1 when it does not, 2 on bad config.

import { parseArgs } from 'node:util';
import { auditTrail, loadAuditKey, openStore } from '../compose.ts';
import { ConfigError, loadConfig } from '../config.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
  const config = loadConfig({ ...process.env, DEMO: 'false' });
  const key = loadAuditKey(config);
  const store = await openStore(config, undefined, key);
  try {
    const trail = auditTrail(store, config, undefined, key);
    process.stderr.write('正在校验审计日志 / verifying the audit log…\n');
    const s = await trail.verify('full');
    if (values.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
    } else if (s.ok) {
      const cp = s.checkpoint ? `,与检查点一致(第 ${s.checkpoint.seq} 条,${s.checkpoint.at})` : ',尚无检查点';
      process.stdout.write(`审计日志完整:已校验 ${s.checked} 条,链尾第 ${s.head?.seq ?? 0} 条${cp}\n`);
      process.stdout.write(`the audit log holds: ${s.checked} records checked, ends at ${s.head?.seq ?? 0}${s.checkpoint ? `, matching the checkpoint at ${s.checkpoint.seq} (${s.checkpoint.where})` : ', no checkpoint yet'}\n`);
    } else {
      process.stdout.write(`审计日志校验未通过:${s.problem?.zh}\nverification failed: ${s.problem?.en}\n`);
    }
    return s.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `audit verification failed to run: ${e instanceof Error ? e.message : String(e)}`}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
