// Opens the department board page in Debian's Chromium (headless, never a downloaded browser) and answers the xUnit
// test's commands, one a line on stdin, with one line on stdout each:
//   WAIT_ENTRY <referral> <stage>            -> ENTRY <referral> <stage>         (the card is in that stage's column)
//   TIME_LEFT <referral>                     -> TIME_LEFT <referral> <seconds>   (the countdown to the 2 h mark)
//   WAIT_TIME_LEFT_BELOW <referral> <secs>   -> TIME_LEFT <referral> <seconds>
//   WAIT_CLASS <referral> <class>            -> CLASS <referral> <class>         (e.g. overdue, escalated)
//   QUIT                                     -> BYE, then exits 0
// Start: `node board-page.mjs <page url>` with the bearer token in IRSUITE_BOARD_TOKEN; prints READY once the page,
// signed in with the token, shows its feed live. Any failure prints ERROR <message> and exits 1.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const WAIT_MS = 30000;
const url = process.argv[2];
const token = process.env.IRSUITE_BOARD_TOKEN;
const say = (line) => process.stdout.write(`${line}\n`);

const profile = mkdtempSync(join(tmpdir(), 'irsuite-board-chromium-'));
let context;

async function close() {
  try {
    if (context) await context.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

async function fail(error) {
  say(`ERROR ${String(error && error.message ? error.message : error).split('\n')[0]}`);
  await close().catch(() => {});
  process.exit(1);
}

const card = (referral) => `article.card[data-referral-id="${referral}"]`;

async function timeLeft(page, referral) {
  return page.$eval(`${card(referral)} .countdown`, (node) => Number(node.dataset.secondsLeft));
}

async function run() {
  if (!url || !token) throw new Error('usage: IRSUITE_BOARD_TOKEN=... node board-page.mjs <page url>');
  // A fresh profile (user-data-dir) each run; no network beyond the page's own origin.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('#open');
  await page.waitForSelector('#status[data-state="live"]');
  say('READY');

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const [command, referral, argument] = line.trim().split(/\s+/);
    switch (command) {
      case 'WAIT_ENTRY':
        await page.waitForSelector(`section.column[data-stage="${argument}"] ${card(referral)}`);
        say(`ENTRY ${referral} ${argument}`);
        break;
      case 'TIME_LEFT':
        await page.waitForSelector(`${card(referral)} .countdown`);
        say(`TIME_LEFT ${referral} ${await timeLeft(page, referral)}`);
        break;
      case 'WAIT_TIME_LEFT_BELOW':
        await page.waitForFunction(
          ([selector, limit]) => {
            const node = document.querySelector(`${selector} .countdown`);
            return node !== null && Number(node.dataset.secondsLeft) < limit;
          },
          [card(referral), Number(argument)],
          { timeout: WAIT_MS },
        );
        say(`TIME_LEFT ${referral} ${await timeLeft(page, referral)}`);
        break;
      case 'WAIT_CLASS':
        await page.waitForSelector(`${card(referral)}.${argument}`);
        say(`CLASS ${referral} ${argument}`);
        break;
      case 'QUIT':
        await close();
        say('BYE');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown command '${line}'`);
    }
  }
  await close();
}

run().catch(fail);
