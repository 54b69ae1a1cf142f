import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { type Document, OpenAPIBackend, type Operation } from 'openapi-backend';
import { parse } from 'yaml';

// The contract check: every HTTP response the suites receive from the server is held to
// docs/openapi.yaml. The status must be documented for the operation, the content type must be
// one the response declares (or no body where it declares none), and a JSON body must match the
// schema of that status. Routing, $ref resolution and schema compilation are openapi-backend's
// (matchOperation, validateResponse), on Ajv's draft 2020-12 dialect, which is OpenAPI 3.1's.
//
// test/support/contract-setup.ts (a vitest setupFiles entry) wraps globalThis.fetch in every
// test file, so no suite opts in; requests sent with node:http or raw sockets are not seen.
// It imports this module only once a response is to be checked: files that never fetch from the
// server pay nothing.

const SPEC = fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url));

/** One response as the check sees it: the body as text (fetch has already decompressed it). */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  /** The content-type header, or null. */
  contentType: string | null;
  body: string;
}

export interface Violation {
  method: string;
  /** The documented path template (or the request's path when none matched). */
  path: string;
  url: string;
  status: number;
  problem: string;
  /** The body's first 300 characters. */
  body: string;
}

/** A request to a path the spec documents, with a method none of its operations has. */
const UNROUTED = 'contract: undocumented method';
/** The spec's shared answer to such a request (the server's 404 NOT_FOUND fallback). */
const NO_ROUTE = '#/components/responses/NoRoute';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** ajv-formats is CommonJS: its module.exports is the plugin, and so is its `default`. */
const addFormats = formats.default;

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(contentType: string | null): string | null {
  const t = contentType?.split(';')[0].trim().toLowerCase();
  return t ? t : null;
}

/** The documented media type that covers `type`: exact, then `type/*`, then `*\/*`. */
function matchMedia(type: string | null, documented: string[]): string | null {
  if (!type) return null;
  const range = `${type.split('/')[0]}/*`;
  for (const want of [type, range, '*/*']) {
    const hit = documented.find((d) => d.toLowerCase() === want);
    if (hit) return hit;
  }
  return null;
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** The key of `responses` that documents `status`: the code itself, then `4XX`, then `default`. */
function responseKey(responses: Record<string, unknown>, status: number): string | null {
  const keys = Object.keys(responses);
  const range = `${Math.floor(status / 100)}XX`;
  return (
    keys.find((k) => k === String(status)) ??
    keys.find((k) => k.toUpperCase() === range) ??
    keys.find((k) => k === 'default') ??
    null
  );
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || '(root)';
  const p = e.params as Record<string, unknown>;
  let extra = '';
  if (e.keyword === 'enum') extra = `: ${JSON.stringify(p.allowedValues)}`;
  else if (e.keyword === 'const') extra = `: ${JSON.stringify(p.allowedValue)}`;
  else if (e.keyword === 'additionalProperties') extra = `: '${String(p.additionalProperty)}'`;
  return `${at} ${e.message}${extra}`;
}

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

/** Every document must name its operations for openapi-backend; ours are named by method and path. */
function nameOperations(doc: Document): void {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const m of METHODS) {
      const op = (item as Record<string, { operationId?: string } | undefined>)[m];
      if (op && !op.operationId) op.operationId = `${m.toUpperCase()} ${path}`;
    }
  }
  // Checked through the library like every other answer: a path no client request can have.
  if (doc.components?.responses?.NoRoute) {
    (doc.paths as Record<string, unknown>)['/\u0000contract/undocumented-method'] = {
      get: { operationId: UNROUTED, responses: { '404': { $ref: NO_ROUTE } } },
    };
  }
}

export class Contract {
  private constructor(private readonly api: OpenAPIBackend) {}

  /** Loads and compiles the spec (validators are compiled per operation on first use, then kept). */
  static async load(specPath = SPEC): Promise<Contract> {
    const doc = parse(readFileSync(specPath, 'utf8')) as Document;
    nameOperations(doc);
    const ajvs = new Map<string, Ajv2020>();
    const api = new OpenAPIBackend({
      definition: doc,
      // quick: validators compile lazily, per operation; and no check of the document against
      // the OpenAPI 3.0 schema, which a 3.1 document fails (test/docs/contract.test.ts checks it
      // against 3.1's).
      quick: true,
      strict: true,
      ignoreTrailingSlashes: false,
      // Strict schemas: a misspelt keyword in the spec fails loudly instead of checking nothing.
      ajvOpts: { strict: true, strictTypes: false, strictRequired: false, allErrors: true },
      // OpenAPI 3.1 schemas are JSON Schema 2020-12: one Ajv2020 per set of options.
      customizeAjv: (_default, opts: Options) => {
        const key = JSON.stringify(opts);
        let ajv = ajvs.get(key);
        if (!ajv) {
          ajv = new Ajv2020(opts);
          addFormats(ajv);
          // The OpenAPI vocabulary beside JSON Schema's (annotations to a validator).
          ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
          ajvs.set(key, ajv);
        }
        return ajv;
      },
    });
    await api.init();
    return new Contract(api);
  }

  /**
   * The operation a request reaches; 'unrouted' for a documented path with a method none of its
   * operations has (the same test openapi-backend's own 405 handling makes); null for a path the
   * spec does not have.
   */
  private operation(method: string, path: string): Operation | 'unrouted' | null {
    try {
      return this.api.router.matchOperation({ method, path, headers: {} }, true);
    } catch (e) {
      return e instanceof Error && e.message.startsWith('405') ? 'unrouted' : null;
    }
  }

  /** The violations of one response ([] when it conforms), or null when the spec does not cover it. */
  check(x: Exchange): Violation[] | null {
    const url = new URL(x.url);
    const method = x.method.toLowerCase();
    const METHOD = x.method.toUpperCase();
    const matched = this.operation(method, url.pathname);
    if (matched === null) return null;
    const out: Violation[] = [];
    const fail = (problem: string) =>
      out.push({
        method: METHOD,
        path: matched === 'unrouted' ? `${url.pathname} (no ${METHOD} documented)` : matched.path,
        url: x.url,
        status: x.status,
        problem,
        body: x.body.slice(0, 300),
      });
    const op = matched === 'unrouted' ? this.api.router.getOperation(UNROUTED) : matched;
    if (op === undefined) {
      fail(`the path has no ${METHOD}, and the spec has no ${NO_ROUTE} for such requests`);
      return out;
    }
    const responses = (op.responses ?? {}) as Record<string, ResponseObject>;
    const key = responseKey(responses, x.status);
    if (key === null) {
      fail(`status ${x.status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
      return out;
    }
    const documented = responses[key];
    const type = mediaType(x.contentType);
    if (x.status === 204 || x.status === 304 || x.status < 200 || method === 'head') {
      if (x.body.length > 0) fail(`a ${x.status} must not have a body`);
      return out;
    }
    const content = documented.content ?? {};
    const types = Object.keys(content);
    if (types.length === 0) {
      if (x.body.length > 0)
        fail(`a body (${type ?? 'no content-type'}) is sent, but the ${key} response documents none`);
      return out;
    }
    const media = matchMedia(type, types);
    if (media === null) {
      fail(
        `content-type ${x.contentType ?? '(none)'} is not documented for ${key} (documented: ${types.join(', ')})`,
      );
      return out;
    }
    if (x.body.length === 0) {
      fail(`no body, but the ${key} response documents ${media}`);
      return out;
    }
    if (!isJsonType(media.toLowerCase())) return out;
    let json: unknown;
    try {
      json = JSON.parse(x.body);
    } catch {
      fail(`the body is not JSON, though sent as ${type}`);
      return out;
    }
    // openapi-backend validates the application/json schemas (the only JSON type the spec uses).
    if (media.toLowerCase() !== 'application/json' || content[media].schema === undefined) return out;
    let errors: ErrorObject[];
    try {
      errors = (this.api.validateResponse(json, op, x.status).errors ?? []) as ErrorObject[];
    } catch (e) {
      // Strict Ajv: a schema with a misspelt or unknown keyword does not compile.
      fail(`the documented schema does not compile: ${e instanceof Error ? e.message : String(e)}`);
      return out;
    }
    for (const e of errors) fail(`body ${describeError(e)}`);
    return out;
  }

  /** `METHOD /template` of the operation a request reaches, or null (statistics: what the suites cover). */
  operationOf(method: string, url: string): string | null {
    const matched = this.operation(method.toLowerCase(), new URL(url).pathname);
    if (matched === null) return null;
    return `${method.toUpperCase()} ${matched === 'unrouted' ? '(undocumented method)' : matched.path}`;
  }

  /** Every operation, as `METHOD /path` (for the contract's own test). */
  operations(): string[] {
    return this.api
      .getOperations()
      .filter((o) => o.operationId !== UNROUTED)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`);
  }
}

/** The report of a file's violations, one line per distinct finding. */
export function formatViolations(violations: Violation[]): string {
  // The same answer seen many times is one finding.
  const seen = new Map<string, { v: Violation; n: number }>();
  for (const v of violations) {
    const k = `${v.method} ${v.path} ${v.status} ${v.problem}`;
    const e = seen.get(k);
    if (e) e.n++;
    else seen.set(k, { v, n: 1 });
  }
  const lines = [...seen.values()].map(({ v, n }) => {
    const times = n > 1 ? ` (${n} times)` : '';
    return `- ${v.method} ${v.path} → ${v.status}${times}: ${v.problem}\n    url:  ${v.url}\n    body: ${v.body}`;
  });
  return `${seen.size} response(s) do not match docs/openapi.yaml:\n${lines.join('\n')}`;
}
