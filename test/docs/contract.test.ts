import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Contract, type Exchange, formatViolations } from '../support/contract.ts';

// The contract check (test/support/contract.ts) holds every response the suites get to
// docs/openapi.yaml. Here it is fed made-up responses, to show that it can fail, and the spec
// itself is checked against the OpenAPI 3.1 schema.

const SPEC = new URL('../../docs/openapi.yaml', import.meta.url);
const BASE = 'http://127.0.0.1:1';

let contract: Contract;
beforeAll(async () => {
  contract = await Contract.load();
});

const json = (method: string, path: string, status: number, body: unknown): Exchange => ({
  method,
  url: `${BASE}${path}`,
  status,
  contentType: 'application/json',
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const problems = (x: Exchange) => (contract.check(x) ?? []).map((v) => v.problem);

const ERROR = { error: { code: 'EVENT_NOT_FOUND', message: 'no such event' } };

describe('docs/openapi.yaml', () => {
  it('given the document, then it is valid OpenAPI 3.1', async () => {
    const doc = parse(readFileSync(SPEC, 'utf8'));
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('the contract check', () => {
  it('given a documented answer, then it reports nothing', () => {
    expect(problems(json('GET', '/api/events/demo-stadium', 404, ERROR))).toEqual([]);
    expect(problems(json('GET', '/healthz', 200, { status: 'ok', events: 3 }))).toEqual([]);
    expect(
      problems({ method: 'GET', url: `${BASE}/api/events/x`, status: 304, contentType: null, body: '' }),
    ).toEqual([]);
    expect(
      problems({
        method: 'GET',
        url: `${BASE}/metrics`,
        status: 200,
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        body: '# HELP x\n',
      }),
    ).toEqual([]);
  });

  it('given a status the operation does not list, then it is reported', () => {
    const found = contract.check(json('GET', '/api/events/demo-stadium', 418, ERROR));
    expect(found).toHaveLength(1);
    expect(found![0]).toMatchObject({ method: 'GET', path: '/api/events/{id}', status: 418 });
    expect(found![0].problem).toMatch(/status 418 is not documented/);
  });

  it('given a body missing a required field, then it is reported with where', () => {
    const found = problems(
      json('GET', '/api/events/demo-stadium', 404, { error: { code: 'EVENT_NOT_FOUND' } }),
    );
    expect(found).toEqual([expect.stringMatching(/\/error must have required property 'message'/)]);
  });

  it('given a value of the wrong type or outside an enum, then it is reported', () => {
    const found = problems(json('GET', '/healthz', 200, { status: 'fine', events: 'three' }));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/status must be equal to constant/),
        expect.stringMatching(/\/events must be integer/),
      ]),
    );
  });

  it('given OpenAPI 3.1 schemas (type lists with null, const, formats), then they are held to JSON Schema 2020-12', () => {
    const venue = {
      id: 'v',
      name: 'V',
      address: '',
      city: 'C',
      country: '',
      lat: null,
      lng: null,
      capacity: 0,
      chartVersion: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(problems(json('GET', '/api/venues/v', 200, { venue }))).toEqual([]);
    expect(
      problems(
        json('GET', '/api/venues/v', 200, { venue: { ...venue, lat: 'north', updatedAt: 'yesterday' } }),
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/venue\/lat must be number,null/),
        expect.stringMatching(/\/venue\/updatedAt must match format "date-time"/),
      ]),
    );
  });

  it('given a schema the spec cannot compile, then that is reported, not ignored', async () => {
    const spec = readFileSync(SPEC, 'utf8').replace(
      '    Readiness:\n      type: object\n',
      '    Readiness:\n      type: object\n      minProperty: 1\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'onsale-contract-'));
    try {
      writeFileSync(join(dir, 'openapi.yaml'), spec);
      const broken = await Contract.load(join(dir, 'openapi.yaml'));
      const found = broken.check(json('GET', '/readyz', 200, { ready: true, events: 1 }));
      expect(found?.map((v) => v.problem)).toEqual([expect.stringMatching(/does not compile.*minProperty/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given the wrong content type, or a body that is not JSON, then it is reported', () => {
    const html = { ...json('GET', '/api/events/demo-stadium', 404, ERROR), contentType: 'text/html' };
    expect(problems(html)).toEqual([expect.stringMatching(/content-type text\/html is not documented/)]);
    expect(problems(json('GET', '/api/events/demo-stadium', 404, '<h1>no</h1>'))).toEqual([
      expect.stringMatching(/not JSON/),
    ]);
    const none = { ...json('GET', '/api/events/demo-stadium', 404, ERROR), contentType: null };
    expect(problems(none)).toEqual([expect.stringMatching(/content-type \(none\)/)]);
  });

  it('given a body where none is documented, or none where one is, then it is reported', () => {
    expect(problems(json('GET', '/api/events/x', 304, ERROR))).toEqual([
      expect.stringMatching(/304 must not have a body/),
    ]);
    expect(problems(json('GET', '/api/events/x', 404, ''))).toEqual([expect.stringMatching(/no body/)]);
  });

  it('given a method the path does not document, then only the NOT_FOUND fallback conforms', () => {
    const notFound = { error: { code: 'NOT_FOUND', message: 'no route for PATCH /api/events/x' } };
    expect(problems(json('PATCH', '/api/events/x', 404, notFound))).toEqual([]);
    const found = contract.check(json('PATCH', '/api/events/x', 200, { ok: true }));
    expect(found).toHaveLength(1);
    expect(found![0].path).toBe('/api/events/x (no PATCH documented)');
  });

  it('given a path the spec does not have, then it is not checked', () => {
    expect(contract.check(json('GET', '/ws', 404, 'nope'))).toBeNull();
    expect(contract.check(json('GET', '/api/no-such-thing', 404, ERROR))).toBeNull();
  });

  it('given violations, then the report names method, template, status, problem and body', () => {
    const found = contract.check(json('GET', '/api/events/demo-stadium', 418, { teapot: 'x'.repeat(400) }))!;
    const report = formatViolations([...found, ...found]);
    expect(report).toContain('GET /api/events/{id} → 418 (2 times): status 418 is not documented');
    expect(report).toContain(`body: {"teapot":"${'x'.repeat(288)}`);
    expect(report).not.toContain('x'.repeat(300));
  });

  it('given the document, then every operation is known to the check', () => {
    expect(contract.operations()).toContain('GET /api/events/{id}');
    expect(contract.operations().length).toBeGreaterThan(40);
  });
});

describe('the fetch wrapper (test/support/contract-setup.ts)', () => {
  it('given a suite fetching from a server, then its responses are watched and their bodies are still its own', async () => {
    expect(
      (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('onsale.contract-check')],
    ).toBeDefined();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","events":1}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok', events: 1 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
