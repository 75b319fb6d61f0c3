/**
 * An attached run's record: a container that is created and never started, labelled like everything
 * the run owns and listing the user's containers it drills. A run that ends removes it; one that is
 * killed leaves it, and `clean` then starts, unpauses and continues those containers (cleanup.ts).
 */
import { docker, runLabels, ATTACH_RECORD_NODE, LABEL_ATTACHED, LABEL_NODE } from './client.ts';
import { NETTOOLS_IMAGE } from './images.ts';
import { ignoreMissing } from './runtime.ts';

export async function createAttachRecord(runId: string, containerIds: string[]): Promise<string> {
  const c = await docker().createContainer({
    name: `fd-${runId}-attach-record`,
    Image: NETTOOLS_IMAGE,
    Cmd: ['true'],
    Labels: runLabels(runId, { [LABEL_NODE]: ATTACH_RECORD_NODE, [LABEL_ATTACHED]: containerIds.join(',') }),
    HostConfig: { NetworkMode: 'none' },
  });
  return c.id;
}

export async function removeAttachRecord(id: string): Promise<void> {
  await docker().getContainer(id).remove({ force: true }).catch(ignoreMissing);
}
