import crypto from 'crypto';

/** Fresh WeCom app credentials, as sandbox mode generates them (no secret has a default). */
export function freshWeComKeys() {
  return {
    corpId: `ww${crypto.randomBytes(8).toString('hex')}`,
    agentId: 1000002,
    secret: crypto.randomBytes(24).toString('base64url'),
    kfSecret: crypto.randomBytes(24).toString('base64url'),
    token: crypto.randomBytes(12).toString('hex'),
    aesKey: crypto.randomBytes(32).toString('base64').slice(0, 43),
  };
}
