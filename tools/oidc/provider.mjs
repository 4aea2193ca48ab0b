// A real OpenID Connect provider (the npm package oidc-provider) for the sign-in tests.
//
//   node tools/oidc/provider.mjs CONFIG.json
//
// CONFIG: {"port": 0, "client": {"client_id", "client_secret", "redirect_uris": [...]},
//          "accounts": {"<login>": {"password": "...", "claims": {"email", "email_verified",
//          "name", "groups": [...]}}}}
// Listens on 127.0.0.1 (port 0: any free one) and prints {"issuer": "http://127.0.0.1:N"}
// on its first line. Its own sign-in page asks for a login and password, then the consent
// page offers "Allow" and "Deny". The accounts are read again at every sign-in.
import http from 'node:http';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// Read at every sign-in: a test changes a directory entry by rewriting the file.
const accounts = () => JSON.parse(readFileSync(process.argv[2], 'utf8')).accounts;

const page = (title, body) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>${body}</body></html>`;

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...config.client,
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'groups'],
    },
    cookies: { keys: ['test-only-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    async findAccount(ctx, id) {
      const account = accounts()[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Short-lived everything: a test run is minutes long.
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/(login|consent))?/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const uid = escape(match[1]);
      if (req.method === 'GET' && details.prompt.name === 'login') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(page('Test IdP sign-in', `<form method="post" action="/interaction/${uid}/login">
<label>Login <input name="login"></label> <label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`));
      }
      if (req.method === 'GET') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(page('Test IdP consent', `<p>Share your email and profile with ${escape(details.params.client_id)}?</p>
<form method="post" action="/interaction/${uid}/consent"><button name="decision" value="allow">Allow</button>
<button name="decision" value="deny">Deny</button></form>`));
      }
      const form = await formBody(req);
      if (match[3] === 'login') {
        const account = accounts()[form.login];
        if (!account || account.password !== form.password) {
          res.statusCode = 403;
          return res.end(page('Wrong login or password', ''));
        }
        return provider.interactionFinished(req, res, { login: { accountId: form.login } });
      }
      if (form.decision !== 'allow') {
        return provider.interactionFinished(req, res, {
          error: 'access_denied', error_description: 'The member did not allow it.',
        }, { mergeWithLastSubmission: false });
      }
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
    } catch (error) {
      res.statusCode = 500;
      res.end(page('Provider error', escape(error.message)));
    }
  });
  console.log(JSON.stringify({ issuer }));
});
