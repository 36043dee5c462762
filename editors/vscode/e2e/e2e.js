// Drives a real VS Code (code-server) in headless Chromium, as a person would: open the
// fixture's Dockerfile and compose files, wait for dockwise's findings in the Problems panel,
// apply a quick fix from the lightbulb menu, save, and check the file on disk.
//
//   node e2e.js <code-server url> <workspace folder> <screenshot path> <scratch folder>
//
// run.sh starts code-server and calls this. The CSS selectors are VS Code internals of the
// pinned code-server version (package.json); a code-server upgrade may need them updated.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const [url, workspace, screenshot, scratch] = process.argv.slice(2);
// E2E_NOT_FOUND=<binary>: the journey of someone who installed the universal package without
// a server: the notification, its Open Settings button, and the server running once the
// setting names <binary>. Without it: the full journey with a server found at start.
const notFoundServer = process.env.E2E_NOT_FOUND;
const t0 = Date.now();
const log = (what) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);

let passed = 0;
let failed = 0;
function check(ok, what) {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
  if (ok) passed++;
  else failed++;
  return ok;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = page.locator('.markers-panel .monaco-list-row');
  const problemRow = (text) => problems.filter({ hasText: text }).first();

  // Quick Open, then a click on the row whose label is exactly the name: pressing Enter
  // raced the list's filtering when two files share a prefix (compose.yaml, compose-dev.yaml).
  async function openFile(name) {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(name);
    const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exact }) })
      .first()
      .click();
    await page.waitForSelector(`.tab[data-resource-name="${name}"]`, { timeout: 15000 });
    log(`opened ${name}`);
  }

  // Runs a command from the Command Palette by its title, as a user would.
  async function runCommand(title) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(title);
    await page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: title })
      .first()
      .click();
    log(`ran ${title}`);
  }

  // The extension's output channel as written to disk (the log of every run of the server).
  function channelLog() {
    const found = fs
      .readdirSync(path.join(scratch, 'data', 'logs'), { recursive: true })
      .find((f) => path.basename(f) === 'dockwise.log');
    return found ? fs.readFileSync(path.join(scratch, 'data', 'logs', found), 'utf8') : '';
  }

  async function languageMode() {
    return (await page.locator('[id="status.editor.mode"]').first().textContent())?.trim();
  }

  async function dumpProblems() {
    const rows = await problems.allTextContents();
    log(`problems panel: ${JSON.stringify(rows)}`);
    return rows;
  }

  async function step(what, body) {
    try {
      return check(await body(), what);
    } catch (e) {
      check(false, `${what}: ${e.message.split('\n')[0]}`);
      return false;
    }
  }

  try {
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    log('workbench loaded');

    await openFile('Dockerfile');
    if (notFoundServer) {
      await serverNotFound();
      return;
    }
    // run.sh's settings give dockwise.server.extraArgs `--log-file <scratch>/server.log`.
    await step('dockwise.server.extraArgs reach the server (--log-file gets its log)', async () => {
      const file = path.join(scratch, 'server.log');
      const written = () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').length > 0;
      for (let i = 0; i < 50 && !written(); i++) await page.waitForTimeout(200);
      return written();
    });
    await page.keyboard.press('Control+Shift+M'); // the Problems panel
    await step('Dockerfile: DF008 (shell-form CMD) shows in the Problems panel', async () => {
      await problemRow('DF008').waitFor({ timeout: 30000 });
      return true;
    });
    log(`Dockerfile language mode: ${await languageMode()}`);

    await openFile('compose.yaml');
    await step('compose.yaml: CP001 (schema) shows in the Problems panel', async () => {
      await problems.filter({ hasText: 'compose.yaml' }).first().waitFor({ timeout: 30000 });
      await problemRow('CP001').waitFor({ timeout: 30000 });
      return true;
    });
    const composeMode = await languageMode();
    log(`compose.yaml language mode: ${composeMode}`);

    // A name VS Code does not map to Compose: reaches the server through the yaml+pattern
    // document selector.
    await openFile('compose-dev.yaml');
    await step('compose-dev.yaml (language YAML): findings show in the Problems panel', async () => {
      await problems.filter({ hasText: 'compose-dev.yaml' }).first().waitFor({ timeout: 30000 });
      return true;
    });
    log(`compose-dev.yaml language mode: ${await languageMode()}`);

    // VS Code's own `Dockerfile.*` pattern would open a Dockerfile's ignore file as a
    // Dockerfile; the extension maps `*.dockerignore` to the Ignore language instead.
    await openFile('Dockerfile.dockerignore');
    await step('Dockerfile.dockerignore opens as Ignore, not as a Dockerfile', async () => {
      // The status bar follows the new editor a moment after its tab appears.
      let mode;
      for (let i = 0; i < 25 && mode !== 'Ignore'; i++) {
        if (i > 0) await page.waitForTimeout(200);
        mode = await languageMode();
      }
      log(`Dockerfile.dockerignore language mode: ${mode}`);
      return mode === 'Ignore';
    });
    await dumpProblems();

    // The quick fix, from the Problems panel as a user would: select the finding (which
    // reveals it in the editor), wait for its light bulb, and click it. The panel asks for a
    // finding's fixes only once the row is hovered or selected, and shows the bulb disabled
    // until they arrive; a Ctrl+. pressed before that opens nothing.
    await openFile('Dockerfile');
    const row = problemRow('DF008');
    await row.hover();
    await row.click();
    const bulb = row.locator('.markers-panel-action-quickfix:not(.disabled)');
    const bulbShown = await step('the DF008 row in the Problems panel gets an enabled light bulb', async () => {
      await bulb.waitFor({ timeout: 15000 });
      return true;
    });
    if (bulbShown) await bulb.click();
    const fix = page.locator('.context-view').getByText(/^Rewrite as CMD/).first();
    const menuShown = await step('the DF008 quick fix is offered', async () => {
      try {
        await fix.waitFor({ timeout: 15000 });
      } catch (e) {
        log(`menus open: ${JSON.stringify(await page.locator('.context-view').allInnerTexts())}`);
        throw e;
      }
      return true;
    });
    // The picture for the README: both files' findings and the fix about to be applied
    // (after the menu's fade-in, which would otherwise leave it half transparent).
    await page.waitForTimeout(600);
    await page.screenshot({ path: screenshot });
    log(`screenshot saved to ${screenshot}`);
    if (menuShown) {
      await fix.click();
      await step('the fix rewrote the CMD line in the editor', async () => {
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('.editor-instance .view-lines .view-line')].some((l) =>
              l.textContent.replace(/\u00a0/g, ' ').startsWith('CMD ["node", "server.js"]'),
            ),
          null,
          { timeout: 15000 },
        );
        return true;
      });
      await step('DF008 left the Problems panel', async () => {
        await problemRow('DF008').waitFor({ state: 'detached', timeout: 15000 });
        return true;
      });
      // Save through the UI and read the file back: the edit reached the disk.
      await page.locator('.editor-instance .view-lines').first().click();
      await page.keyboard.press('Control+S');
      await step('the saved Dockerfile on disk has the exec-form CMD', async () => {
        const file = path.join(workspace, 'Dockerfile');
        for (let i = 0; i < 50; i++) {
          if (fs.readFileSync(file, 'utf8').includes('CMD ["node", "server.js"]')) return true;
          await page.waitForTimeout(200);
        }
        log(`Dockerfile on disk:\n${fs.readFileSync(file, 'utf8')}`);
        return false;
      });
      await dumpProblems();
      await page.screenshot({ path: path.join(scratch, 'after-fix.png') });
    }

    // The setting for people who also run Red Hat's YAML extension, changed as a user would,
    // in settings.json: VS Code tells the extension, the server pulls the settings again, and
    // the schema findings (CP001) leave while the other compose rules stay.
    await step('dockwise.compose.schemaValidation false takes CP001 out of the Problems panel', async () => {
      await page.keyboard.press('Control+Comma');
      await page.waitForSelector('.settings-editor', { timeout: 15000 });
      // The settings editor opens with its search box focused.
      await page.keyboard.type('dockwise.compose.schemaValidation');
      const box = page.locator('.settings-editor .setting-item-bool .setting-value-checkbox').first();
      await box.waitFor({ timeout: 15000 });
      await box.click();
      await problemRow('CP001').waitFor({ state: 'detached', timeout: 20000 });
      const rows = await dumpProblems();
      return rows.some((r) => r.includes('CP020'));
    });

    // The two commands. Show Output: the channel names the binary that was started.
    await step('"dockwise: Show Output" shows the dockwise channel with the server traffic', async () => {
      await runCommand('dockwise: Show Output');
      // The panel's channel picker names the channel on show; its text scrolls to the end,
      // so the lines on screen are the latest: the protocol trace of the server it started.
      const shown = async () =>
        page.evaluate(() => ({
          channels: [...document.querySelectorAll('.panel select')].map((s) => s.selectedOptions[0]?.textContent),
          text: [...document.querySelectorAll('.panel .view-lines')].map((l) => l.textContent).join(' '),
        }));
      let state;
      for (let i = 0; i < 50; i++) {
        state = await shown();
        if (state.channels.includes('dockwise') && /textDocument\//.test(state.text)) return true;
        await page.waitForTimeout(200);
      }
      log(`output panel: ${JSON.stringify(state).slice(0, 400)}`);
      return false;
    });
    // Restart Server: a second server starts and reports a finding typed after the restart.
    await step('"dockwise: Restart Server" starts a new server that checks new text', async () => {
      const starts = () => (channelLog().match(/starting \S*dockwise lsp/g) || []).length;
      const before = starts();
      await runCommand('dockwise: Restart Server');
      for (let i = 0; i < 50 && starts() === before; i++) await page.waitForTimeout(200);
      log(`server starts in the channel log: ${before} -> ${starts()}`);
      await openFile('Dockerfile');
      await page.locator('.editor-instance .view-lines').first().click();
      await page.keyboard.press('Control+End');
      // DF020 (unknown instruction) is an error, so it is listed; style findings such as a
      // lower-case keyword show as hints, which the Problems panel leaves out.
      await page.keyboard.type('\nRUNN echo restarted');
      await page.keyboard.press('Control+Shift+M');
      await problemRow('DF020').waitFor({ timeout: 20000 });
      return starts() === before + 1;
    });
  } catch (e) {
    check(false, `harness: ${e.message.split('\n')[0]}`);
  } finally {
    if (failed > 0) {
      await page.screenshot({ path: path.join(scratch, 'failure.png') }).catch(() => undefined);
      await dumpProblems().catch(() => undefined);
      log(`failure screenshot: ${path.join(scratch, 'failure.png')}`);
    }
    await browser.close();
    log('done');
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
  }

  async function serverNotFound() {
    const toast = page
      .locator('.notifications-toasts .notification-list-item')
      .filter({ hasText: 'the language server was not found' })
      .first();
    await step('with no server anywhere, a notification says dockwise was not found', async () => {
      await toast.waitFor({ timeout: 20000 });
      log(`notification: ${(await toast.innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
      return true;
    });
    await page.screenshot({ path: screenshot });
    await step('its Open Settings button opens the dockwise.server.path setting', async () => {
      await toast.getByRole('button', { name: 'Open Settings' }).click();
      await page.waitForSelector('.settings-editor', { timeout: 15000 });
      await page
        .locator('.settings-editor .setting-item')
        .filter({ hasText: 'Absolute path of the' })
        .first()
        .waitFor({ timeout: 15000 });
      return true;
    });
    await step('once the setting names the binary, the server starts and DF008 shows', async () => {
      const input = page
        .locator('.settings-editor .setting-item')
        .filter({ hasText: 'Absolute path of the' })
        .locator('input')
        .first();
      await input.click();
      await input.fill(notFoundServer);
      await input.press('Tab');
      await page.keyboard.press('Control+Shift+M');
      await problemRow('DF008').waitFor({ timeout: 30000 });
      return true;
    });
  }
}

main();
