#!/usr/bin/env zx
// Prepares a machine for drills: a running Docker engine, and the images drills use (pulled when a
// registry answers, otherwise built from this host's Debian redis-server/redis-sentinel binaries).
// On a fresh Debian machine as root it installs what is missing with apt. Elsewhere it says what is
// missing in one sentence and exits 3.
import { $, fs, sleep } from 'zx';

// Quiet: zx would otherwise echo a failing probe's stderr ("Cannot connect to the Docker daemon" while this
// script is about to start one) and the images command's output a second time. What matters is said here.
$.verbose = false;
$.quiet = true;
const say = (msg) => process.stderr.write(`setup: ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`setup: ${msg}\n`);
  process.exit(3);
};

const isRoot = process.getuid?.() === 0;
const hasApt = fs.existsSync('/usr/bin/apt-get') && fs.existsSync('/etc/debian_version');
const have = async (cmd) => (await $`command -v ${cmd}`.quiet().nothrow()).exitCode === 0;
const dockerAnswers = async () => (await $`docker info`.quiet().nothrow().timeout('10s')).exitCode === 0;

// Packages: the engine, iptables (Docker and the fault helper need it), and the Redis binaries that the
// offline image build copies (only used when no registry answers, but cheap to have).
const wanted = [
  ['dockerd', 'docker.io'],
  ['iptables', 'iptables'],
  ['ip', 'iproute2'],
  ['redis-server', 'redis-server'],
  ['redis-sentinel', 'redis-sentinel'],
  ['redis-cli', 'redis-tools'],
  ['redis-benchmark', 'redis-tools'],
  // TLS drills make a throwaway CA for each run with openssl.
  ['openssl', 'openssl'],
  // Drills with HAProxy in front build its image from this host's binary when no registry answers.
  ['haproxy', 'haproxy'],
  // A suite's report.pdf is printed by headless Chromium (without it the suite says so and goes on);
  // the test suite also checks the HTML report in it, junit.xml with xmllint, and the PDF's pages
  // with poppler-utils (pdftoppm, pdftotext).
  ['chromium', 'chromium'],
  ['xmllint', 'libxml2-utils'],
  ['pdftoppm', 'poppler-utils'],
  ['pdftotext', 'poppler-utils'],
  // Only for the test suite: the attach test brings docker/compose/sentinel-ha.yml up with testcontainers'
  // DockerComposeEnvironment, which needs a Compose implementation (Debian 12 has v1, docker-compose).
  ['docker-compose', 'docker-compose'],
];
const missing = [];
for (const [cmd, pkg] of wanted) if (!(await have(cmd)) && !missing.includes(pkg)) missing.push(pkg);

if (missing.length > 0) {
  const needsDocker = missing.includes('docker.io') && !(await dockerAnswers());
  if (!isRoot || !hasApt) {
    if (needsDocker) {
      fail(`no Docker engine here and it cannot be installed automatically (${!isRoot ? 'not root' : 'not Debian/apt'}); install Docker (https://docs.docker.com/engine/install/) and run this again.`);
    }
    say(`not installing ${missing.join(', ')} (${!isRoot ? 'not root' : 'no apt'}); drills will pull upstream images instead.`);
  } else {
    say(`installing ${missing.join(' ')} with apt ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await $({ env })`apt-get update -qq`;
    await $({ env })`apt-get install -y -qq --no-install-recommends ${missing}`;
  }
}

if (!(await dockerAnswers())) {
  if (!isRoot || !(await have('dockerd'))) {
    fail('the Docker engine is not running and this script cannot start it (needs root and dockerd); start Docker and run this again.');
  }
  say('starting dockerd in the background (log: /var/log/dockerd.log) ...');
  await $`sh -c ${'nohup dockerd >/var/log/dockerd.log 2>&1 &'}`;
  for (let i = 0; i < 60 && !(await dockerAnswers()); i++) await sleep(1000);
  if (!(await dockerAnswers())) fail('dockerd did not come up within 60 s; see /var/log/dockerd.log.');
}
say(`Docker engine ${(await $`docker version --format {{.Server.Version}}`).stdout.trim()} is running.`);

// Get (pull or build) the images now, so the first drill does not pay for it and says which it used.
const images = await $`node ${new URL('../bin/ferrite-drill.mjs', import.meta.url).pathname} images`.quiet().nothrow();
process.stderr.write(images.stderr);
process.stdout.write(images.stdout);
if (images.exitCode !== 0) process.exit(images.exitCode);
say('ready: run a drill with `npx ferrite-drill run primary-crash`.');
