#!/usr/bin/env node
// End-to-end run of the Postman collection against a real biginbox server.
//
//   node e2e/newman.mjs --backend sqlite|postgres [--bin PATH]
//
// On a fresh database it creates an organization and a Self Client with the CLI, exports the
// collection and a filled "Setup Details" environment with `biginbox postman export`, starts
// `biginbox serve` on a free port, runs the exported collection with newman, and stops the
// server with SIGTERM. It fails when an assertion or a script fails, when no assertion ran, when
// a request made no assertion, when a request of the collection did not run, or when the server
// does not shut down cleanly. The JSON report and the server's log go to e2e/reports/.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const require = createRequire(import.meta.url);
const newman = require('newman');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const REPORTS = path.join(HERE, 'reports');
const COLLECTION_FILE = 'Bigin API.postman_collection.json';
const ENVIRONMENT_FILE = 'Setup Details.postman_environment.json';
const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const HEALTH_TIMEOUT_MS = 20_000;
const HEALTH_INTERVAL_MS = 100;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const LAST_REQUEST = 'Revoke refresh token';

const ADMIN_EMAIL = 'admin@e2e.test';
const ADMIN_PASSWORD = 'e2e-password';

const execFileAsync = promisify(execFile);

class Failure extends Error {}

function usage() {
    return 'usage: node e2e/newman.mjs --backend sqlite|postgres [--bin PATH]';
}

function options() {
    let parsed;
    try {
        parsed = parseArgs({
            options: {
                backend: { type: 'string' },
                bin: { type: 'string', default: path.join(REPO, 'target', 'debug', 'biginbox') },
                help: { type: 'boolean', short: 'h', default: false },
            },
        }).values;
    } catch (err) {
        throw new Failure(`${err.message}\n${usage()}`);
    }
    if (parsed.help) {
        console.log(usage());
        process.exit(0);
    }
    if (parsed.backend !== 'sqlite' && parsed.backend !== 'postgres') {
        throw new Failure(usage());
    }
    const bin = path.resolve(process.cwd(), parsed.bin);
    if (!existsSync(bin)) {
        throw new Failure(`no biginbox binary at ${bin}: build it with \`cargo build -p biginbox\`, or pass --bin`);
    }
    return { backend: parsed.backend, bin };
}

/** Things to undo, last first; each runs once, even when the run fails or is interrupted. */
const cleanups = [];
let cleaning = null;

function cleanup() {
    cleaning ??= (async () => {
        while (cleanups.length) {
            const step = cleanups.pop();
            try {
                await step();
            } catch (err) {
                console.error(`cleanup: ${err.message}`);
            }
        }
    })();
    return cleaning;
}

let interrupted = false;

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        interrupted = true;
        console.error(`\n${signal}: cleaning up`);
        cleanup().finally(() => process.exit(130));
    });
}

// ---------- databases ----------

async function psql(adminUrl, sql) {
    try {
        await execFileAsync('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    } catch (err) {
        throw new Failure(`psql ${JSON.stringify(sql)} failed: ${(err.stderr || err.message).trim()}`);
    }
}

/** A fresh database for this run, and its URL for biginbox; dropped by the cleanups. */
async function freshDatabase(backend, workDir) {
    if (backend === 'sqlite') {
        return `sqlite://${path.join(workDir, 'e2e.db')}`;
    }
    const adminUrl = process.env.BIGINBOX_TEST_PG_URL || DEFAULT_PG_ADMIN_URL;
    const name = `biginbox_e2e_${randomBytes(6).toString('hex')}`;
    await psql(adminUrl, `CREATE DATABASE "${name}"`);
    cleanups.push(() => psql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
}

// ---------- the biginbox binary ----------

/** A TCP port nothing listens on right now. */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Runs a biginbox command to completion and returns its standard output. */
async function cli(bin, args) {
    try {
        const { stdout } = await execFileAsync(bin, args, { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
        return stdout;
    } catch (err) {
        throw new Failure(`biginbox ${args.slice(0, 2).join(' ')} failed (exit ${err.code}):\n${(err.stderr || err.message).trim()}`);
    }
}

async function cliJson(bin, args, keys) {
    const stdout = await cli(bin, args);
    let value;
    try {
        value = JSON.parse(stdout);
    } catch {
        throw new Failure(`biginbox ${args.slice(0, 2).join(' ')} --json printed no JSON:\n${stdout}`);
    }
    const missing = keys.filter((k) => typeof value[k] !== 'string' || value[k] === '');
    if (missing.length) {
        throw new Failure(`biginbox ${args.slice(0, 2).join(' ')} answered without ${missing.join(', ')}: ${stdout}`);
    }
    return value;
}

/** `biginbox serve`, its output kept for the log file. */
function serve(bin, globalArgs, port) {
    if (interrupted) throw new Failure('interrupted');
    const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, ...globalArgs], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    child.stdout.on('data', (chunk) => log.push(chunk));
    child.stderr.on('data', (chunk) => log.push(chunk));
    const exited = new Promise((resolve) => {
        child.on('exit', (code, signal) => resolve({ code, signal }));
        child.on('error', (err) => resolve({ code: null, signal: null, error: err }));
    });
    let done = null;
    exited.then((result) => {
        done = result;
    });
    return { child, log, exited, hasExited: () => done !== null };
}

async function waitHealthy(server, baseUrl) {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
        if (server.hasExited()) {
            const { code, signal } = await server.exited;
            throw new Failure(`biginbox serve exited before it was healthy (code ${code}, signal ${signal})`);
        }
        try {
            const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
            if (res.status === 200) return;
            last = `HTTP ${res.status}`;
        } catch (err) {
            last = err.cause?.code || err.message;
        }
        await new Promise((resolve) => setTimeout(resolve, HEALTH_INTERVAL_MS));
    }
    throw new Failure(`biginbox serve was not healthy within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`);
}

/** SIGTERM, then the exit status; a server that does not stop in time is killed and fails. */
async function stop(server) {
    if (server.hasExited()) {
        const { code, signal } = await server.exited;
        throw new Failure(`biginbox serve stopped by itself during the run (code ${code}, signal ${signal})`);
    }
    server.child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), SHUTDOWN_TIMEOUT_MS).unref());
    const result = await Promise.race([server.exited, timeout]);
    if (result === null) {
        server.child.kill('SIGKILL');
        await server.exited;
        throw new Failure(`biginbox serve did not stop within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM`);
    }
    if (result.code !== 0 || result.signal !== null) {
        throw new Failure(`biginbox serve did not shut down cleanly on SIGTERM (code ${result.code}, signal ${result.signal})`);
    }
}

// ---------- newman ----------

/** Every request of a collection, by name, with whether it has a test script of its own. */
function requestsOf(items, out = []) {
    for (const item of items) {
        if (Array.isArray(item.item)) {
            requestsOf(item.item, out);
        } else if (item.request) {
            const tests = (item.event || []).filter((e) => e.listen === 'test');
            const hasTest = tests.some((e) => [].concat(e.script?.exec ?? []).join('\n').includes('pm.test('));
            out.push({ name: item.name, hasTest });
        }
    }
    return out;
}

function runNewman(collection, environment, envVar, reportPath) {
    return new Promise((resolve, reject) => {
        newman.run(
            {
                collection,
                environment,
                envVar,
                reporters: ['cli', 'json'],
                reporter: { json: { export: reportPath } },
                timeoutRequest: 15_000,
                timeout: 300_000,
            },
            (err, summary) => (err ? reject(err) : resolve(summary)),
        );
    });
}

/**
 * One entry per request the runner sent from the collection. newman appends the same execution
 * again for each `pm.sendRequest` of its scripts; `cursor.ref` tells item runs apart.
 */
function itemRuns(executions) {
    const seen = new Set();
    return executions.filter((e) => {
        const ref = e.cursor?.ref ?? e;
        if (seen.has(ref)) return false;
        seen.add(ref);
        return true;
    });
}

/** What is wrong with a finished run; empty when it passed. */
function problems(summary, requests) {
    const found = [];
    const { stats, executions, failures } = summary.run;
    if (summary.error) found.push(`newman stopped: ${summary.error.message || summary.error}`);
    for (const failure of failures) {
        const where = failure.source?.name || failure.parent?.name || 'collection';
        found.push(`${where}: ${failure.error?.name || 'Error'}: ${failure.error?.message || failure.error?.test || 'failed'}`);
    }
    if (stats.assertions.total === 0) found.push('no assertion ran');
    for (const kind of ['requests', 'testScripts', 'prerequestScripts', 'assertions']) {
        if (stats[kind].failed > 0 && failures.length === 0) found.push(`${stats[kind].failed} ${kind} failed`);
    }
    const ran = itemRuns(executions).map((e) => e.item.name);
    for (const execution of itemRuns(executions)) {
        if (!execution.assertions || execution.assertions.length === 0) {
            found.push(`${execution.item.name}: made no assertion`);
        }
        if (!execution.response) found.push(`${execution.item.name}: got no response`);
    }
    for (const request of requests) {
        if (!request.hasTest) found.push(`${request.name}: has no test script of its own`);
        const times = ran.filter((name) => name === request.name).length;
        if (times !== 1) found.push(`${request.name}: ran ${times} times, not once`);
    }
    if (ran.length && ran[ran.length - 1] !== LAST_REQUEST) {
        found.push(`the run ended with "${ran[ran.length - 1]}", not "${LAST_REQUEST}"`);
    }
    return found;
}

// ---------- the run ----------

async function main() {
    const { backend, bin } = options();
    const workDir = await mkdtemp(path.join(tmpdir(), 'biginbox-e2e-'));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    await mkdir(REPORTS, { recursive: true });

    const databaseUrl = await freshDatabase(backend, workDir);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const globalArgs = ['--database-url', databaseUrl, '--public-url', publicUrl];

    await cliJson(
        bin,
        ['orgs', 'create', '--name', 'E2E', '--admin-email', ADMIN_EMAIL, '--admin-password', ADMIN_PASSWORD, '--json', ...globalArgs],
        ['org_id', 'zgid', 'admin_user_id', 'admin_email'],
    );
    const client = await cliJson(
        bin,
        ['clients', 'create', '--type', 'self', '--owner-email', ADMIN_EMAIL, '--json', ...globalArgs],
        ['client_id', 'client_secret', 'client_type'],
    );
    // A Non-browser client for the device-flow requests.
    const device = await cliJson(
        bin,
        ['clients', 'create', '--type', 'non-browser', '--name', 'E2E Device', '--homepage', 'https://device.example', '--owner-email', ADMIN_EMAIL, '--json', ...globalArgs],
        ['client_id', 'client_secret', 'client_type'],
    );
    const envVar = [
        { key: 'device-client-id', value: device.client_id },
        { key: 'device-client-secret', value: device.client_secret },
    ];
    const exportDir = path.join(workDir, 'postman');
    await cli(bin, [
        'postman', 'export', '--out', exportDir, '--client-id', client.client_id, '--client-secret', client.client_secret, ...globalArgs,
    ]);
    const collectionPath = path.join(exportDir, COLLECTION_FILE);
    const environmentPath = path.join(exportDir, ENVIRONMENT_FILE);
    const collection = JSON.parse(await readFile(collectionPath, 'utf8'));
    const environment = JSON.parse(await readFile(environmentPath, 'utf8'));
    const code = environment.values?.find((v) => v.key === 'code')?.value;
    if (!code) throw new Failure(`the exported environment carries no grant code (${environmentPath})`);
    const requests = requestsOf(collection.item || []);
    if (requests.length === 0) throw new Failure('the exported collection has no requests: was the binary built after the collection was written?');

    const server = serve(bin, globalArgs, port);
    const logPath = path.join(REPORTS, `server-${backend}.log`);
    cleanups.push(async () => {
        if (!server.hasExited()) {
            server.child.kill('SIGKILL');
            await server.exited;
        }
        await writeFile(logPath, Buffer.concat(server.log));
    });
    await waitHealthy(server, publicUrl);

    const reportPath = path.join(REPORTS, `newman-${backend}.json`);
    const summary = await runNewman(collectionPath, environmentPath, envVar, reportPath);
    const found = problems(summary, requests);
    try {
        await stop(server);
    } catch (err) {
        found.push(err.message);
    }

    const { stats } = summary.run;
    const failed = stats.assertions.failed + stats.testScripts.failed + stats.prerequestScripts.failed + stats.requests.failed;
    const sent = itemRuns(summary.run.executions).length;
    const line = `newman (${backend}): ${sent} requests, ${stats.assertions.total} assertions, ${failed} failed`;
    if (found.length) {
        console.error(`\n${line}\nFAILED:\n${found.map((p) => `  - ${p}`).join('\n')}`);
        console.error(`report: ${path.relative(process.cwd(), reportPath)}, server log: ${path.relative(process.cwd(), logPath)}`);
        return 1;
    }
    console.log(`\n${line}`);
    return 0;
}

let status = 1;
try {
    status = await main();
} catch (err) {
    console.error(err instanceof Failure ? `e2e: ${err.message}` : err);
    status = 1;
} finally {
    await cleanup();
}
process.exit(status);
