// A real OAuth 2.0 authorisation server (oidc-provider) and, beside it, a tiny SCIM-shaped HR API
// that accepts only this provider's access tokens. For Roster's connector tests only.
// Prints one JSON line on stdout, {"issuer": ..., "api": ...}, once both listen on 127.0.0.1.
import http from 'node:http';
import Provider from 'oidc-provider';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = (id, given, family, number, manager) => ({
  schemas: [USER, ENTERPRISE],
  id,
  userName: `${given.toLowerCase()}@oauth.example`,
  name: { givenName: given, familyName: family },
  emails: [{ value: `${given.toLowerCase()}@oauth.example`, type: 'work', primary: true }],
  active: true,
  [ENTERPRISE]: { employeeNumber: number, organization: 'Oauthy SAS', ...(manager ? { manager: { value: manager } } : {}) },
});
const users = [
  user('u-alice', 'Alice', 'Martin', 'O-1'),
  user('u-bob', 'Bob', 'Durand', 'O-2', 'u-alice'),
  user('u-carol', 'Carol', 'Petit', 'O-3', 'u-alice'),
];
const groups = [{ id: 'g-platform', displayName: 'Platform', members: [{ value: 'u-bob', type: 'User' }] }];

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'roster',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // Native clients may use any port on a loopback redirect (RFC 8252 §7.3).
    redirect_uris: ['http://127.0.0.1/callback'],
  }],
  features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  cookies: { keys: ['roster-connector-tests-only'] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/scim+json' });
  res.end(JSON.stringify(body));
}

async function api(req, res) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? await provider.AccessToken.find(header.slice(7)) : undefined;
  if (!token || token.isExpired) {
    return send(res, 401, { schemas: [ERROR], status: '401', detail: 'the access token is not valid' });
  }
  const url = new URL(req.url, issuer);
  const all = url.pathname.endsWith('/Users') ? users : url.pathname.endsWith('/Groups') ? groups : null;
  if (!all) return send(res, 404, { schemas: [ERROR], status: '404', detail: 'no such resource' });
  const start = Number(url.searchParams.get('startIndex') ?? 1);
  const count = Number(url.searchParams.get('count') ?? 100);
  const page = all.slice(start - 1, start - 1 + count);
  send(res, 200, { schemas: [LIST], totalResults: all.length, startIndex: start, itemsPerPage: page.length, Resources: page });
}

// Test control: forgets one access token and nothing else, as when a token ends before its
// announced expiry; the grant and its refresh token stay valid.
async function forget(req, res) {
  const token = await provider.AccessToken.find(new URL(req.url, issuer).searchParams.get('token'));
  if (token) await token.destroy();
  res.writeHead(token ? 204 : 404);
  res.end();
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/test/forget-access-token')) {
    forget(req, res).catch((e) => send(res, 500, { detail: String(e) }));
  } else if (req.url.startsWith('/scim/')) {
    api(req, res).catch((e) => send(res, 500, { schemas: [ERROR], status: '500', detail: String(e) }));
  } else {
    callback(req, res);
  }
});

process.stdout.write(JSON.stringify({ issuer, api: `${issuer}/scim/v2` }) + '\n');
// Stdout carries only the line above; anything the provider logs later goes to stderr.
console.log = console.info = console.error;
