// Shared harness of the end-to-end runners (newman.mjs, browser.mjs): options, a fresh database
// and a free port for each run, the biginbox CLI, `biginbox serve` from start to a clean stop,
// and the cleanups that undo all of it even when a run fails or is interrupted.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..');
export const REPORTS = path.join(HERE, 'reports');
const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const HEALTH_TIMEOUT_MS = 20_000;
const HEALTH_INTERVAL_MS = 100;
const SHUTDOWN_TIMEOUT_MS = 10_000;

const execFileAsync = promisify(execFile);

/** An expected way for a run to fail: reported as its message alone, without a stack. */
export class Failure extends Error {}

// ---------- options ----------

/**
 * Parses --backend and --bin (and -h), plus the runner's own `extra` parseArgs options; prints
 * `usage` for -h. Returns every parsed value, with `bin` resolved and known to exist.
 * Without `defaultBackend` the --backend option is required.
 */
export function parseOptions(usage, { defaultBackend, extra = {} } = {}) {
    let parsed;
    try {
        parsed = parseArgs({
            options: {
                // parseArgs rejects `default: undefined`, so the key is left out when there is none.
                backend: { type: 'string', ...(defaultBackend && { default: defaultBackend }) },
                bin: { type: 'string', default: path.join(REPO, 'target', 'debug', 'biginbox') },
                ...extra,
                help: { type: 'boolean', short: 'h', default: false },
            },
        }).values;
    } catch (err) {
        throw new Failure(`${err.message}\n${usage}`);
    }
    if (parsed.help) {
        console.log(usage);
        process.exit(0);
    }
    if (parsed.backend !== 'sqlite' && parsed.backend !== 'postgres') {
        throw new Failure(usage);
    }
    const bin = path.resolve(process.cwd(), parsed.bin);
    if (!existsSync(bin)) {
        throw new Failure(`no biginbox binary at ${bin}: build it with \`cargo build -p biginbox\`, or pass --bin`);
    }
    return { ...parsed, bin };
}

// ---------- cleanup ----------

/** Undo actions, run last first and once, whether the run passes, fails or is interrupted. */
const cleanups = [];
let cleaning = null;
let interrupted = false;

export function onCleanup(undo) {
    cleanups.push(undo);
}

function cleanup() {
    cleaning ??= (async () => {
        for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
            try {
                await undo();
            } catch (err) {
                console.error(`cleanup: ${err.message}`);
            }
        }
    })();
    return cleaning;
}

/** Throws once Ctrl-C or SIGTERM arrived, so that nothing new (a server, a browser) is started. */
export function stopIfInterrupted() {
    if (interrupted) throw new Failure('interrupted');
}

/**
 * Runs `main` (which returns the exit status) and exits with its status after the cleanups.
 * A Failure is printed as `<tag>: message`, anything else with its stack; both exit 1.
 * Ctrl-C or SIGTERM cleans up too and exits 130.
 */
export async function runAndExit(tag, main) {
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.on(signal, () => {
            interrupted = true;
            console.error(`\n${signal}: cleaning up`);
            cleanup().finally(() => process.exit(130));
        });
    }
    let status = 1;
    try {
        status = await main();
    } catch (err) {
        console.error(err instanceof Failure ? `${tag}: ${err.message}` : err);
        status = 1;
    } finally {
        await cleanup();
    }
    process.exit(status);
}

// ---------- database, port ----------

async function psql(adminUrl, sql) {
    try {
        await execFileAsync('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    } catch (err) {
        throw new Failure(`psql ${JSON.stringify(sql)} failed: ${(err.stderr || err.message).trim()}`);
    }
}

/**
 * The URL of an empty database that only this run uses: a SQLite file at `sqlitePath`, or a new
 * PostgreSQL database next to BIGINBOX_TEST_PG_URL's, dropped by the cleanups.
 */
async function freshDatabase(backend, sqlitePath) {
    if (backend === 'sqlite') return `sqlite://${sqlitePath}`;
    const adminUrl = process.env.BIGINBOX_TEST_PG_URL || DEFAULT_PG_ADMIN_URL;
    // A random name, so that runs side by side and leftovers of a killed run do not collide.
    const name = `biginbox_e2e_${randomBytes(6).toString('hex')}`;
    await psql(adminUrl, `CREATE DATABASE "${name}"`);
    // FORCE: a server killed on failure may still hold connections when the drop runs.
    onCleanup(() => psql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
}

/** A port on 127.0.0.1 that is free at the time of asking. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

/**
 * What every run starts from: a temporary directory `biginbox-<tag>-*`, e2e/reports/, a fresh
 * database, and a free port for the server with its base URL and the CLI's global arguments.
 */
export async function prepare(tag, backend) {
    const workDir = await mkdtemp(path.join(tmpdir(), `biginbox-${tag}-`));
    onCleanup(() => rm(workDir, { recursive: true, force: true }));
    await mkdir(REPORTS, { recursive: true });

    const databaseUrl = await freshDatabase(backend, path.join(workDir, `${tag}.db`));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const globalArgs = ['--database-url', databaseUrl, '--public-url', baseUrl];
    return { workDir, databaseUrl, port, baseUrl, globalArgs };
}

// ---------- the biginbox binary ----------

/** Runs `biginbox <args>` to completion and returns its standard output. */
export async function cli(bin, args) {
    try {
        const { stdout } = await execFileAsync(bin, args, { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
        return stdout;
    } catch (err) {
        throw new Failure(`biginbox ${args.slice(0, 2).join(' ')} failed (exit ${err.code}):\n${(err.stderr || err.message).trim()}`);
    }
}

/** Runs `biginbox <args>` and parses the JSON it prints, which must carry the given string keys. */
export async function cliJson(bin, args, keys) {
    const what = `biginbox ${args.slice(0, 2).join(' ')}`;
    const stdout = await cli(bin, args);
    let value;
    try {
        value = JSON.parse(stdout);
    } catch {
        throw new Failure(`${what} --json printed no JSON:\n${stdout}`);
    }
    const missing = keys.filter((key) => typeof value[key] !== 'string' || value[key] === '');
    if (missing.length) throw new Failure(`${what} answered without ${missing.join(', ')}: ${stdout}`);
    return value;
}

/**
 * Starts `biginbox serve` on 127.0.0.1:<port> (in `cwd`, with more `args`). Its output is kept and written to `logPath` by the
 * cleanups, which also kill a server still running: the log is wanted most when a run failed.
 */
export function serve(bin, globalArgs, port, logPath, { cwd = REPO, args = [] } = {}) {
    stopIfInterrupted();
    const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, ...args, ...globalArgs], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    child.stdout.on('data', (chunk) => log.push(chunk));
    child.stderr.on('data', (chunk) => log.push(chunk));
    let result = null;
    const exited = new Promise((resolve) => {
        child.on('exit', (code, signal) => resolve({ code, signal }));
        child.on('error', (error) => resolve({ code: null, signal: null, error }));
    }).then((r) => (result = r));
    const server = { child, log, exited, hasExited: () => result !== null };
    onCleanup(async () => {
        if (!server.hasExited()) {
            server.child.kill('SIGKILL');
            await server.exited;
        }
        await writeFile(logPath, Buffer.concat(server.log));
    });
    return server;
}

/** Polls /healthz until it answers 200; fails early when the server exits first. */
export async function waitHealthy(server, baseUrl) {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
        if (server.hasExited()) {
            const { code, signal, error } = await server.exited;
            throw new Failure(`biginbox serve exited before it was healthy (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''})`);
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

/**
 * Sends SIGTERM and requires a clean exit (code 0, no signal) within the shutdown timeout: the
 * graceful shutdown is part of what the runs test. A server that hangs is killed and fails.
 */
export async function stop(server) {
    if (server.hasExited()) {
        const { code, signal } = await server.exited;
        throw new Failure(`biginbox serve stopped by itself during the run (code ${code}, signal ${signal})`);
    }
    server.child.kill('SIGTERM');
    // unref: the timer alone must not keep node alive once the server has exited.
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
