#!/usr/bin/env node
// Browser end-to-end run: the accounts pages of a real biginbox server driven by headless Chromium.
//
//   node e2e/browser.mjs [--backend sqlite|postgres] [--bin PATH] [--chromium PATH]
//
// On a fresh database it starts `biginbox serve` on a free port and, through the pages, signs up,
// registers a server-based client, signs out (the console then asks to sign in), signs in again
// through the authorization page, goes through the consent page (accepting once, refusing once),
// registers a Self Client and generates and downloads a grant code; the codes are exchanged from
// node and the tokens used against the Bigin API. A second organization is added with the CLI.
// It also takes the README's screenshots: into e2e/reports/, or into docs/images/ with
// BIGINBOX_UPDATE_SCREENSHOTS=1. On failure it saves a screenshot as
// e2e/reports/failure-<step>-<backend>.png; the server's log goes to e2e/reports/ in every case.
//
// Needs Chromium (Debian: `apt-get install -y chromium`) and `npm ci` in e2e/ for playwright-core.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

import {
    Failure,
    REPO,
    REPORTS,
    cliJson,
    freePort,
    onCleanup,
    parseOptions,
    prepare,
    runAndExit,
    serve,
    stop,
    stopIfInterrupted,
    waitHealthy,
} from './harness.mjs';

const IMAGES = path.join(REPO, 'docs', 'images');
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];
const VIEWPORT = { width: 1100, height: 800 };
const ACTION_TIMEOUT_MS = 15_000;

const USER = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    password: 'browser-e2e-password',
};
const ALPHA = 'Alpha Org';
const BETA = 'Beta Org';
const APP_NAME = 'Browser E2E App';
const SCOPE = 'ZohoBigin.modules.ALL,ZohoBigin.org.READ';

const USAGE = 'usage: node e2e/browser.mjs [--backend sqlite|postgres] [--bin PATH] [--chromium PATH]';

function options() {
    const { backend, bin, chromium: chromiumPath } = parseOptions(USAGE, {
        defaultBackend: 'sqlite',
        extra: { chromium: { type: 'string', default: process.env.BIGINBOX_CHROMIUM || DEFAULT_CHROMIUM } },
    });
    if (!existsSync(chromiumPath)) {
        throw new Failure(`no Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\`, or pass --chromium`);
    }
    return { backend, bin, chromiumPath };
}

// ---------- checks and HTTP helpers ----------

function check(condition, message) {
    if (!condition) throw new Failure(message);
}

function equal(actual, expected, what) {
    check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** POST /oauth/v2/token with a form body; the JSON answer. */
async function token(baseUrl, fields) {
    const res = await fetch(`${baseUrl}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
    });
    const text = await res.text();
    try {
        return { status: res.status, body: JSON.parse(text) };
    } catch {
        throw new Failure(`POST /oauth/v2/token answered HTTP ${res.status} without JSON: ${text.slice(0, 300)}`);
    }
}

/** Checks a successful authorization_code exchange and returns its body. */
async function exchange(baseUrl, fields, what) {
    const { status, body } = await token(baseUrl, { grant_type: 'authorization_code', ...fields });
    const shown = JSON.stringify(body);
    check(status === 200 && !body.error, `${what}: POST /oauth/v2/token answered HTTP ${status} ${shown}`);
    for (const key of ['access_token', 'refresh_token', 'api_domain']) {
        check(typeof body[key] === 'string' && body[key] !== '', `${what}: token answer without ${key}: ${shown}`);
    }
    equal(body.token_type, 'Bearer', `${what}: token_type`);
    equal(body.expires_in, 3600, `${what}: expires_in`);
    return body;
}

/** GET /bigin/v2/org with a token; the company name it reports. */
async function orgName(tokens, what) {
    const res = await fetch(`${tokens.api_domain}/bigin/v2/org`, {
        headers: { authorization: `Zoho-oauthtoken ${tokens.access_token}` },
    });
    const text = await res.text();
    check(res.status === 200, `${what}: GET ${tokens.api_domain}/bigin/v2/org answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text);
    check(Array.isArray(body.org) && body.org.length === 1, `${what}: GET /bigin/v2/org should list one org: ${text.slice(0, 300)}`);
    return body.org[0].company_name;
}

/** The query parameters of a redirect URL. */
function paramsOf(url) {
    return Object.fromEntries(new URL(url).searchParams);
}

/** Fails with the page's own error message when the server rendered one instead of moving on. */
async function pageError(page) {
    const alert = page.locator('[role=alert]');
    if (await alert.count()) return ` (the page says: ${(await alert.first().innerText()).trim()})`;
    return '';
}

async function expectPath(page, pathname, what) {
    try {
        await page.waitForURL((url) => url.pathname === pathname);
    } catch {
        throw new Failure(`${what}: expected to land on ${pathname}, the browser is on ${page.url()}${await pageError(page)}`);
    }
}

/** A PNG of the viewport, cut off a little below the page's card so that it has no empty tail. */
async function screenshot(page) {
    const box = await page.locator('main').boundingBox();
    const height = Math.min(VIEWPORT.height, Math.ceil((box?.y ?? 0) + (box?.height ?? VIEWPORT.height) + 32));
    return page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: VIEWPORT.width, height } });
}

// ---------- the scenario ----------

async function main() {
    const { backend, bin, chromiumPath } = options();
    const { workDir, port, baseUrl: base, globalArgs } = await prepare('browser', backend);
    let callbackPort = await freePort();
    while (callbackPort === port) callbackPort = await freePort();
    const callback = `http://127.0.0.1:${callbackPort}/callback`;

    const logPath = path.join(REPORTS, `server-browser-${backend}.log`);
    const server = serve(bin, globalArgs, port, logPath);
    await waitHealthy(server, base);

    stopIfInterrupted();
    const context = await chromium.launchPersistentContext(path.join(workDir, 'chromium-profile'), {
        executablePath: chromiumPath,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: VIEWPORT,
        acceptDownloads: true,
        // Our own signal handlers clean up (server, database, temp dir) and close the browser.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
    });
    onCleanup(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    const scriptErrors = [];
    page.on('pageerror', (err) => scriptErrors.push(err.message));

    // Every request to the client's redirect URI is answered here: nothing listens on that port.
    const callbacks = [];
    await context.route(`${callback}**`, (route) => {
        callbacks.push(route.request().url());
        return route.fulfill({ status: 200, contentType: 'text/plain', body: 'ok' });
    });

    /** Follows the consent form's redirect to the callback and returns its parameters. */
    async function followToCallback(button, what) {
        const before = callbacks.length;
        await page.locator(button).click();
        try {
            await page.waitForURL((url) => url.href.startsWith(callback));
        } catch {
            throw new Failure(`${what}: no redirect to ${callback}; the browser is on ${page.url()}${await pageError(page)}`);
        }
        equal(callbacks.length, before + 1, `${what}: requests to the callback`);
        return paramsOf(callbacks[before]);
    }

    function authorizeUrl(clientId, state, extra = {}) {
        const query = new URLSearchParams({
            scope: SCOPE,
            client_id: clientId,
            response_type: 'code',
            access_type: 'offline',
            redirect_uri: callback,
            state,
            ...extra,
        });
        return `${base}/oauth/v2/auth?${query}`;
    }

    const steps = [];
    const step = (name, run) => steps.push({ name, run });
    const shots = {};
    const ids = {};

    step('sign up through /signup', async () => {
        const res = await page.goto(`${base}/signup`);
        equal(res?.status(), 200, 'GET /signup status');
        await page.locator('#first_name').fill(USER.firstName);
        await page.locator('#last_name').fill(USER.lastName);
        await page.locator('#email').fill(USER.email);
        await page.locator('#password').fill(USER.password);
        await page.locator('#org_name').fill(ALPHA);
        await page.locator('#signup').click();
        await expectPath(page, '/console', 'after sign-up');
        await page.locator('h1', { hasText: 'Clients' }).waitFor();
    });

    step('second organization with `biginbox orgs create`', async () => {
        const created = await cliJson(
            bin,
            ['orgs', 'create', '--name', BETA, '--admin-email', USER.email, '--json', ...globalArgs],
            ['org_id', 'admin_email'],
        );
        equal(created.admin_email, USER.email, 'orgs create: admin_email');
        ids.beta = created.org_id;
        await page.reload();
        const orgs = await page.locator('#switch_org option').allInnerTexts();
        check(orgs.some((o) => o.startsWith(BETA)), `the console's organization switcher does not list ${BETA}: ${JSON.stringify(orgs)}`);
    });

    step('register a server-based client', async () => {
        await page.locator('h2', { hasText: '+ Add client' }).waitFor();
        await page.locator('#add-server-based').click();
        await page.locator('#name').fill(APP_NAME);
        await page.locator('#homepage').fill(`http://127.0.0.1:${callbackPort}/`);
        await page.locator('#redirect_uris').fill(callback);
        await page.locator('#save').click();
        try {
            await page.locator('#client_secret').waitFor();
        } catch {
            throw new Failure(`no client secret shown after saving the client; the browser is on ${page.url()}${await pageError(page)}`);
        }
        ids.server = {
            client_id: (await page.locator('#client_id').innerText()).trim(),
            client_secret: (await page.locator('#client_secret').innerText()).trim(),
        };
        check(ids.server.client_id && ids.server.client_secret, `empty client id or secret: ${JSON.stringify(ids.server)}`);
        await page.locator('h1', { hasText: APP_NAME }).waitFor();
    });

    step('sign out: the session ends and the console asks to sign in', async () => {
        await page.locator('button', { hasText: 'Sign out' }).click();
        await expectPath(page, '/signin', 'after sign-out');
        await page.locator('#signin').waitFor();
        const cookies = await context.cookies(base);
        check(!cookies.some((c) => c.name === 'bb_session' && c.value), `the session cookie survived sign-out: ${JSON.stringify(cookies)}`);
        await page.goto(`${base}/console`);
        await expectPath(page, '/signin', 'the console after sign-out');
        check(new URL(page.url()).searchParams.get('next') === '/console', `sign-in does not lead back to the console: ${page.url()}`);
    });

    step('sign in again through the authorization page', async () => {
        const state = randomBytes(8).toString('hex');
        ids.consentState = state;
        const res = await page.goto(authorizeUrl(ids.server.client_id, state));
        equal(res?.status(), 200, 'GET /oauth/v2/auth status (signed out)');
        await page.locator('#signin').waitFor();
        await page.locator('#password').fill('not the password');
        await page.locator('#email').fill(USER.email);
        await page.locator('#signin').click();
        await page.locator('[role=alert]', { hasText: 'Invalid email address or password.' }).waitFor();
        await page.locator('#email').fill(USER.email);
        await page.locator('#password').fill(USER.password);
        await page.locator('#signin').click();
        await expectPath(page, '/oauth/v2/auth', 'after signing in');
    });

    step('consent: pick Beta Org and accept', async () => {
        const state = ids.consentState;
        const picker = page.locator('#org_id');
        try {
            await picker.waitFor();
        } catch {
            throw new Failure(`no organization picker on the consent page (${page.url()})${await pageError(page)}`);
        }
        const options = (await picker.locator('option').allInnerTexts()).map((o) => o.trim()).sort();
        equal(JSON.stringify(options), JSON.stringify([`${ALPHA} (US)`, `${BETA} (US)`]), 'consent organization options');
        await page.locator('#accept').waitFor();
        await page.locator('#reject').waitFor();
        shots.consent = await screenshot(page);
        const chosen = await picker.selectOption({ label: `${BETA} (US)` });
        equal(JSON.stringify(chosen), JSON.stringify([ids.beta]), 'the Beta Org option value (its org id)');
        const params = await followToCallback('#accept', 'accept');
        check(params.code, `the redirect carries no code: ${JSON.stringify(params)}`);
        check(!params.error, `the redirect carries an error: ${JSON.stringify(params)}`);
        equal(params.state, state, 'redirect state');
        equal(params.location, 'us', 'redirect location');
        equal(params['accounts-server'], base, 'redirect accounts-server');
        ids.serverCode = params.code;
    });

    step('exchange the code; the token sees Beta Org; the code works once', async () => {
        const fields = {
            client_id: ids.server.client_id,
            client_secret: ids.server.client_secret,
            redirect_uri: callback,
            code: ids.serverCode,
        };
        const tokens = await exchange(base, fields, 'server-based code');
        equal(await orgName(tokens, 'server-based token'), BETA, 'GET /bigin/v2/org company_name');
        const again = await token(base, { grant_type: 'authorization_code', ...fields });
        equal(JSON.stringify(again.body), JSON.stringify({ error: 'invalid_code' }), 'second exchange of the same code');
    });

    step('consent: reject', async () => {
        const state = randomBytes(8).toString('hex');
        // prompt=consent: the page shows even when the user granted these scopes before.
        await page.goto(authorizeUrl(ids.server.client_id, state, { prompt: 'consent' }));
        try {
            await page.locator('#reject').waitFor();
        } catch {
            throw new Failure(`no Reject button on the second consent page (${page.url()})${await pageError(page)}`);
        }
        const params = await followToCallback('#reject', 'reject');
        equal(params.error, 'access_denied', 'redirect error');
        equal(params.state, state, 'redirect state');
        check(!params.code, `a refused authorization redirected with a code: ${JSON.stringify(params)}`);
    });

    step('Self Client: generate, download and exchange a code for Alpha Org', async () => {
        await page.goto(`${base}/console`);
        await page.locator('#add-self').click();
        await page.locator('#save').click();
        try {
            await page.locator('#client_secret').waitFor();
        } catch {
            throw new Failure(`no client secret shown after saving the Self Client; the browser is on ${page.url()}${await pageError(page)}`);
        }
        const self = {
            client_id: (await page.locator('#client_id').innerText()).trim(),
            client_secret: (await page.locator('#client_secret').innerText()).trim(),
        };
        const scope = await page.locator('#scope').inputValue();
        check(scope.trim() !== '', 'the Generate Code scope field is not prefilled');
        const durations = (await page.locator('#duration option').allInnerTexts()).map((d) => d.trim());
        equal(JSON.stringify(durations), JSON.stringify(['3 minutes', '5 minutes', '7 minutes', '10 minutes']), 'durations offered');
        await page.locator('#duration').selectOption({ label: '5 minutes' });
        await page.locator('#description').fill('browser e2e');
        const [alphaId] = await page.locator('#code_org').selectOption({ label: ALPHA });
        check(alphaId && alphaId !== ids.beta, `the ${ALPHA} option has no id of its own: ${alphaId}`);
        await page.locator('#generate').click();
        const codeLocator = page.locator('#code');
        try {
            await codeLocator.waitFor();
        } catch {
            throw new Failure(`no code shown after Generate Code; the browser is on ${page.url()}${await pageError(page)}`);
        }
        const code = (await codeLocator.innerText()).trim();
        const link = page.locator('#download');
        check((await link.getAttribute('href'))?.startsWith('data:'), 'the Download as JSON link is not a data: URL');
        check((await link.getAttribute('download')) !== null, 'the Download as JSON link has no download attribute');
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        const failed = await download.failure();
        check(failed === null, `the download failed: ${failed}`);
        const file = JSON.parse(await readFile(await download.path(), 'utf8'));
        const shown = JSON.stringify(file);
        for (const key of ['code', 'client_id', 'grant_type', 'expiry_time', 'scope', 'org_id']) {
            check(key in file, `the downloaded JSON has no ${key}: ${shown}`);
        }
        equal(file.code, code, 'downloaded code');
        equal(file.client_id, self.client_id, 'downloaded client_id');
        equal(file.grant_type, 'authorization_code', 'downloaded grant_type');
        equal(file.org_id, alphaId, 'downloaded org_id');
        check(typeof file.expiry_time === 'number' && file.expiry_time > Date.now(), `downloaded expiry_time is not in the future: ${shown}`);
        const scopes = [].concat(file.scope).join(',');
        check(scopes.split(',').every((s) => scope.includes(s.trim())), `downloaded scope ${shown} is not the requested ${scope}`);
        const tokens = await exchange(base, { ...self, code }, 'Self Client code');
        equal(await orgName(tokens, 'Self Client token'), ALPHA, 'GET /bigin/v2/org company_name');
        ids.self = self;
    });

    step('anti-framing headers on the console', async () => {
        const res = await page.goto(`${base}/console`);
        equal(res?.status(), 200, 'GET /console status');
        const headers = res.headers();
        equal((headers['x-frame-options'] || '').toUpperCase(), 'DENY', 'x-frame-options');
        const csp = headers['content-security-policy'] || '';
        check(/(^|;)\s*frame-ancestors\s+'none'\s*(;|$)/.test(csp), `content-security-policy has no frame-ancestors 'none': ${JSON.stringify(csp)}`);
    });

    step('screenshots for the README', async () => {
        const rows = page.locator('#clients tr', { has: page.locator('td') });
        await rows.first().waitFor();
        const listed = await rows.allInnerTexts();
        for (const id of [ids.server.client_id, ids.self.client_id]) {
            check(listed.some((row) => row.includes(id)), `the console does not list client ${id}: ${JSON.stringify(listed)}`);
        }
        equal(listed.length, 2, 'clients listed in the console');
        shots.console = await screenshot(page);
        // The README's pictures change only when asked for; every run keeps its own in e2e/reports.
        const target = process.env.BIGINBOX_UPDATE_SCREENSHOTS ? IMAGES : REPORTS;
        await mkdir(target, { recursive: true });
        await writeFile(path.join(target, 'console.png'), shots.console);
        await writeFile(path.join(target, 'consent.png'), shots.consent);
    });

    for (const [index, { name, run }] of steps.entries()) {
        const number = index + 1;
        try {
            stopIfInterrupted();
            await run();
            if (scriptErrors.length) throw new Failure(`JavaScript error on the page: ${scriptErrors.join('; ')}`);
            console.log(`  ok ${number} ${name}`);
        } catch (err) {
            const shot = path.join(REPORTS, `failure-${number}-${backend}.png`);
            let saved = '';
            try {
                await page.screenshot({ path: shot, type: 'png' });
                saved = `\nscreenshot: ${path.relative(process.cwd(), shot)}`;
            } catch {
                // the browser may be the thing that failed
            }
            const message = err instanceof Failure ? err.message : err.stack || String(err);
            console.error(`  FAILED ${number} ${name}`);
            console.error(`\nbrowser (${backend}): failed at step ${number} (${name}): ${message}${saved}`);
            console.error(`server log: ${path.relative(process.cwd(), logPath)}`);
            return 1;
        }
    }

    await context.close();
    try {
        await stop(server);
    } catch (err) {
        console.error(`\nbrowser (${backend}): ${steps.length} steps passed, but ${err.message}`);
        console.error(`server log: ${path.relative(process.cwd(), logPath)}`);
        return 1;
    }
    console.log(`\nbrowser (${backend}): ${steps.length} steps passed`);
    return 0;
}

await runAndExit('browser', main);
