/** The sentinel and persistence checks on the drill's own nodes: reads only. */
import { pairsToRecord } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Scenario } from '../scenario/schema.ts';
import { quote, type Probe } from './probe.ts';
import { Findings, type Group, type Outcome } from './replication.ts';
import { directiveOf } from './requirements.ts';

/** Each sentinel: monitors the primary (flags master), knows every replica linked to it, and the other sentinels. */
export async function checkSentinels(probe: Probe, dep: Deployment, g: Group, masterName: string): Promise<Outcome> {
  const f = new Findings();
  for (const s of dep.sentinels) {
    const masterReply = await probe.call(s, 'SENTINEL', 'MASTER', masterName);
    const m = masterReply.ok ? pairsToRecord(masterReply.value) : {};
    const monitors = m.ip === g.primary.ip && m.flags === 'master' && Number(m['num-slaves']) === g.replicas.length && Number(m['num-other-sentinels']) === dep.sentinels.length - 1;
    const replicasReply = await probe.call(s, 'SENTINEL', 'REPLICAS', masterName);
    const replicas = replicasReply.ok && Array.isArray(replicasReply.value) ? (replicasReply.value as unknown[]).map(pairsToRecord) : [];
    const linked = g.replicas.map((r) => {
      const seen = replicas.find((x) => x.ip === r.ip);
      const good = seen !== undefined && seen.flags === 'slave' && seen['master-link-status'] === 'ok' && seen['master-host'] === g.primary.ip;
      return { r, seen, good };
    });
    f.add(
      masterReply.ok
        ? `${s.name}: SENTINEL MASTER ${masterName} → ip ${m.ip} flags ${m.flags} num-slaves ${m['num-slaves']} num-other-sentinels ${m['num-other-sentinels']}${monitors ? '' : ` (expected ${g.primary.ip}, master, ${g.replicas.length} replicas, ${dep.sentinels.length - 1} other sentinels)`}`
        : `${s.name}: SENTINEL MASTER ${masterName} → ${quote(masterReply)}`,
      monitors,
    );
    for (const { r, seen, good } of linked) {
      f.add(
        seen
          ? `${s.name} sees ${r.name}: flags ${seen.flags}, master-link-status ${seen['master-link-status']}, master-host ${seen['master-host']}${good ? '' : ` (expected slave linked to ${g.primary.ip})`}`
          : `${s.name} does not list ${r.name} (${r.ip}) among the replicas of ${masterName}`,
        good,
      );
    }
  }
  return f.outcome();
}

/** appendonly as a boolean, whichever spelling the server uses (Redis yes/no, Ferrite true/false). */
function onOff(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return ['yes', 'true', '1'].includes(v.toLowerCase());
}

/**
 * CONFIG GET appendonly / save on every data node against what the scenario asks (the drill's default:
 * neither). A setting the server does not report is said so; nothing reported at all is "unsupported".
 */
export async function checkPersistence(probe: Probe, dep: Deployment, scenario: Scenario): Promise<Outcome> {
  const wantAof = onOff(directiveOf(scenario, 'appendonly'));
  const wantSave = (directiveOf(scenario, 'save') ?? '').trim().replace(/\s+/g, ' ');
  const f = new Findings();
  let reported = 0;
  for (const n of dep.dataNodes) {
    const read = async (name: string) => {
      const reply = await probe.call(n, 'CONFIG', 'GET', name);
      const rec = reply.ok && Array.isArray(reply.value) ? pairsToRecord(reply.value) : {};
      return { reply, value: rec[name] as string | undefined };
    };
    const aof = await read('appendonly');
    const save = await read('save');
    const parts: string[] = [];
    let good = true;
    if (aof.value === undefined) parts.push(`appendonly not reported (${quote(aof.reply)})`);
    else {
      reported++;
      const same = onOff(aof.value) === wantAof;
      good &&= same;
      parts.push(`appendonly ${aof.value}${same ? '' : ` (the scenario asks ${wantAof ? 'yes' : 'no'})`}`);
    }
    if (save.value === undefined) parts.push(`save not reported (${quote(save.reply)})`);
    else {
      reported++;
      const got = save.value.trim().replace(/\s+/g, ' ');
      const same = got === wantSave;
      good &&= same;
      parts.push(`save "${got}"${same ? '' : ` (the scenario asks "${wantSave}")`}`);
    }
    f.add(`${n.name}: ${parts.join(', ')}`, good);
  }
  return f.outcome(!f.ok ? 'fail' : reported === 0 ? 'unsupported' : 'pass');
}
