/** Every action the timeline can name (`action: promote`, ...), one module each. */
import type { ActionKind } from './kind.ts';
import { promote } from './kinds/promote.ts';
import { repoint } from './kinds/repoint.ts';
import { switchover } from './kinds/switchover.ts';
import { verifyWrite } from './kinds/verifyWrite.ts';

export const ACTION_REGISTRY = [promote, repoint, switchover, verifyWrite] as const;

export function actionKind(name: string): ActionKind {
  const kind = ACTION_REGISTRY.find((k) => k.name === name);
  if (!kind) throw new Error(`unknown action "${name}"`);
  return kind as unknown as ActionKind;
}
