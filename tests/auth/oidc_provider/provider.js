// A real OpenID provider on loopback for the single sign-on tests: oidc-provider with two clients that
// must use PKCE (one with a secret, one public), and the accounts given as JSON on the command line. Its sign-in "page" takes a form
// post of `account=<id>` (or `error=access_denied`), so a test signs in over plain HTTP. Prints one
// JSON line, {"issuer": ...}, once it listens.
//
//   node provider.js '{"client_id": ..., "client_secret": ..., "redirect_uri": ..., "accounts": {...}}'
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }, {
      // A public client: no secret, PKCE alone.
      client_id: `${config.client_id}-public`,
      token_endpoint_auth_method: 'none',
      redirect_uris: [config.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(ctx, id) {
      const account = config.accounts[id];
      return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // The client is the newsroom's own: consent is taken as given once the person signs in.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        return ctx.oidc.provider.Grant.find(grantId);
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url.startsWith('/interaction/')) {
      oidc(req, res);
      return;
    }
    try {
      if (req.method === 'GET') {
        const details = await provider.interactionDetails(req, res);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
        return;
      }
      const form = await readForm(req);
      const result = form.get('error')
        ? { error: form.get('error'), error_description: 'The person declined to sign in.' }
        : { login: { accountId: form.get('account') } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
