#!/usr/bin/env node
// End-to-end run of the Postman collection against a real biginbox server.
//
//   node e2e/newman.mjs --backend sqlite|postgres [--demo] [--bin PATH]
//
// On a fresh database it creates an organization, a Self Client and a Non-browser client with
// the CLI, exports the collection and a filled "Setup Details" environment with `biginbox postman
// export`, starts `biginbox serve` on a free port, runs the exported collection with newman, and
// stops the server with SIGTERM. With --demo it runs `biginbox serve --demo` in an empty
// directory instead and runs newman on exactly the two files the demo wrote there, as the
// README's `npx newman run ...` does. It fails when an assertion or a script fails, when no assertion ran, when
// a request made no assertion, when a request of the collection did not run, or when the server
// does not shut down cleanly. The JSON report and the server's log go to e2e/reports/.

import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { Failure, REPORTS, cli, cliJson, parseOptions, prepare, runAndExit, serve, stop, waitHealthy } from './harness.mjs';

const require = createRequire(import.meta.url);
const newman = require('newman');

const COLLECTION_FILE = 'Bigin API.postman_collection.json';
const ENVIRONMENT_FILE = 'Setup Details.postman_environment.json';
const LAST_REQUEST = 'Revoke refresh token';

const ADMIN_EMAIL = 'admin@e2e.test';
const ADMIN_PASSWORD = 'e2e-password';

const USAGE = 'usage: node e2e/newman.mjs --backend sqlite|postgres [--demo] [--bin PATH]';

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

function runNewman(collection, environment, reportPath) {
    return new Promise((resolve, reject) => {
        newman.run(
            {
                collection,
                environment,
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

/** Sets up an organization and clients with the CLI and exports the collection for them. */
async function exported(bin, workDir, globalArgs) {
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
    const exportDir = path.join(workDir, 'postman');
    await cli(bin, [
        'postman', 'export', '--out', exportDir, '--client-id', client.client_id, '--client-secret', client.client_secret,
        '--device-client-id', device.client_id, '--device-client-secret', device.client_secret, ...globalArgs,
    ]);
    return exportDir;
}

async function main() {
    const { backend, bin, demo } = parseOptions(USAGE, { extra: { demo: { type: 'boolean', default: false } } });
    const run = demo ? `${backend}-demo` : backend;
    const { workDir, port, baseUrl: publicUrl, globalArgs } = await prepare('e2e', backend);

    // The demo writes its files before it serves: they are there once it is healthy.
    const logPath = path.join(REPORTS, `server-${run}.log`);
    let server = null;
    let filesDir;
    if (demo) {
        filesDir = path.join(workDir, 'demo');
        await mkdir(filesDir);
        server = serve(bin, globalArgs, port, logPath, { cwd: filesDir, args: ['--demo'] });
        await waitHealthy(server, publicUrl);
    } else {
        filesDir = await exported(bin, workDir, globalArgs);
    }
    const collectionPath = path.join(filesDir, COLLECTION_FILE);
    const environmentPath = path.join(filesDir, ENVIRONMENT_FILE);
    const collection = JSON.parse(await readFile(collectionPath, 'utf8'));
    const environment = JSON.parse(await readFile(environmentPath, 'utf8'));
    for (const key of ['code', 'client-id', 'client-secret', 'device-client-id', 'device-client-secret']) {
        if (!environment.values?.find((v) => v.key === key)?.value) throw new Failure(`the environment leaves ${key} empty (${environmentPath})`);
    }
    const requests = requestsOf(collection.item || []);
    if (requests.length === 0) throw new Failure('the exported collection has no requests: was the binary built after the collection was written?');

    if (!server) {
        server = serve(bin, globalArgs, port, logPath);
        await waitHealthy(server, publicUrl);
    }

    const reportPath = path.join(REPORTS, `newman-${run}.json`);
    const summary = await runNewman(collectionPath, environmentPath, reportPath);
    const found = problems(summary, requests);
    try {
        await stop(server);
    } catch (err) {
        found.push(err.message);
    }

    const { stats } = summary.run;
    const failed = stats.assertions.failed + stats.testScripts.failed + stats.prerequestScripts.failed + stats.requests.failed;
    const sent = itemRuns(summary.run.executions).length;
    const line = `newman (${run}): ${sent} requests, ${stats.assertions.total} assertions, ${failed} failed`;
    if (found.length) {
        console.error(`\n${line}\nFAILED:\n${found.map((p) => `  - ${p}`).join('\n')}`);
        console.error(`report: ${path.relative(process.cwd(), reportPath)}, server log: ${path.relative(process.cwd(), logPath)}`);
        return 1;
    }
    console.log(`\n${line}`);
    return 0;
}

await runAndExit('e2e', main);
